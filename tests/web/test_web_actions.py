"""Founding, inviting, joining, leaving and tokens through the pages, good input and bad:
bad input always answers a 4xx with a message, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from web_helpers import audit, signed_in

from dualpower.accounts.models import ApiToken, Person
from dualpower.accounts.services import api_token_authenticate
from dualpower.bodies import policy
from dualpower.bodies.models import Body, Invitation
from dualpower.bodies.services import invitation_accept, invitation_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_alice_founds_a_union_and_lands_on_its_page(as_alice: Client, alice: Person) -> None:
    response = as_alice.post(
        "/found/", {"name": "Bakers Union", "kind": "union", "about": "Flour.", "visibility": ""}
    )
    assert response.status_code == 302
    body = Body.objects.get(name="Bakers Union")
    assert response["Location"] == f"/bodies/{body.slug}/"
    assert policy.is_member(alice, body)
    assert "Bakers Union is founded" in as_alice.get(response["Location"]).content.decode()


def test_founding_with_a_chosen_visibility(as_alice: Client) -> None:
    as_alice.post("/found/", {"name": "Secret Circle", "kind": "caucus", "visibility": "hidden"})
    assert Body.objects.get(name="Secret Circle").charter.visibility == "hidden"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "union"}, "This field is required."),
        ({"name": "   ", "kind": "union"}, "This field is required."),
        ({"name": "x" * 121, "kind": "union"}, "at most 120 characters"),
        ({"name": "Ok", "kind": "guild"}, "Select a valid choice."),
        ({"name": "Ok", "kind": "union", "visibility": "secret"}, "Select a valid choice."),
        ({"name": "Ok", "kind": "union", "about": "a" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_to_found_a_body_is_a_422_with_a_message(
    as_alice: Client, data: dict[str, str], message: str
) -> None:
    response = as_alice.post("/found/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Body.objects.exists()


def test_an_invitation_link_is_shown_once_and_works(
    client: Client, assembly: Body, alice: Person, carol: Person
) -> None:
    response = signed_in(client, alice).post(f"/bodies/{assembly.slug}/invite/", {"note": "carol"})
    assert response.status_code == 201
    link = re.search(r'value="http://testserver(/invitations/[^/"]+/)"', response.content.decode())
    assert link is not None
    assert Invitation.objects.get(note="carol").body == assembly
    client.logout()
    signed_in(client, carol)
    assert client.get(link.group(1)).status_code == 200
    accepted = client.post(link.group(1))
    assert accepted.status_code == 302 and accepted["Location"] == f"/bodies/{assembly.slug}/"
    assert policy.is_member(carol, assembly)


def test_creating_an_invitation_with_htmx_returns_the_link_partial(
    as_alice: Client, assembly: Body
) -> None:
    response = as_alice.post(f"/bodies/{assembly.slug}/invite/", {"note": ""}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 201
    assert "<html" not in html and "/invitations/" in html


def test_a_too_long_invitation_note_is_a_422_with_a_message(
    as_alice: Client, assembly: Body
) -> None:
    before = Invitation.objects.count()
    for extra in ({}, HTMX):
        response = as_alice.post(f"/bodies/{assembly.slug}/invite/", {"note": "n" * 201}, **extra)
        assert response.status_code == 422
        assert "at most 200 characters" in response.content.decode()
    assert Invitation.objects.count() == before


def test_an_unknown_invitation_is_404(client: Client, dave: Person) -> None:
    response = signed_in(client, dave).get("/invitations/not-a-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_a_used_invitation_says_so_with_410(
    client: Client, assembly: Body, alice: Person, carol: Person, dave: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    invitation_accept(token=token, person=carol)
    signed_in(client, dave)
    for response in (client.get(f"/invitations/{token}/"), client.post(f"/invitations/{token}/")):
        assert response.status_code == 410
        assert "This invitation has already been used" in response.content.decode()
    assert not policy.is_member(dave, assembly)


def test_an_expired_invitation_says_so_with_410(
    client: Client, assembly: Body, alice: Person, dave: Person
) -> None:
    invitation, token = invitation_create(body=assembly, by=alice)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    response = signed_in(client, dave).get(f"/invitations/{token}/")
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_an_invitation_sends_a_visitor_to_sign_in_and_back(
    client: Client, assembly: Body, alice: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    html = client.get(f"/invitations/{token}/").content.decode()
    assert f'href="/accounts/login/?next=/invitations/{token}/"' in html
    assert f'href="/accounts/signup/?next=/invitations/{token}/"' in html
    assert "Accept the invitation" not in html


def test_accepting_twice_is_a_409(client: Client, assembly: Body, alice: Person) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    response = signed_in(client, alice).post(f"/invitations/{token}/")
    assert response.status_code == 409
    assert "already a member" in response.content.decode()


def test_dave_joins_an_open_assembly_with_htmx(
    client: Client, assembly: Body, dave: Person
) -> None:
    response = signed_in(client, dave).post(f"/bodies/{assembly.slug}/join/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="membership"')
    assert "You are a member of Eastside Assembly" in html
    assert policy.is_member(dave, assembly)


def test_joining_without_htmx_redirects_with_a_welcome(
    client: Client, assembly: Body, dave: Person
) -> None:
    response = signed_in(client, dave).post(f"/bodies/{assembly.slug}/join/", follow=True)
    assert "Welcome to Eastside Assembly" in response.content.decode()


def test_joining_an_invitation_only_union_is_a_403(
    client: Client, union: Body, dave: Person
) -> None:
    response = signed_in(client, dave).post(f"/bodies/{union.slug}/join/")
    assert response.status_code == 403
    assert "admits members by invitation only" in response.content.decode()


def test_joining_twice_is_a_409_also_as_an_htmx_partial(
    client: Client, assembly: Body, bob: Person
) -> None:
    response = signed_in(client, bob).post(f"/bodies/{assembly.slug}/join/", **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "<html" not in html and "already in this body" in html


def test_joining_needs_a_post(client: Client, assembly: Body, dave: Person) -> None:
    assert signed_in(client, dave).get(f"/bodies/{assembly.slug}/join/").status_code == 405


def test_bob_leaves_after_confirming(client: Client, assembly: Body, bob: Person) -> None:
    response = signed_in(client, bob).post(f"/bodies/{assembly.slug}/leave/")
    assert response.status_code == 302 and response["Location"] == "/me/bodies/"
    assert not policy.is_member(bob, assembly)


def test_leaving_a_body_one_is_not_in_is_a_409(
    client: Client, assembly: Body, dave: Person
) -> None:
    signed_in(client, dave)
    assert (
        "You are not in Eastside Assembly"
        in client.get(f"/bodies/{assembly.slug}/leave/").content.decode()
    )
    response = client.post(f"/bodies/{assembly.slug}/leave/")
    assert response.status_code == 409
    assert "is not in Eastside Assembly" in response.content.decode()


def test_the_verify_button_answers_with_a_partial(as_alice: Client, assembly: Body) -> None:
    response = as_alice.post(f"/bodies/{assembly.slug}/journal/verify/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "The chain holds" in html
    full = as_alice.post(f"/bodies/{assembly.slug}/journal/verify/").content.decode()
    assert "The chain holds" in full and "<html" in full


def test_the_verify_button_names_a_tampered_entry(as_alice: Client, assembly: Body) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a database superuser goes around the trigger
            cursor.execute("SET LOCAL session_replication_role = replica")
        assembly.journal.filter(seq=2).update(kind="forged")
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    html = as_alice.post(f"/bodies/{assembly.slug}/journal/verify/", **HTMX).content.decode()
    assert "The chain is broken at entry #2" in html


def test_an_api_token_is_shown_once_works_and_can_be_revoked(
    as_alice: Client, alice: Person
) -> None:
    response = as_alice.post("/me/tokens/", {"label": "laptop"})
    assert response.status_code == 201
    clear = re.search(r'id="new-token"[^>]*value="(dp_[^"]+)"', response.content.decode())
    assert clear is not None
    assert api_token_authenticate(clear=clear.group(1)) == alice
    assert clear.group(1) not in as_alice.get("/me/tokens/").content.decode()
    token = ApiToken.objects.get(person=alice)
    revoked = as_alice.post(f"/me/tokens/{token.pk}/revoke/", follow=True)
    assert "The token is revoked" in revoked.content.decode()
    assert api_token_authenticate(clear=clear.group(1)) is None


@pytest.mark.parametrize("label", ["", "   ", "x" * 101])
def test_a_bad_token_label_is_a_422_with_a_message(as_alice: Client, label: str) -> None:
    response = as_alice.post("/me/tokens/", {"label": label})
    assert response.status_code == 422
    assert audit(response.content.decode()) == []
    assert "field__errors" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_someone_elses_token_is_a_404(client: Client, alice: Person, bob: Person) -> None:
    from dualpower.accounts.services import api_token_create

    token, _ = api_token_create(person=bob, label="bob's")
    response = signed_in(client, alice).post(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert "No such token" in response.content.decode()


def test_a_form_post_without_csrf_is_refused(alice: Person, assembly: Body) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/found/", {"name": "X", "kind": "union"}).status_code == 403


def test_htmx_posts_carry_the_csrf_token_from_the_body_tag(alice: Person, assembly: Body) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    page = strict.get(f"/bodies/{assembly.slug}/journal/").content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert token is not None
    response = strict.post(
        f"/bodies/{assembly.slug}/journal/verify/", HTTP_X_CSRFTOKEN=token.group(1), **HTMX
    )
    assert response.status_code == 200
