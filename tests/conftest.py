"""Shared fixtures: named people and a few bodies.

alice founds things, bob and carol join them, dave is an outsider, erin is a union
secretary. Everyone's password is ``correct horse battery``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pytest_django import Settings

from dualpower.accounts.models import Person
from dualpower.accounts.services import person_create
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, invitation_accept, invitation_create
from dualpower.core import ownconnection

PASSWORD = "correct horse battery"

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
# run inside one unless told it is safe, which it is here (one thread, no async views).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _own_connections_closed() -> Iterator[None]:
    """A writer's own database session (core.ownconnection) ends with the test that opened
    it, so that none is left open when the test database is flushed or dropped."""
    yield
    ownconnection.close_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Full-strength PBKDF2 costs about a second per person on a busy 2-core machine;
    the tests hash with MD5 (still checked on every login) to stay fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _person(name: str) -> Person:
    return person_create(
        email=f"{name}@example.org",
        password=PASSWORD,
        display_name=name.capitalize(),
        verified=True,
    )


@pytest.fixture
def alice(db: None) -> Person:
    return _person("alice")


@pytest.fixture
def bob(db: None) -> Person:
    return _person("bob")


@pytest.fixture
def carol(db: None) -> Person:
    return _person("carol")


@pytest.fixture
def dave(db: None) -> Person:
    return _person("dave")


def join_by_invitation(body: Body, inviter: Person, person: Person) -> None:
    _, token = invitation_create(body=body, by=inviter)
    invitation_accept(token=token, person=person)


@pytest.fixture
def assembly(alice: Person, bob: Person) -> Body:
    """A public assembly of alice and bob (open admission, members see the member list)."""
    body = body_found(founder=alice, name="Eastside Assembly", kind="assembly")
    join_by_invitation(body, alice, bob)
    return body


@pytest.fixture
def union(alice: Person, bob: Person) -> Body:
    """A union: public body, member list visible only to holders of 'members.view'
    (alice, through her founding mandate)."""
    body = body_found(founder=alice, name="Tenants Union", kind="union")
    join_by_invitation(body, alice, bob)
    return body


@pytest.fixture
def caucus(alice: Person, bob: Person) -> Body:
    """A hidden caucus of alice and bob."""
    body = body_found(founder=alice, name="Left Caucus", kind="caucus", visibility="hidden")
    join_by_invitation(body, alice, bob)
    return body
