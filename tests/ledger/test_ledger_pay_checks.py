"""The ``dualpower_ledger_pay`` function (migrations 0004, 0007) checks the references of a whole
batch itself, once, before it writes anything: each account of a payment exists and is of
the payment's currency and body, the two differ, the currency is the body's, and the
person who recorded it exists. A bad one aborts the batch with an IntegrityError (what a
foreign key would raise) and leaves the ledger as it was; the next good batch goes
through. The Python side never sends such a payment (it checks first): these are the
checks that keep the tables whole without their foreign keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from dualpower.accounts.models import Person
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Entry, Transfer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the function exists on PostgreSQL only"
)

MISSING = 10**12  # no row has this id


def _ledger(body: Body, people: list[Person], code: str) -> tuple[Currency, list[Account]]:
    currency = services.currency_create(
        body=body, kind="mutual_credit", name=code.capitalize(), code=code, decimals=2, by="t"
    )
    return currency, [services.account_open(body=body, currency=currency, person=p) for p in people]


@pytest.fixture
def ledgers(alice: Person, bob: Person, carol: Person, dave: Person) -> dict[str, Any]:
    """Beans and clams in one body of alice, bob and carol; corn in dave's body."""
    body = body_found(founder=alice, name="Bean Exchange", kind="time_bank")
    for person in (bob, carol):
        body_join(body=body, person=person)
    elsewhere = body_found(founder=dave, name="Corn Exchange", kind="time_bank")
    people = [alice, bob, carol]
    return {"people": people, "beans": _ledger(body, people, "bean"),
            "clams": _ledger(body, people, "clam"), "corn": _ledger(elsewhere, [dave], "corn")}  # fmt: skip


def _payment(ledgers: dict[str, Any], payer: int, payee: int, key: str) -> services._Payment:
    people = ledgers["people"]
    currency, accounts = ledgers["beans"]
    content = {"kind": "payment", "currency": currency.pk, "source": accounts[payer].pk,
               "target": accounts[payee].pk, "amount": 1_00, "memo": ""}  # fmt: skip
    return services._Payment(
        transfer=Transfer(
            body=currency.body, currency=currency, kind=Transfer.Kind.PAYMENT,
            from_account_id=accounts[payer].pk, to_account_id=accounts[payee].pk,
            amount=1_00, memo="", key_owner=f"person:{people[payer].pk}", client_key=key,
            request_digest=services._digest(**content), created_by=people[payer],
        ),
        payer=accounts[payer],
        payee=accounts[payee],
    )  # fmt: skip


def _unknown_payer(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.from_account_id = MISSING


def _unknown_payee(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.to_account_id = MISSING


def _payer_in_another_currency(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.from_account_id = ledgers["clams"][1][0].pk


def _payee_in_another_body(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.to_account_id = ledgers["corn"][1][0].pk


def _payer_paying_itself(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.to_account_id = p.transfer.from_account_id


def _recorded_by_nobody(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.created_by = Person(pk=MISSING, display_name="Nobody")


def _currency_of_another_body(p: services._Payment, ledgers: dict[str, Any]) -> None:
    p.transfer.currency = ledgers["corn"][0]


BAD = {
    "an unknown payer account": (_unknown_payer, f"account {MISSING} is not an account of"),
    "an unknown payee account": (_unknown_payee, f"account {MISSING} is not an account of"),
    "a payer account in another currency": (_payer_in_another_currency, "is not an account of"),
    "a payee account in another body": (_payee_in_another_body, "is not an account of"),
    "an account paying itself": (_payer_paying_itself, "pays itself"),
    "an unknown person recording it": (_recorded_by_nobody, f"person {MISSING} does not exist"),
    "a currency of another body": (_currency_of_another_body, "is not a currency of body"),
}


def _numbered() -> tuple[int, bool]:
    """Where the transfers' id sequence stands. A sequence is not rolled back: if the
    function had numbered a payment before raising, this would have moved (what an
    assertion on the tables after the rollback could never show)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM ledger_transfer_id_seq")
        last, called = cursor.fetchone()
    return last, called


@pytest.mark.django_db
@pytest.mark.parametrize("bad_first", [True, False], ids=["bad first", "bad last"])
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_reference_aborts_the_batch_before_settling_any_payment(
    ledgers: dict[str, Any], case: str, bad_first: bool
) -> None:
    spoil, words = BAD[case]
    good, bad = _payment(ledgers, 0, 1, "good"), _payment(ledgers, 1, 2, "bad")
    spoil(bad, ledgers)
    before = _numbered()
    with pytest.raises(IntegrityError, match=words), transaction.atomic():
        services._pay_many_sql([bad, good] if bad_first else [good, bad])
    assert _numbered() == before  # raised before settling any payment of the batch


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD))
def test_a_good_batch_after_a_bad_one_is_settled(ledgers: dict[str, Any], case: str) -> None:
    spoil: Callable[[services._Payment, dict[str, Any]], None] = BAD[case][0]
    bad = _payment(ledgers, 1, 2, "bad")
    spoil(bad, ledgers)
    with pytest.raises(IntegrityError), transaction.atomic():
        services._pay_many_sql([bad])
    before = _numbered()
    first, second = services._pay_many_sql(
        [_payment(ledgers, 0, 1, "good"), _payment(ledgers, 2, 0, "also good")]
    )
    assert _numbered() != before  # (what the aborted batches' assertion would see)
    assert isinstance(first, Transfer) and isinstance(second, Transfer)
    assert first.status == second.status == Transfer.Status.APPLIED
    currency, accounts = ledgers["beans"]
    balances = dict(Account.objects.filter(currency=currency).values_list("pk", "balance"))
    assert [balances[a.pk] for a in accounts] == [0, 1_00, -1_00]
    assert Entry.objects.filter(transfer__in=[first.pk, second.pk]).count() == 4
    assert services.ledger_verify(body=currency.body).ok
    assert journal_verify(body=currency.body).ok


@pytest.mark.django_db
def test_the_check_raises_before_taking_any_decision_on_the_batch(
    ledgers: dict[str, Any],
) -> None:
    """A key used before is answered from the table only once the whole batch checks out:
    a bad payment beside a replay still aborts the call."""
    (done,) = services._pay_many_sql([_payment(ledgers, 0, 1, "done")])
    assert isinstance(done, Transfer) and done.status == Transfer.Status.APPLIED
    bad = _payment(ledgers, 1, 2, "bad")
    _unknown_payee(bad, ledgers)
    before = _numbered()
    with pytest.raises(IntegrityError, match="is not an account of"), transaction.atomic():
        services._pay_many_sql([_payment(ledgers, 0, 1, "done"), bad])
    assert _numbered() == before
