"""Payments settled in batches (see docs/ledger.md, "Speed"): a batch that fails as a
whole is retried one payment at a time, so the good ones still apply; and on PostgreSQL a
batch never waits for a second ledger's lock while holding one (it settles the busy
ledger's payments afterwards), so it cannot deadlock with a change that locks two bodies
in another order."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, connections, transaction

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join
from dualpower.core.groupcommit import GroupCommit
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Transfer

pytestmark = pytest.mark.django_db(transaction=True)


def _ledger(name: str, founder: Person, member: Person) -> tuple[Currency, list[Account]]:
    body = body_found(founder=founder, name=name, kind="time_bank")
    body_join(body=body, person=member)
    currency = services.currency_create(
        body=body, kind="mutual_credit", name="Beans", code="bean", by="test"
    )
    services.limit_set(body=body, currency=currency, limit=100_00, decision="test")
    accounts = [services.account_open(body=body, currency=currency, person=p)
                for p in (founder, member)]  # fmt: skip
    return currency, accounts


def _pay(currency: Currency, accounts: list[Account], payer: Person, key: str,
         amount: int = 1_00, to_account_id: int | None = None) -> services._Payment:  # fmt: skip
    to = to_account_id if to_account_id is not None else accounts[1].pk
    return services._Payment(
        transfer=Transfer(
            body=currency.body, currency=currency, kind=Transfer.Kind.PAYMENT,
            from_account_id=accounts[0].pk, to_account_id=to, amount=amount,
            key_owner=f"person:{payer.pk}", client_key=key,
            request_digest=services._digest(key=key, to=to, amount=amount), created_by=payer,
        ),
        payer=accounts[0],
        payee=accounts[1],
    )  # fmt: skip


def test_a_batch_that_fails_is_retried_one_by_one_and_the_good_payments_apply(
    alice: Person, bob: Person
) -> None:
    currency, accounts = _ledger("Batch Bank", alice, bob)
    good, bad, also_good = (
        _pay(currency, accounts, alice, "good"),
        _pay(currency, accounts, alice, "bad"),
        _pay(currency, accounts, alice, "also good"),
    )
    # Made by nobody: the foreign key fails, on SQLite at COMMIT, after every row of the
    # batch was written (the good transfers had their ids already).
    bad.transfer.created_by_id = 10**9
    outcomes = GroupCommit(services._pay_many)._outcomes([good, bad, also_good])
    assert isinstance(outcomes[0], Transfer) and isinstance(outcomes[2], Transfer)
    assert outcomes[0].status == outcomes[2].status == Transfer.Status.APPLIED
    assert isinstance(outcomes[1], (DatabaseError, ObjectDoesNotExist))
    stored = Transfer.objects.filter(currency=currency).order_by("pk")
    assert [t.client_key for t in stored] == ["good", "also good"]
    assert Account.objects.get(pk=accounts[1].pk).balance == 2_00
    assert services.ledger_verify(body=currency.body).ok


def test_a_payment_applied_in_a_failed_batch_but_refused_alone_is_stored_without_sides(
    alice: Person, bob: Person
) -> None:
    """In the failed batch the bad payment came first and left room under the limit; alone,
    the second is refused: it must not keep the balances it had in the failed attempt
    (its entries would show a refused transfer)."""
    currency, accounts = _ledger("Retry Bank", alice, bob)
    back = list(reversed(accounts))
    bad = _pay(currency, accounts, alice, "bad", amount=50_00)  # alice -> bob
    bad.transfer.created_by_id = 10**9  # made by nobody: the whole batch fails
    over = _pay(currency, back, bob, "over", amount=125_00)  # bob -> alice: 150 - 125 ok
    over.payer, over.payee = back[0], back[1]
    outcomes = GroupCommit(services._pay_many)._outcomes([bad, over])
    assert isinstance(outcomes[0], (DatabaseError, ObjectDoesNotExist))
    refused = outcomes[1]
    assert isinstance(refused, Transfer) and refused.status == Transfer.Status.REFUSED
    assert (refused.from_balance_after, refused.to_balance_after) == (None, None)
    stored = Transfer.objects.get(pk=refused.pk)
    assert (stored.from_balance_after, stored.to_balance_after) == (None, None)
    assert not stored.entries.exists()
    assert services.ledger_verify(body=currency.body).ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_batch_settles_a_free_ledger_at_once_and_a_busy_one_when_it_is_free(
    alice: Person, bob: Person
) -> None:
    first, first_accounts = _ledger("First Bank", alice, bob)
    second, second_accounts = _ledger("Second Bank", alice, bob)
    assert first.body_id < second.body_id
    held, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def hold_the_second_ledger() -> None:
        with transaction.atomic():
            Body.objects.select_for_update().filter(pk=second.body_id).get()
            held.set()
            release.wait(timeout=30)
        connections.close_all()

    def settle() -> None:
        try:
            results["outcomes"] = services._pay_many_sql([
                _pay(second, second_accounts, alice, "in the busy ledger"),
                _pay(first, first_accounts, alice, "in the free ledger"),
            ])  # fmt: skip
        except BaseException as error:
            results["error"] = error
        connections.close_all()

    holder = threading.Thread(target=hold_the_second_ledger)
    holder.start()
    assert held.wait(timeout=30)
    payer = threading.Thread(target=settle)
    payer.start()
    deadline = time.monotonic() + 30
    while not Transfer.objects.filter(client_key="in the free ledger").exists():
        assert time.monotonic() < deadline, "the free ledger's payment waited for the busy one"
        time.sleep(0.01)
    assert not Transfer.objects.filter(client_key="in the busy ledger").exists()
    release.set()
    holder.join(timeout=30)
    payer.join(timeout=30)
    assert "error" not in results, results.get("error")
    busy, free = results["outcomes"]
    assert busy.client_key == "in the busy ledger" and busy.status == Transfer.Status.APPLIED
    assert free.client_key == "in the free ledger" and free.status == Transfer.Status.APPLIED
    assert Transfer.objects.get(client_key="in the busy ledger").pk == busy.pk
    assert services.ledger_verify(body=second.body).ok
