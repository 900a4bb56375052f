"""Ledger fixtures: a time bank keeping hours, a mutual-credit network, a co-op's funds.

alice founds each body; bob and carol are members; dave is an outsider.
"""

from __future__ import annotations

from typing import Any

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import (
    body_found,
    body_join,
    invitation_accept,
    invitation_create,
    mandate_grant,
    membership_admit,
)
from dualpower.ledger import services
from dualpower.ledger.models import Currency


@pytest.fixture
def timebank(alice: Person, bob: Person, carol: Person) -> Body:
    body = body_found(founder=alice, name="Riverside Time Bank", kind="time_bank")
    body_join(body=body, person=bob)
    body_join(body=body, person=carol)
    return body


@pytest.fixture
def hours(timebank: Body) -> Currency:
    return services.currency_create(
        body=timebank, kind="hours", name="Hours", code="h", by="founding"
    )


@pytest.fixture
def network(alice: Person, bob: Person, carol: Person) -> Body:
    """A members-only mutual-credit network (default limit 100 acorns)."""
    body = body_found(founder=alice, name="Acorn Network", kind="credit_network")
    for person in (bob, carol):
        _, token = invitation_create(body=body, by=alice)
        invitation_accept(token=token, person=person)
        membership_admit(body=body, person=person, admitted_by="decision test")
    return body


@pytest.fixture
def acorns(network: Body) -> Currency:
    return services.currency_create(
        body=network, kind="mutual_credit", name="Acorns", code="acorn", decimals=2, by="founding"
    )


@pytest.fixture
def coop(alice: Person, bob: Person) -> Body:
    """A co-op whose treasurer alice holds ``ledger.record_external``; bob does not."""
    body = body_found(founder=alice, name="Bakery Co-op", kind="cooperative")
    _, token = invitation_create(body=body, by=alice)
    invitation_accept(token=token, person=bob)
    membership_admit(body=body, person=bob, admitted_by="decision test")
    mandate_grant(
        body=body,
        holder=alice,
        role="Treasurer",
        powers=["ledger.record_external"],
        term_days=365,
        granted_by="decision test",
    )
    return body


@pytest.fixture
def euros(coop: Body) -> Currency:
    return services.currency_create(body=coop, kind="money", name="Euro", code="eur", by="founding")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The named people are created with a password; the real hasher would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_starter_ledgers(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests open their currencies themselves (codes h, acorn, eur); founding's
    starter ledgers are tested in test_ledger_actions.py."""
    from dualpower.bodies import services as body_services

    monkeypatch.setattr(body_services, "ON_FOUNDED", [])
