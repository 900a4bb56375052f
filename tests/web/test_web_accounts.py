"""Signing up, verifying the e-mail address, signing in and out, resetting a password:
allauth's views with our layout."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from tests.conftest import PASSWORD
from web_helpers import audit

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import invitation_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 42"


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/[^\s]+)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def test_signing_up_sends_a_verification_email_and_the_link_signs_in(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "erin@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["erin@example.org"]
    page = client.get(response["Location"])
    assert "Verify Your Email Address" in page.content.decode()
    assert audit(page.content.decode()) == []
    confirm = client.get(_link(mail.outbox[0]))
    assert confirm.status_code == 200
    assert audit(confirm.content.decode()) == []
    done = client.post(_link(mail.outbox[0]))
    assert done.status_code == 302
    assert client.get("/me/bodies/").status_code == 200  # signed in by the confirmation


def test_an_unverified_person_cannot_sign_in(client: Client) -> None:
    client.post(
        "/accounts/signup/",
        {"email": "erin@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()
    client.post("/accounts/login/", {"login": "erin@example.org", "password": NEW_PASSWORD})
    assert client.get("/me/bodies/").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "not-an-address", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            "valid email",
        ),
        (
            {"email": "a@example.org", "password1": NEW_PASSWORD, "password2": "other"},
            "same password",
        ),
        ({"email": "a@example.org", "password1": "123", "password2": "123"}, "too short"),
    ],
)
def test_bad_sign_up_input_is_a_4xx_with_a_message(
    client: Client, data: dict[str, str], message: str
) -> None:
    response = client.post("/accounts/signup/", data)
    assert 400 <= response.status_code < 500
    assert message in response.content.decode()
    assert audit(response.content.decode()) == []
    assert not mail.outbox


def test_signing_in_with_a_wrong_password_is_a_4xx_with_a_message(
    client: Client, alice: Person
) -> None:
    response = client.post("/accounts/login/", {"login": alice.email, "password": "nope"})
    assert 400 <= response.status_code < 500
    assert "not correct" in response.content.decode()


def test_signing_in_and_out(client: Client, alice: Person) -> None:
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/bodies/"
    assert "Sign out" in client.get("/me/bodies/").content.decode()
    confirm = client.get("/accounts/logout/")
    assert confirm.status_code == 200 and audit(confirm.content.decode()) == []
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/me/bodies/").status_code == 302


def test_signing_in_from_an_invitation_returns_to_it(
    client: Client, assembly: Body, alice: Person, dave: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    url = f"/invitations/{token}/"
    response = client.post(
        f"/accounts/login/?next={url}", {"login": dave.email, "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_a_password_reset_sends_a_link_that_sets_a_new_password(
    client: Client, alice: Person
) -> None:
    response = client.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    form = client.get(_link(mail.outbox[0]), follow=True)
    assert form.status_code == 200 and audit(form.content.decode()) == []
    action = form.redirect_chain[-1][0] if form.redirect_chain else _link(mail.outbox[0])
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_malformed_address_for_a_password_reset_is_a_422(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nope"})
    assert response.status_code == 422
    assert "valid email" in response.content.decode()
    assert not mail.outbox
