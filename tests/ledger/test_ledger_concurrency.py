"""16 clients make random transfers and retries at once against PostgreSQL: no limit is
ever breached, balances equal their entries and sum to zero, and nothing fails except the
ledger's own refusals (over a limit, a key reused with other content)."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from django.db import connection, connections

from dualpower.accounts.models import Person
from dualpower.accounts.services import person_create
from dualpower.bodies.services import body_found, body_join
from dualpower.core.errors import DomainError
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Transfer

THREADS = 16
REQUESTS = 15
LIMIT = 5_00

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer; the concurrency test needs PostgreSQL",
    ),
]


def _client(n: int, currency: Currency, accounts: list[Account], people: list[Person],
            failures: list[BaseException], barrier: threading.Barrier) -> None:  # fmt: skip
    rng = random.Random(n)
    sent: list[tuple[str, int, int, int, str, int]] = []
    try:
        barrier.wait()
        for i in range(REQUESTS):
            roll = rng.random()
            if sent and roll < 0.25:  # retry: the same outcome
                key, payer, payee, amount, _, _ = rng.choice(sent)
            else:
                payer, payee = rng.sample(range(len(accounts)), 2)
                amount, key = rng.randint(1, 3_00), f"c{n}-{i}"
            try:
                t = services.transfer_create(
                    body=currency.body, by=people[payer], from_account=accounts[payer],
                    to_account=accounts[payee],
                    amount=amount + (1 if sent and 0.25 <= roll < 0.3 else 0),
                    client_key=key,
                )  # fmt: skip
            except DomainError:
                continue  # a conflicting retry: the ledger's own refusal
            if any(s[0] == key for s in sent):
                assert next((s[4], s[5]) for s in sent if s[0] == key) == (t.status, t.pk)
            else:
                sent.append((key, payer, payee, amount, t.status, t.pk))
    except BaseException as e:  # anything else fails the test
        failures.append(e)
    finally:
        connections.close_all()


def test_sixteen_clients_never_breach_a_limit() -> None:
    people = [
        person_create(email=f"p{i}@example.org", password="pw-for-tests", display_name=f"P{i}")
        for i in range(6)
    ]
    body = body_found(founder=people[0], name="Busy Network", kind="time_bank")
    for p in people[1:]:
        body_join(body=body, person=p)
    currency = services.currency_create(
        body=body, kind="mutual_credit", name="Beans", code="bean", by="test"
    )
    services.limit_set(body=body, currency=currency, limit=LIMIT, decision="test")
    accounts = [services.account_open(body=body, currency=currency, person=p) for p in people]
    failures: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_client, args=(n, currency, accounts, people, failures, barrier))
        for n in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    report = services.ledger_verify(body=body)
    assert report.ok, report.lines()
    balances = list(Account.objects.filter(currency=currency).values_list("balance", "limit"))
    assert sum(b for b, _ in balances) == 0
    assert all(lim is None or b >= -lim for b, lim in balances)
    statuses: Any = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == {"applied", "refused"}  # the limits did bite
