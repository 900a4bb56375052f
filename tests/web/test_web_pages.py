"""Every page renders for the people who may see it, under a strict CSP, with no inline
code and a label for every field."""

from __future__ import annotations

import pytest
from django.test import Client
from web_helpers import audit, signed_in

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.models import Body
from dualpower.bodies.services import invitation_create

pytestmark = pytest.mark.django_db

TABS = ["", "members/", "charter/", "mandates/", "journal/", "invite/"]


def _get_ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    html = response.content.decode()
    assert audit(html) == [], url
    return html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
    ],
)
def test_the_public_pages_render_for_anyone(client: Client, assembly: Body, url: str) -> None:
    _get_ok(client, url)


def test_the_home_page_lists_visible_bodies_and_not_hidden_ones(
    client: Client, assembly: Body, caucus: Body
) -> None:
    html = _get_ok(client, "/")
    assert "Eastside Assembly" in html
    assert "Left Caucus" not in html
    assert 'href="/accounts/signup/"' in html


def test_a_member_sees_her_hidden_body_in_the_directory(
    client: Client, bob: Person, caucus: Body
) -> None:
    assert "Left Caucus" in _get_ok(signed_in(client, bob), "/")


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("fixture", ["assembly", "union", "caucus"])
def test_every_tab_renders_for_the_founder(
    as_alice: Client, request: pytest.FixtureRequest, fixture: str, tab: str
) -> None:
    body: Body = request.getfixturevalue(fixture)
    html = _get_ok(as_alice, f"/bodies/{body.slug}/{tab}")
    assert body.name in html


def test_the_about_page_shows_the_member_count_to_members_only(
    client: Client, assembly: Body, bob: Person, dave: Person
) -> None:
    html = _get_ok(signed_in(client, bob), f"/bodies/{assembly.slug}/")
    assert "<dt>Members</dt><dd>2</dd>" in html
    html = _get_ok(signed_in(client, dave), f"/bodies/{assembly.slug}/")
    assert "<dt>Members</dt>" not in html
    assert ">Join</button>" in html  # an open assembly: dave may join


def test_the_members_page_lists_the_members(as_alice: Client, assembly: Body) -> None:
    html = _get_ok(as_alice, f"/bodies/{assembly.slug}/members/")
    assert "Alice" in html and "Bob" in html


def test_the_charter_page_reads_as_rules(client: Client, union: Body) -> None:
    html = _get_ok(client, f"/bodies/{union.slug}/charter/")
    assert "Visible only to holders of a mandate with the power <code>members.view</code>" in html
    assert "By invitation only" in html
    assert "Single transferable vote" in html
    assert "66.7% yes" in html
    assert "Version 1" in html


def test_the_mandates_page_shows_the_founding_mandate(as_alice: Client, union: Body) -> None:
    html = _get_ok(as_alice, f"/bodies/{union.slug}/mandates/")
    assert "Founding convenor" in html
    assert "<code>members.view</code>" in html
    assert "Held" in html


def test_the_journal_page_lists_entries_with_short_hashes(as_alice: Client, assembly: Body) -> None:
    html = _get_ok(as_alice, f"/bodies/{assembly.slug}/journal/")
    last = assembly.journal.order_by("-seq").first()
    assert last is not None
    assert f">{last.hash[:12]}</code>" in html
    assert "member.joined" in html and "body.founded" in html
    assert "Verify chain" in html


@pytest.mark.parametrize("url", ["/me/bodies/", "/me/tokens/", "/found/"])
def test_the_personal_pages_render(
    as_alice: Client, alice: Person, assembly: Body, url: str
) -> None:
    api_token_create(person=alice, label="laptop")
    _get_ok(as_alice, url)


def test_my_bodies_lists_mine(as_alice: Client, assembly: Body, caucus: Body) -> None:
    html = _get_ok(as_alice, "/me/bodies/")
    assert "Eastside Assembly" in html and "Left Caucus" in html


def test_my_bodies_has_an_empty_state(client: Client, dave: Person) -> None:
    assert "You are not in any body yet" in _get_ok(signed_in(client, dave), "/me/bodies/")


def test_the_invitation_page_shows_the_body_and_an_accept_button(
    client: Client, caucus: Body, alice: Person, dave: Person
) -> None:
    _, token = invitation_create(body=caucus, by=alice)
    html = _get_ok(signed_in(client, dave), f"/invitations/{token}/")
    assert "Left Caucus" in html
    assert "Accept the invitation" in html


def test_the_leave_page_asks_for_confirmation(client: Client, assembly: Body, bob: Person) -> None:
    html = _get_ok(signed_in(client, bob), f"/bodies/{assembly.slug}/leave/")
    assert "Yes, leave" in html


def test_the_error_page_passes_the_audit_too(client: Client) -> None:
    response = client.get("/bodies/nowhere/")
    assert response.status_code == 404
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert audit(response.content.decode()) == []


def test_the_static_assets_are_served_by_the_app(client: Client) -> None:
    for path in ("/static/dualpower/htmx.min.js", "/static/dualpower/dualpower.css"):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/password/change/"])
def test_the_account_pages_of_allauth_use_the_layout(as_alice: Client, url: str) -> None:
    html = _get_ok(as_alice, url)
    assert 'class="site-header"' in html


def test_an_unknown_address_is_a_404_in_the_layout(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no such page" in html and 'class="site-header"' in html
    assert audit(html) == []


def test_a_csrf_failure_is_a_403_page_in_the_layout(alice: Person) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post("/found/", {"name": "X", "kind": "union"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
