"""``core.ownconnection``: one database session that whichever thread leads a batch uses,
apart from the threads' own; a forked child never touches its parent's session."""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Sequence

import pytest
from django.db import OperationalError, connection

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join
from dualpower.core.ownconnection import OwnConnection
from dualpower.ledger import services
from dualpower.ledger.models import Account, Transfer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger(alice: Person, bob: Person) -> tuple[Body, Account, Account]:
    """A mutual-credit ledger: Alice's account and Bob's."""
    body = body_found(founder=alice, name="Own session", kind="time_bank")
    body_join(body=body, person=bob)
    currency = services.currency_create(
        body=body, kind="mutual_credit", name="Beans", code="bean", by="test"
    )
    services.limit_set(body=body, currency=currency, limit=100, decision="t")
    payer = services.account_open(body=body, currency=currency, person=alice)
    return body, payer, services.account_open(body=body, currency=currency, person=bob)


def _session_id() -> int:
    """Which database session ``django.db.connection`` is right now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])
    return id(connection.connection)


def test_every_thread_uses_the_same_session_inside_and_its_own_outside() -> None:
    own = OwnConnection()
    seen: dict[str, int] = {}

    def in_thread(name: str) -> None:
        with own.use():
            seen[name] = _session_id()
        seen[name + " outside"] = _session_id()

    try:
        for name in ("first", "second"):
            thread = threading.Thread(target=in_thread, args=(name,))
            thread.start()
            thread.join(timeout=30)
        mine = _session_id()
        with own.use() as wrapper:
            assert connection.connection is wrapper.connection
            here = _session_id()
        assert seen["first"] == seen["second"] == here  # one session for all
        assert mine != here and _session_id() == mine  # the thread's own is back
        assert seen["first outside"] != here
    finally:
        own.close()


def test_a_closed_own_connection_opens_a_new_session_when_used_again() -> None:
    own = OwnConnection()
    with own.use() as first:
        before = _session_id()
    own.close()
    with own.use() as second:
        after = _session_id()
    own.close()
    assert second is not first  # a new wrapper (SQLite keeps a test's in-memory database open)
    if connection.vendor == "postgresql":
        assert after != before and first.connection is None


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not hasattr(os, "fork"),
    reason="a fork with an open SQLite in-memory database is not safe",
)
def test_a_forked_child_opens_its_own_session_and_leaves_the_parents_alone(
    alice: Person,
) -> None:
    own = OwnConnection()
    with own.use():
        parent = _session_id()
    read, write = os.pipe()
    own._lock.acquire()  # busy at the fork: the child inherits the open session
    pid = os.fork()
    if pid == 0:  # the child: report its session, then leave without clean-up
        try:  # the lock, held at the fork by a thread the child lacks, was renewed
            with own.use():
                os.write(write, str(_session_id()).encode())
        finally:
            os._exit(0)
    own._lock.release()
    os.close(write)
    answered, _, _ = select.select([read], [], [], 30)  # a child stuck on the lock: nothing
    if not answered:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode() if answered else ""
    os.close(read)
    with own.use():
        assert _session_id() == parent  # still open and working in the parent
    own.close()
    assert child and child != str(parent)


def test_payments_outside_a_transaction_are_settled_on_the_ledgers_own_session(
    ledger: tuple[Body, Account, Account],
) -> None:
    body, payer, payee = ledger
    sessions: list[int] = []
    pay_many = services._pay_many

    def spy(payments: Sequence[services._Payment]) -> list[Transfer | BaseException]:
        sessions.append(_session_id())
        return pay_many(payments)

    services._pay_many = spy
    try:
        for n in range(2):
            services.transfer_create(
                body=body, by=payer.person, from_account=payer, to_account=payee, amount=1,
                client_key=f"own-{n}",
            )  # fmt: skip
    finally:
        services._pay_many = pay_many
    with services._SESSION.use():
        ledger_session = _session_id()
    assert sessions == [ledger_session, ledger_session]
    assert _session_id() != ledger_session


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ends a PostgreSQL session")
def test_a_payment_after_the_ledgers_session_died_is_settled_on_a_new_one(
    ledger: tuple[Body, Account, Account],
) -> None:
    """Requests check their own sessions when they start; the ledger's session is checked
    by its next batch: a dead one (a restarted database) costs no request an error."""
    body, payer, payee = ledger

    def pay(key: str) -> Transfer:
        return services.transfer_create(
            body=body,
            by=payer.person,
            from_account=payer,
            to_account=payee,
            amount=1,
            client_key=key,
        )

    pay("before")
    with services._SESSION.use():
        dead = _session_id()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [dead])  # waits till gone
        assert cursor.fetchone()[0] is True
    after = pay("after")
    assert after.status == Transfer.Status.APPLIED
    with services._SESSION.use():
        assert _session_id() != dead
    assert Transfer.objects.filter(body=body, client_key="after").count() == 1


def test_a_real_database_error_on_a_live_session_is_raised_once_and_keeps_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a dead session makes a batch run again: an error of the batch itself (here a
    deadlock) on a working session older than CONN_MAX_AGE is raised after one try, and
    the warm session stays open."""
    calls: list[int] = []

    def deadlock(payments: Sequence[services._Payment]) -> list[Transfer | BaseException]:
        calls.append(len(payments))
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(services, "_pay_many_sql", deadlock)
    monkeypatch.setattr(services, "_pay_many_python", deadlock)
    with services._SESSION.use() as session:
        session.ensure_connection()
        session.close_at = 0  # opened longer ago than CONN_MAX_AGE
        before = session.connection
    with pytest.raises(OperationalError, match="deadlock"):
        services._pay_batch([])
    assert calls == [0]
    with services._SESSION.use() as session:
        assert session.connection is before
