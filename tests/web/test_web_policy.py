"""Every denial on every page: a hidden body or a forbidden tab answers exactly like a
body that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client
from web_helpers import signed_in

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found

pytestmark = pytest.mark.django_db

TABS = ["", "members/", "charter/", "mandates/", "journal/", "invite/"]


@pytest.mark.parametrize("tab", TABS)
def test_a_hidden_body_is_byte_for_byte_a_missing_one(
    client: Client, caucus: Body, dave: Person, tab: str
) -> None:
    signed_in(client, dave)
    hidden = client.get(f"/bodies/{caucus.slug}/{tab}")
    missing = client.get(f"/bodies/no-such-body/{tab}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert b"Left Caucus" not in hidden.content


@pytest.mark.parametrize("tab", ["", "members/", "charter/", "mandates/", "journal/"])
def test_the_hidden_caucus_is_404_for_anonymous_visitors_too(
    client: Client, caucus: Body, tab: str
) -> None:
    assert client.get(f"/bodies/{caucus.slug}/{tab}").status_code == 404


def test_a_forbidden_tab_is_byte_for_byte_a_missing_body(
    client: Client, assembly: Body, dave: Person
) -> None:
    signed_in(client, dave)
    forbidden = client.get(f"/bodies/{assembly.slug}/members/")
    missing = client.get("/bodies/no-such-body/members/")
    assert forbidden.status_code == 404
    assert forbidden.content == missing.content


@pytest.mark.parametrize("tab", ["members/", "journal/", "mandates/", "invite/"])
def test_a_non_member_cannot_see_a_members_only_member_list_through_any_tab(
    client: Client, assembly: Body, dave: Person, tab: str
) -> None:
    for who in (None, dave):
        client.logout()
        if who:
            signed_in(client, who)
        response = client.get(f"/bodies/{assembly.slug}/{tab}")
        assert response.status_code in (404, 302), (tab, who)
        assert b"Bob" not in response.content


def test_the_about_page_of_a_members_only_list_shows_no_names_or_count(
    client: Client, assembly: Body, dave: Person
) -> None:
    html = signed_in(client, dave).get(f"/bodies/{assembly.slug}/").content.decode()
    assert "Bob" not in html and "<dt>Members</dt>" not in html
    assert f'href="/bodies/{assembly.slug}/members/"' not in html


@pytest.mark.parametrize("tab", ["members/", "journal/"])
def test_a_union_hides_its_members_from_bob_who_holds_no_members_view(
    client: Client, union: Body, bob: Person, tab: str
) -> None:
    response = signed_in(client, bob).get(f"/bodies/{union.slug}/{tab}")
    assert response.status_code == 404
    assert response.content == client.get(f"/bodies/no-such-body/{tab}").content


def test_bob_sees_neither_the_count_nor_the_members_tab_of_the_union(
    client: Client, union: Body, bob: Person
) -> None:
    html = signed_in(client, bob).get(f"/bodies/{union.slug}/").content.decode()
    assert "<dt>Members</dt>" not in html
    assert f'href="/bodies/{union.slug}/members/"' not in html
    assert f'href="/bodies/{union.slug}/charter/"' in html


def test_alice_who_holds_members_view_sees_the_union_members(
    client: Client, union: Body, alice: Person
) -> None:
    response = signed_in(client, alice).get(f"/bodies/{union.slug}/members/")
    assert response.status_code == 200
    assert b"Bob" in response.content


def test_bob_as_a_member_of_the_union_still_sees_its_mandates(
    client: Client, union: Body, bob: Person
) -> None:
    assert signed_in(client, bob).get(f"/bodies/{union.slug}/mandates/").status_code == 200


def test_a_members_only_body_shows_its_front_page_but_not_its_charter(
    client: Client, alice: Person, dave: Person
) -> None:
    body = body_found(founder=alice, name="Quiet Group", kind="working_group")
    signed_in(client, dave)
    assert client.get(f"/bodies/{body.slug}/").status_code == 200
    assert client.get(f"/bodies/{body.slug}/charter/").status_code == 404


def test_a_body_that_only_some_may_invite_to_hides_the_invite_tab(
    client: Client, union: Body, bob: Person
) -> None:
    # The union charter names no invite power, so any member may invite: bob may.
    assert signed_in(client, bob).get(f"/bodies/{union.slug}/invite/").status_code == 200


def test_the_verify_button_is_404_for_those_who_may_not_see_the_journal(
    client: Client, assembly: Body, dave: Person
) -> None:
    response = signed_in(client, dave).post(f"/bodies/{assembly.slug}/journal/verify/")
    assert response.status_code == 404


def test_dave_cannot_join_the_hidden_caucus_it_is_404(
    client: Client, caucus: Body, dave: Person
) -> None:
    response = signed_in(client, dave).post(f"/bodies/{caucus.slug}/join/")
    assert response.status_code == 404
    assert not caucus.memberships.filter(person=dave).exists()


@pytest.mark.parametrize("url", ["/me/bodies/", "/me/tokens/", "/found/"])
def test_the_personal_pages_send_visitors_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={url}")


def test_operators_hold_no_power_inside_a_body(client: Client, caucus: Body) -> None:
    root = Person.objects.create_superuser("root@example.org", "pw-root-123")
    assert signed_in(client, root).get(f"/bodies/{caucus.slug}/").status_code == 404
