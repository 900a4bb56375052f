"""Listings fixtures: a mutual-aid hub and a time bank.

alice founds both and coordinates the hub (a mandate with ``aid.triage``); bob and carol
are members; dave is an outsider.
"""

from __future__ import annotations

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join, mandate_grant
from dualpower.ledger.models import Currency
from dualpower.ledger.services import currency_create
from dualpower.listings import services


@pytest.fixture
def hub(alice: Person, bob: Person, carol: Person) -> Body:
    body = body_found(founder=alice, name="Northside Mutual Aid", kind="mutual_aid")
    body_join(body=body, person=bob)
    body_join(body=body, person=carol)
    mandate_grant(
        body=body,
        holder=alice,
        role="Intake coordinator",
        powers=["aid.triage"],
        term_days=30,
        granted_by="test decision",
    )
    services.hub_settings_update(
        body=body,
        by="test decision",
        areas=["Riverside", "Old Town"],
        intake_fields=["name", "phone", "email"],
    )
    return body


@pytest.fixture
def timebank(alice: Person, bob: Person, carol: Person) -> Body:
    body = body_found(founder=alice, name="Hill Time Bank", kind="time_bank")
    body_join(body=body, person=bob)
    body_join(body=body, person=carol)
    return body


@pytest.fixture
def hours(timebank: Body) -> Currency:
    return currency_create(body=timebank, kind="hours", name="Hours", code="h", by="founding")
