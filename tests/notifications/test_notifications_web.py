from __future__ import annotations

from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.decisions.services import proposal_create, proposal_open
from dualpower.notifications.services import preference_of


def _client(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_page_lists_my_notifications_and_not_others(
    assembly: Body, alice: Person, bob: Person, dave: Person
) -> None:
    proposal_open(
        proposal=proposal_create(body=assembly, author=alice, title="Paint the hall"), by=alice
    )
    page = _client(bob).get("/me/notifications/")
    assert page.status_code == 200
    assert "Paint the hall" in page.content.decode()
    assert "Paint the hall" not in _client(dave).get("/me/notifications/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/me/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_member_chooses_the_digest(assembly: Body, bob: Person) -> None:
    response = _client(bob).post(f"/me/notifications/{assembly.slug}/", {"mode": "digest"})
    assert response.status_code == 302
    assert preference_of(person=bob, body=assembly) == "digest"


def test_a_bad_mode_is_a_422_and_an_outsider_gets_404(
    assembly: Body, bob: Person, dave: Person
) -> None:
    assert (
        _client(bob).post(f"/me/notifications/{assembly.slug}/", {"mode": "pigeon"}).status_code
        == 422
    )
    assert (
        _client(dave).post(f"/me/notifications/{assembly.slug}/", {"mode": "none"}).status_code
        == 404
    )
