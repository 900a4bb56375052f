"""Every keyed write that goes through ``services._record`` (hours, money in and out,
reversals) stores the ledger, key and author it was given, answers a retry with its first
outcome without storing or journaling anything more, and refuses a reused key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ledger_helpers import account

from dualpower.accounts.models import Person
from dualpower.bodies.models import JournalEntry
from dualpower.core.errors import Conflict
from dualpower.ledger import services
from dualpower.ledger.models import Currency, Transfer

Write = Callable[[str], Transfer]  # the memo -> the write's outcome


def _hours(c: Currency, alice: Person, bob: Person) -> Write:
    return lambda memo: services.timebank_record(
        body=c.body, currency=c, by=alice, receiver=bob, amount=150, memo=memo, client_key="k"
    )


def _either_side(c: Currency, alice: Person, bob: Person) -> Write:
    services.ledger_settings_set(
        body=c.body, currency=c, recording="either_side_disputes", dispute_days=7,
        decision="decision test",
    )  # fmt: skip
    return _hours(c, alice, bob)


def _money_in(c: Currency, alice: Person, bob: Person) -> Write:
    return lambda memo: services.external_record(
        body=c.body, currency=c, by=alice, direction="in", amount=100, memo=memo or "x",
        client_key="k",
    )  # fmt: skip


def _reversal(c: Currency, alice: Person, bob: Person) -> Write:
    paid = services.transfer_create(
        body=c.body, by=alice, from_account=account(c, alice), to_account=account(c, bob),
        amount=42, client_key="pay",
    )  # fmt: skip
    return lambda memo: services.transfer_reverse(
        body=c.body, transfer=paid, by=None, client_key="k", memo=memo, decision="d 7"
    )


CASES = {
    "hours, receiver confirms": ("hours", _hours, Transfer.Status.PENDING, "person", ""),
    "hours, either side": ("hours", _either_side, Transfer.Status.APPLIED, "person", ""),
    "money in": ("euros", _money_in, Transfer.Status.APPLIED, "person", ""),
    "reversal by decision": ("acorns", _reversal, Transfer.Status.APPLIED, "decision", "d 7"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_keyed_write_is_stored_once_and_answers_its_retry(
    case: str, request: pytest.FixtureRequest, alice: Person, bob: Person
) -> None:
    fixture, make, status, owner, decision = CASES[case]
    currency: Currency = request.getfixturevalue(fixture)
    write = make(currency, alice, bob)
    first = write("gardening")
    stored = Transfer.objects.get(pk=first.pk)
    assert (stored.status, stored.body_id, stored.currency_id) == (
        status, currency.body_id, currency.pk,
    )  # fmt: skip
    assert (stored.client_key, stored.request_digest) == ("k", first.request_digest)
    assert stored.key_owner == (f"person:{alice.pk}" if owner == "person" else "decision:d 7")
    assert stored.created_by_id == (alice.pk if owner == "person" else None)
    assert stored.decision == decision
    transfers, entries = Transfer.objects.count(), JournalEntry.objects.count()

    again = write("gardening")
    assert (again.pk, again.status) == (first.pk, status)
    with pytest.raises(Conflict, match="already used for a different request"):
        write("something else")
    assert (Transfer.objects.count(), JournalEntry.objects.count()) == (transfers, entries)
