"""On PostgreSQL a batch of payments is settled by one call of the ``dualpower_ledger_pay``
function (migration 0003); the Python implementation is the reference (it is what SQLite
runs). The same random batches go through both, in two bodies set up alike: the answers,
the balances, the transfers' two sides (the entries) and the journal must agree, and the
function's journal hashes must be exactly those ``journal verify`` recomputes in Python."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualpower.accounts.models import Person
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body, JournalEntry
from dualpower.bodies.services import body_found, body_join
from dualpower.core.errors import Conflict
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Entry, Transfer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the function exists on PostgreSQL only"
)

MEMOS = ["", "rent", 'a "quoted" memo', "back\\slash", "naïve café ☕", "tab\tand\nnewline", "🌱"]
_example = itertools.count()


def _ledger(name: str, people: list[Person]) -> tuple[Currency, list[Account]]:
    body = body_found(founder=people[0], name=name, kind="time_bank")
    for person in people[1:]:
        body_join(body=body, person=person)
    currency = services.currency_create(
        body=body, kind="mutual_credit", name="Beans", code="bean", decimals=2, by="test"
    )
    services.limit_set(body=body, currency=currency, limit=10_00, ceiling=15_00, decision="t")
    accounts = [services.account_open(body=body, currency=currency, person=p) for p in people]
    return currency, accounts


@pytest.fixture
def twins(alice: Person, bob: Person, carol: Person, dave: Person) -> dict[str, Any]:
    people = [alice, bob, carol, dave]
    return {"people": people, "sql": _ledger("By function", people),
            "python": _ledger("By Python", people)}  # fmt: skip


def _payment(currency: Currency, accounts: list[Account], people: list[Person],
             payer: int, payee: int, amount: int, memo: str, key: str) -> services._Payment:  # fmt: skip
    content = {"kind": "payment", "currency": currency.pk, "source": accounts[payer].pk,
               "target": accounts[payee].pk, "amount": amount, "memo": memo}  # fmt: skip
    return services._Payment(
        transfer=Transfer(
            body=currency.body, currency=currency, kind=Transfer.Kind.PAYMENT,
            from_account_id=accounts[payer].pk, to_account_id=accounts[payee].pk,
            amount=amount, memo=memo, key_owner=f"person:{people[payer].pk}",
            client_key=key, request_digest=services._digest(**content),
            created_by=people[payer],
        ),
        payer=accounts[payer],
        payee=accounts[payee],
    )  # fmt: skip


def _answer(outcome: Transfer | BaseException) -> tuple[Any, ...]:
    if isinstance(outcome, Conflict):
        return ("conflict",)
    assert isinstance(outcome, Transfer), outcome
    return (outcome.status, outcome.reason, outcome.amount, outcome.memo, outcome.client_key)


def _sides(currency: Currency) -> list[tuple[Any, ...]]:
    """Each transfer in order with its two sides, stored and as entries, by person."""
    transfers = Transfer.objects.filter(currency=currency).select_related(
        "from_account", "to_account"
    )
    entries: dict[int, list[tuple[Any, ...]]] = {}
    for e in Entry.objects.filter(transfer__currency=currency).select_related("account"):
        entries.setdefault(e.transfer_id, []).append(
            (e.account.person_id, e.amount, e.balance_after)
        )
    return [
        (t.status, t.from_account.person_id, t.to_account.person_id, t.from_balance_after,
         t.to_balance_after, sorted(entries.get(t.pk, []), key=lambda e: e[1]))
        for t in transfers.order_by("pk")
    ]  # fmt: skip


def _journal_tail(body: Body, since: int) -> list[dict[str, Any]]:
    """The payloads appended after ``since``, without the ids that differ by body."""
    out = []
    for entry in JournalEntry.objects.filter(body=body, seq__gt=since).order_by("seq"):
        payload = dict(entry.payload)
        payload.pop("transfer")
        for side in ("from", "to"):
            payload[side] = payload[side]["person"]
        out.append(payload)
    return out


payments = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(1, 3),
        st.integers(1, 9_00),
        st.sampled_from(MEMOS),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(batch=payments, split=st.integers(1, 12))
def test_the_function_and_the_python_reference_agree(
    twins: dict[str, Any], batch: list[tuple[int, int, int, str, int]], split: int
) -> None:
    people = twins["people"]
    prefix = f"x{next(_example)}"
    answers: dict[str, list[tuple[Any, ...]]] = {}
    for way, settle in (("sql", services._pay_many_sql), ("python", services._pay_many_python)):
        currency, accounts = twins[way]
        since = JournalEntry.objects.filter(body=currency.body).count()
        requests = [
            # A key from a small pool: some requests retry, some reuse a key for other content.
            _payment(currency, accounts, people, payer, (payer + shift) % 4,
                     amount if key % 2 else 1_00, memo, f"{prefix}-{key}")
            for payer, shift, amount, memo, key in batch
        ]  # fmt: skip
        outcomes: list[Transfer | BaseException] = []
        for start in range(0, len(requests), split):
            outcomes += settle(requests[start : start + split])
        answers[way] = [_answer(o) for o in outcomes]
        answers[way + " balances"] = [
            (a.person_id, a.balance) for a in Account.objects.filter(currency=currency)
            .exclude(person=None).order_by("person_id")
        ]  # fmt: skip
        answers[way + " journal"] = _journal_tail(currency.body, since)  # type: ignore[assignment]
        answers[way + " sides"] = _sides(currency)
        report = services.ledger_verify(body=currency.body)
        assert report.ok, report.lines()
        assert journal_verify(body=currency.body).ok
    assert answers["sql"] == answers["python"]
    assert answers["sql balances"] == answers["python balances"]
    assert answers["sql journal"] == answers["python journal"]
    assert answers["sql sides"] == answers["python sides"]


@pytest.mark.django_db
def test_the_function_refuses_over_the_limit_and_the_ceiling_with_the_same_words(
    twins: dict[str, Any],
) -> None:
    people = twins["people"]
    currency, accounts = twins["sql"]
    over_limit, first, over_ceiling = services._pay_many_sql(
        [
            _payment(currency, accounts, people, 0, 1, 10_01, "", "limit"),
            _payment(currency, accounts, people, 2, 3, 9_00, "", "first"),
            _payment(currency, accounts, people, 1, 3, 6_01, "", "ceiling"),  # 15.01 for Dave
        ]
    )
    assert isinstance(over_limit, Transfer) and isinstance(over_ceiling, Transfer)
    assert isinstance(first, Transfer) and first.status == Transfer.Status.APPLIED
    assert over_limit.status == over_ceiling.status == Transfer.Status.REFUSED
    assert over_limit.reason == "over the limit: Alice may not go below -10.00 bean"
    assert over_ceiling.reason == "over the ceiling: Dave may not hold more than 15.00 bean"
    assert not Entry.objects.filter(transfer__in=[over_limit.pk, over_ceiling.pk]).exists()
    stored = Transfer.objects.get(pk=over_limit.pk)
    assert (stored.status, stored.reason) == (over_limit.status, over_limit.reason)
