"""The ledger in a real browser: hours given in a time bank, confirmed by the receiver and
read on a phone's statement; a payment over the limit, corrected on its form.

Headless Chromium from ``conftest.new_page`` (which fails the test on any CSP violation or
script error), against pytest-django's live server; members sign in with a session cookie.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from dualpower.accounts.models import Person
from dualpower.bodies.services import body_found, body_join
from dualpower.ledger import services
from dualpower.ledger.models import Account, Transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A memo as members write them, with a long address in it that has no space to wrap at.
MEMO = "moved boxes at https://pantry.example.org/rota/2026/november/saturday-morning-shift"


def _balance(person: Person, code: str) -> int:
    return Account.objects.get(person=person, currency__code=code).balance


def test_hours_recorded_confirmed_and_read_on_a_phone(
    signed_in: Any, alice: Person, bob: Person
) -> None:
    body = body_found(founder=alice, name="Riverside Time Bank", kind="time_bank")
    body_join(body=body, person=bob)
    services.currency_create(body=body, kind="hours", name="Hours", code="h", by="founding")

    # alice records an hour and a half she gave bob; nothing is chosen for her.
    giver = signed_in(alice)
    giver.goto(f"/bodies/{body.slug}/ledger/h/")
    giver.get_by_role("link", name="Record hours I gave").click()
    expect(giver.get_by_label("Hours I gave to")).to_have_value("")
    giver.get_by_label("Hours I gave to").select_option(label=f"{bob.name} ({bob.email})")
    giver.get_by_label(re.compile(r"^Hours(?! I gave)")).fill("1,5")
    giver.get_by_label("What for").fill(MEMO)
    giver.get_by_role("button", name="Record hours").click()
    expect(giver.locator("body")).to_contain_text("1.50 h: recorded; it waits for confirmation")
    assert Transfer.objects.get().status == Transfer.Status.PENDING

    # bob sees it waiting on his ledger and confirms it.
    receiver = signed_in(bob)
    receiver.goto(f"/bodies/{body.slug}/ledger/")
    waiting = receiver.get_by_role("region", name="Hours waiting for your confirmation")
    expect(waiting).to_contain_text(f"{alice.name} gave you 1.50 h")
    waiting.get_by_role("button", name="Confirm").click()
    expect(receiver.locator("body")).to_contain_text("1.50 h: applied")
    assert (_balance(alice, "h"), _balance(bob, "h")) == (1_50, -1_50)  # the giver earns

    # On a phone, his statement keeps its amounts on the screen: the memo wraps instead.
    receiver.set_viewport_size({"width": 375, "height": 740})
    receiver.goto(f"/bodies/{body.slug}/ledger/h/statement/")
    row = receiver.locator("tbody tr").first
    expect(row).to_contain_text("1.50")
    for cell in (row.locator("td.num").nth(0), row.locator("td.num").nth(1)):
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375
    assert receiver.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_payment_over_the_limit_is_corrected_on_its_form(
    signed_in: Any, alice: Person, bob: Person
) -> None:
    body = body_found(founder=alice, name="Acorn Network", kind="time_bank")
    body_join(body=body, person=bob)
    acorns = services.currency_create(
        body=body, kind="mutual_credit", name="Acorns", code="acorn", decimals=2, by="founding"
    )
    services.limit_set(body=body, currency=acorns, limit=100_00, decision="d")

    payer = signed_in(alice)
    payer.goto(f"/bodies/{body.slug}/ledger/acorn/pay/")
    payer.get_by_label("Pay to").select_option(label=f"{bob.name} ({bob.email})")
    payer.get_by_label("Amount").fill("150")
    payer.get_by_role("button", name="Pay a member").click()
    expect(payer.get_by_role("alert")).to_contain_text("Refused: over the limit")
    expect(payer.get_by_label("Amount")).to_have_value("150")

    payer.get_by_label("Amount").fill("40")
    payer.get_by_role("button", name="Pay a member").click()
    expect(payer.locator("body")).to_contain_text("40.00 acorn: done")
    assert (_balance(alice, "acorn"), _balance(bob, "acorn")) == (-40_00, 40_00)
    statuses = sorted(Transfer.objects.values_list("status", flat=True))
    assert statuses == [Transfer.Status.APPLIED, Transfer.Status.REFUSED]
