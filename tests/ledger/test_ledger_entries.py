"""An applied transfer's entries are its two sides, stored on the transfer and read through
the ``ledger_entry`` view (``Entry``): exactly two per applied transfer, none otherwise."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from ledger_helpers import account, fresh, pay, record

from dualpower.accounts.models import Person
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Currency, Entry, Transfer


def sides(transfer: Transfer) -> list[tuple[int, int, int]]:
    """The transfer's entries as (account, amount, balance after), the payer's first."""
    return [(e.account_id, e.amount, e.balance_after) for e in transfer.entries.order_by("pk")]


def test_an_applied_transfer_shows_exactly_its_two_sides(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    pay(acorns, alice, bob, 5_00, "first")
    t = pay(acorns, bob, alice, 2_00, "second")
    payer, payee = fresh(account(acorns, bob)), fresh(account(acorns, alice))
    stored = Transfer.objects.get(pk=t.pk)
    assert (stored.from_balance_after, stored.to_balance_after) == (3_00, -3_00)
    assert (t.from_balance_after, t.to_balance_after) == (3_00, -3_00)  # as returned
    assert (payer.balance, payee.balance) == (3_00, -3_00)
    assert sides(t) == [(payer.pk, -2_00, 3_00), (payee.pk, 2_00, -3_00)]
    entries = list(Entry.objects.filter(transfer=t).order_by("pk"))
    assert [e.pk for e in entries] == [2 * t.pk, 2 * t.pk + 1]
    assert sum(e.amount for e in entries) == 0
    assert {e.created_at for e in entries} == {stored.settled_at}
    assert {e.body_id for e in entries} == {acorns.body_id}
    # An account's entries sum to its balance.
    assert sum(Entry.objects.filter(account=payer).values_list("amount", flat=True)) == 3_00


def test_a_refused_transfer_has_no_entries(acorns: Currency, alice: Person, bob: Person) -> None:
    t = pay(acorns, bob, alice, 100_01, "too much")
    assert t.status == Transfer.Status.REFUSED
    stored = Transfer.objects.get(pk=t.pk)
    assert (stored.from_balance_after, stored.to_balance_after) == (None, None)
    assert not Entry.objects.filter(transfer=t).exists()


def test_hours_get_their_two_sides_when_confirmed_and_none_while_pending_or_declined(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    waiting = record(hours, alice, bob, 150, "w")
    declined = record(hours, carol, bob, 50, "d")
    assert not Entry.objects.filter(transfer__in=[waiting, declined]).exists()
    services.timebank_decline(body=hours.body, record=declined, by=bob)
    done = services.timebank_confirm(body=hours.body, record=waiting, by=bob)
    assert done.status == Transfer.Status.APPLIED
    stored = Transfer.objects.get(pk=waiting.pk)
    assert (stored.from_balance_after, stored.to_balance_after) == (-150, 150)
    bobs, alices = account(hours, bob).pk, account(hours, alice).pk
    assert sides(stored) == [(bobs, -150, -150), (alices, 150, 150)]
    assert not Entry.objects.filter(transfer=declined).exists()
    assert services.ledger_verify(body=hours.body).ok


def test_a_confirmation_refused_past_the_limit_has_no_entries(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, account(hours, bob).limit + 1, "too many")  # type: ignore[operator]
    assert services.timebank_confirm(body=hours.body, record=r, by=bob).status == "refused"
    assert not Entry.objects.filter(transfer=r).exists()


def test_a_statement_lists_hours_when_they_were_confirmed(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    """A record confirmed later than a newer one comes after it, as its balance says."""
    older, newer = record(hours, alice, bob, 100, "older"), record(hours, carol, bob, 50, "newer")
    services.timebank_confirm(body=hours.body, record=newer, by=bob)
    services.timebank_confirm(body=hours.body, record=older, by=bob)
    lines = selectors.statement(account=account(hours, bob))
    assert [line.entry.transfer_id for line in lines] == [newer.pk, older.pk]
    assert [(line.amount, line.balance) for line in lines] == [
        ("-0.50", "-0.50"),
        ("-1.00", "-1.50"),
    ]


def test_entries_cannot_be_written(acorns: Currency, alice: Person, bob: Person) -> None:
    t = pay(acorns, alice, bob, 1_00, "k")
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(transfer=t).update(amount=2_00)
    assert sorted(Entry.objects.filter(transfer=t).values_list("amount", flat=True)) == [
        -1_00,
        1_00,
    ]


def test_ledger_verify_finds_a_missing_side_and_sides_on_a_refused_transfer(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    applied = pay(acorns, alice, bob, 42, "applied")
    refused = pay(acorns, bob, alice, 200_00, "refused")
    assert services.ledger_verify(body=acorns.body).ok
    Transfer.objects.filter(pk=applied.pk).update(to_balance_after=None)
    Transfer.objects.filter(pk=refused.pk).update(from_balance_after=-1, to_balance_after=1)
    text = "\n".join(services.ledger_verify(body=acorns.body).lines())
    assert f"transfer {applied.pk} does not have one debit and one credit" in text
    assert f"transfer {refused.pk} has entries but is not applied" in text
    # The refused transfer's sides count as entries: the balances no longer match them.
    assert f"has balance -42 but its entries sum to {200_00 - 42}" in text
