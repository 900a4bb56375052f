"""What the leave page tells a member of their ledger: their own balances other than
zero and their records still waiting, never anyone else's; leaving stays open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from ledger_helpers import account, fresh, pay, record

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body, Membership
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Account, Currency, Transfer


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def leave_url(body: Body) -> str:
    return f"/bodies/{body.slug}/leave/"


@pytest.fixture
def credits(timebank: Body) -> Currency:
    """A second currency of the time bank, so one member can owe in one and hold in the
    other."""
    return services.currency_create(
        body=timebank, kind="mutual_credit", name="Credits", code="credit", by="founding"
    )


@pytest.fixture
def standings(
    hours: Currency, credits: Currency, alice: Person, bob: Person, carol: Person
) -> dict[str, Any]:
    """bob owes 0.25 h and holds 12.50 credit; carol's record for bob waits for him, his
    for carol waits for her; alice and carol have balances and records of their own."""
    given = record(hours, alice, bob, 25, "a-b")
    services.timebank_confirm(body=hours.body, record=given, by=bob)
    pay(credits, alice, bob, 12_50, "pay-b")
    pay(credits, carol, alice, 3_33, "pay-c")
    waiting_for_bob = record(hours, carol, bob, 1_00, "c-b")
    recorded_by_bob = record(hours, bob, carol, 50, "b-c")
    record(hours, alice, carol, 7_00, "a-c")  # between two others
    withdrawn = record(hours, bob, alice, 9_00, "b-a")
    services.timebank_withdraw(body=hours.body, record=withdrawn, by=bob)
    return {"waiting_for_bob": waiting_for_bob, "recorded_by_bob": recorded_by_bob}


def test_the_page_shows_what_the_member_owes_holds_and_has_waiting(
    standings: dict[str, Any], hours: Currency, bob: Person
) -> None:
    page = logged_in(bob).get(leave_url(hours.body))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your ledger in Riverside Time Bank" in text
    assert "you owe 0.25 h." in text
    assert "you hold 12.50 credit." in text
    assert "1 record waits for your confirmation." in text
    assert "1 record you made waits for the other side." in text
    assert f'href="/bodies/{hours.body.slug}/ledger/h/"' in text
    assert "Leaving does not clear a balance: the members decide" in text
    assert "Yes, leave" in text  # information, not a block


def test_another_members_balance_never_appears(
    standings: dict[str, Any], hours: Currency, credits: Currency, alice: Person, bob: Person
) -> None:
    assert fresh(account(credits, alice)).balance == -9_17
    text = logged_in(bob).get(leave_url(hours.body)).content.decode()
    for theirs in ("9.17", "3.33", "7.00", "9.00", "Alice", "Carol"):
        assert theirs not in text
    alices = logged_in(alice).get(leave_url(hours.body)).content.decode()
    assert "you hold 0.25 h." in alices and "you owe 9.17 credit." in alices
    assert "for your confirmation" not in alices  # bob's record for alice was withdrawn
    assert "12.50" not in alices and "0.50" not in alices


def test_the_selector_reads_the_standing_in_one_query(
    standings: dict[str, Any],
    hours: Currency,
    bob: Person,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        found = selectors.standing_of(body=hours.body, person=bob)
    by_code = {s.currency.code: s for s in found}
    assert list(by_code) == ["credit", "h"]
    assert (by_code["h"].balance, by_code["h"].to_confirm, by_code["h"].recorded) == (-25, 1, 1)
    assert (by_code["credit"].balance, by_code["credit"].to_confirm) == (12_50, 0)


def test_nothing_is_shown_for_zero_balances_and_nothing_waiting(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    account(hours, carol)  # an account at zero
    declined = record(hours, carol, bob, 1_00, "c-b")
    services.timebank_decline(body=hours.body, record=declined, by=bob)
    for person in (carol, bob):
        page = logged_in(person).get(leave_url(hours.body))
        assert page.status_code == 200
        assert b"Your ledger in" not in page.content and b"Yes, leave" in page.content
    assert selectors.standing_of(body=hours.body, person=carol) == []


def test_nothing_is_shown_in_a_body_without_a_ledger(assembly: Body, bob: Person) -> None:
    page = logged_in(bob).get(leave_url(assembly))
    assert page.status_code == 200
    assert b"Your ledger in" not in page.content and b"Yes, leave" in page.content


def test_leaving_still_works_and_keeps_the_balances_and_records(
    standings: dict[str, Any], hours: Currency, credits: Currency, bob: Person
) -> None:
    response = logged_in(bob).post(leave_url(hours.body))
    assert response.status_code == 302 and response["Location"] == "/me/bodies/"
    membership = Membership.objects.get(body=hours.body, person=bob)
    assert membership.status == Membership.Status.FORMER
    mine = Account.objects.filter(person=bob).values_list("currency__code", "balance")
    assert dict(mine) == {"h": -25, "credit": 12_50}
    for name in ("waiting_for_bob", "recorded_by_bob"):
        assert Transfer.objects.get(pk=standings[name].pk).status == Transfer.Status.PENDING


def test_records_waiting_are_shown_without_a_balance(
    hours: Currency, bob: Person, carol: Person
) -> None:
    record(hours, carol, bob, 1_00, "c-b")
    text = logged_in(carol).get(leave_url(hours.body)).content.decode()
    assert "1 record you made waits for the other side." in text
    assert re.search(r"you (owe|hold) [0-9]", text) is None
    assert "Leaving does not clear a balance" not in text
