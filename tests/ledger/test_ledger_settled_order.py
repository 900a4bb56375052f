"""One ledger's transfers are settled in the order of their times, whichever path settled
them: a statement lists an account's entries by time, and its running balance must follow
the order in which they were applied (PostgreSQL: payments take the time under the ledger
lock, in the database, and the journal's text of that time is made there too)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_helpers import account

from dualpower.accounts.models import Person
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import JournalEntry
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Currency, Transfer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the payment function runs on PostgreSQL"
)


def _waiting_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE '%%dualpower_ledger_pay%%'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_payment_that_waited_for_the_lock_is_settled_after_what_came_in_meanwhile(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    payer, payee = account(acorns, alice), account(acorns, bob)
    locked, go = threading.Event(), threading.Event()
    inside: list[Transfer] = []
    failures: list[BaseException] = []

    def holder() -> None:
        """Holds the ledger lock until the payment below waits for it, then pays within."""
        try:
            with transaction.atomic():
                services._lock_ledger(acorns)
                locked.set()
                go.wait(timeout=30)
                inside.append(services.transfer_create(
                    body=acorns.body, by=alice, from_account=payer, to_account=payee,
                    amount=1_00, client_key="inside",
                ))  # fmt: skip
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    def waiter() -> None:
        try:
            waited.append(services.transfer_create(
                body=acorns.body, by=alice, from_account=payer, to_account=payee, amount=7,
                client_key="waited",
            ))  # fmt: skip
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    waited: list[Transfer] = []
    first = threading.Thread(target=holder)
    first.start()
    assert locked.wait(timeout=30)
    second = threading.Thread(target=waiter)
    second.start()
    deadline = time.monotonic() + 30
    while not _waiting_for_a_lock():  # the payment has been sent and waits for the lock
        assert time.monotonic() < deadline, "the payment never waited for the ledger lock"
        time.sleep(0.001)
    go.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures
    (inner,), (late,) = inside, waited
    assert inner.status == late.status == Transfer.Status.APPLIED
    assert late.settled_at > inner.settled_at
    assert Transfer.objects.get(pk=late.pk).settled_at == late.settled_at
    lines = list(selectors.statement(account=payer))
    assert [line.entry.transfer_id for line in lines] == [inner.pk, late.pk]
    assert [line.balance for line in lines] == ["-1.00", "-1.07"]  # in the order applied


@pytest.mark.django_db
def test_a_reversal_is_timed_by_the_databases_clock_as_the_payment_it_undoes(
    acorns: Currency, alice: Person, bob: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payment function reads the database's clock; a reversal (written in Python) must
    too, or a server whose clock runs behind would list it before what it reverses."""
    payer, payee = account(acorns, alice), account(acorns, bob)
    paid = services.transfer_create(
        body=acorns.body, by=alice, from_account=payer, to_account=payee, amount=3_00,
        client_key="paid",
    )  # fmt: skip
    behind = services.timezone.now() - timedelta(hours=1)
    monkeypatch.setattr(services.timezone, "now", lambda: behind)  # this server's clock
    back = services.transfer_reverse(body=acorns.body, transfer=paid, by=bob, client_key="back")
    assert back.status == Transfer.Status.APPLIED
    assert Transfer.objects.get(pk=back.pk).settled_at > paid.settled_at
    lines = list(selectors.statement(account=payer))
    assert [line.entry.transfer_id for line in lines] == [paid.pk, back.pk]
    assert [line.balance for line in lines] == ["-3.00", "0.00"]


@pytest.mark.django_db
def test_one_journal_is_timed_by_one_clock(
    acorns: Currency, alice: Person, bob: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body's journal mixes entries that Python writes (a member joins, a limit is set)
    with the payment function's: both take the database's time, so that on an app server
    whose clock runs behind, entries are still recorded in the order of their numbers."""
    payer, payee = account(acorns, alice), account(acorns, bob)
    services.transfer_create(
        body=acorns.body, by=alice, from_account=payer, to_account=payee, amount=1_00,
        client_key="first",
    )  # fmt: skip
    behind = services.timezone.now() - timedelta(hours=1)
    monkeypatch.setattr(services.timezone, "now", lambda: behind)  # this server's clock
    services.limit_set(body=acorns.body, currency=acorns, limit=50_00, decision="d")
    services.transfer_create(
        body=acorns.body, by=bob, from_account=payee, to_account=payer, amount=1_00,
        client_key="second",
    )  # fmt: skip
    entries = list(JournalEntry.objects.filter(body=acorns.body).order_by("seq"))
    kinds = [e.kind for e in entries[-3:]]
    assert kinds == ["ledger.transfer_applied", "ledger.limit_set", "ledger.transfer_applied"]
    times = [e.recorded_at for e in entries]
    assert times == sorted(times)
    assert entries[-2].recorded_at > behind + timedelta(minutes=30)
    assert journal_verify(body=acorns.body).ok


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
    ),
    whole=st.booleans(),
    zone=st.sampled_from(["UTC", "Asia/Kathmandu", "America/St_Johns", "Etc/GMT-14"]),
)
def test_the_database_writes_a_time_as_python_does(
    moment: datetime, whole: bool, zone: str
) -> None:
    """``dualpower_isoformat`` is the text the journal hashes: it must be Python's
    ``isoformat()`` of the stored value, with or without microseconds."""
    if whole:
        moment = moment.replace(microsecond=0)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [moment])  # as Django reads it back
        (stored,) = cursor.fetchone()
        cursor.execute("SET LOCAL TimeZone = %s", [zone])  # whatever the session's zone
        cursor.execute("SELECT dualpower_isoformat(%s)", [moment])
        (text,) = cursor.fetchone()
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
    assert text == stored.isoformat() == moment.isoformat()
    assert datetime.fromisoformat(text) == moment
    assert stored - moment == timedelta(0)
