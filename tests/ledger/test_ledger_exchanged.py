"""The community's totals ("Exchanged in all", ``selectors.body_totals``) and the amount
per month (``selectors.monthly_totals``, the chart): a transfer undone by an applied
reversal counts in neither, nor does its reversal; a refused reversal undoes nothing."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import pay

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.core.errors import Conflict
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Currency, Transfer


def settled_in(month: int, *transfers: Transfer) -> None:
    when = datetime(2024, month, 15, 12, tzinfo=UTC)
    Transfer.objects.filter(pk__in=[t.pk for t in transfers]).update(settled_at=when)


def test_a_mistake_undone_counts_in_no_total(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    mistake = pay(acorns, alice, bob, 50_00, "a")  # meant 5
    back = services.transfer_reverse(body=acorns.body, transfer=mistake, by=bob, client_key="b")
    meant = pay(acorns, alice, bob, 5_00, "c")
    other = pay(acorns, carol, alice, 2_00, "d")
    assert back.status == Transfer.Status.APPLIED and back.reverses_id == mistake.pk
    settled_in(1, mistake, other)
    settled_in(2, back, meant)
    totals = selectors.body_totals(currency=acorns)
    assert (totals.volume, totals.transfers) == (7_00, 2)
    assert [(m.month, m.volume) for m in selectors.monthly_totals(currency=acorns)] == [
        (date(2024, 1, 1), 2_00),
        (date(2024, 2, 1), 5_00),
    ]


def test_a_refused_reversal_undoes_nothing(acorns: Currency, alice: Person, bob: Person) -> None:
    paid = pay(acorns, alice, bob, 5_00, "a")
    spent = pay(acorns, bob, alice, 105_00, "b")  # down to bob's limit of 100
    back = services.transfer_reverse(body=acorns.body, transfer=paid, by=bob, client_key="c")
    assert (spent.status, back.status) == (Transfer.Status.APPLIED, Transfer.Status.REFUSED)
    assert selectors.body_totals(currency=acorns).volume == 110_00
    assert sum(m.volume for m in selectors.monthly_totals(currency=acorns)) == 110_00


@pytest.mark.urls("ledger_api_urls")
def test_the_api_and_the_page_show_the_totals_without_the_undone(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    mistake = pay(acorns, alice, bob, 50_00, "a")
    services.transfer_reverse(body=acorns.body, transfer=mistake, by=bob, client_key="b")
    pay(acorns, alice, bob, 5_00, "c")
    _, token = api_token_create(person=alice, label="tests")
    r = Client().get(
        f"/api/v1/bodies/{acorns.body.slug}/ledger/acorn",
        headers={"Authorization": f"Bearer {token}"},
    )
    totals = json.loads(r.content)
    assert (totals["exchanged"], totals["transfers"]) == ("5.00", 1)
    assert [m["exchanged"] for m in totals["months"]] == ["5.00"]


def test_the_page_says_what_was_exchanged(acorns: Currency, alice: Person, bob: Person) -> None:
    mistake = pay(acorns, alice, bob, 50_00, "a")
    services.transfer_reverse(body=acorns.body, transfer=mistake, by=bob, client_key="b")
    pay(acorns, alice, bob, 5_00, "c")
    client = Client()
    client.force_login(alice)
    page = client.get(f"/bodies/{acorns.body.slug}/ledger/acorn/")
    assert page.status_code == 200 and page.context["totals"].volume == 5_00
    assert "<dd>5.00 acorn in 1 transfer" in page.content.decode()


def test_the_totals_take_the_same_queries_however_many_reversals(
    acorns: Currency, alice: Person, bob: Person, django_assert_num_queries: Any
) -> None:
    def count() -> int:
        with django_assert_num_queries(5) as queries:
            selectors.body_totals(currency=acorns)
        with django_assert_num_queries(2):
            selectors.monthly_totals(currency=acorns)
        return len(queries.captured_queries)

    count()
    for n in range(4):
        paid = pay(acorns, alice, bob, 1_00, f"p{n}")
        services.transfer_reverse(body=acorns.body, transfer=paid, by=bob, client_key=f"r{n}")
    count()
    assert selectors.body_totals(currency=acorns).volume == 0


who, month = st.integers(0, 2), st.integers(1, 3)
# (payer, payee, amount, month): a payment, refused over the limit at times
payment = st.tuples(st.just("pay"), who, who, st.integers(1, 80_00), month)
# (i, -, -, month): the payee gives back the i-th payment, if there is one
reversal = st.tuples(st.just("reverse"), st.integers(0, 20), st.just(0), st.just(0), month)
steps = st.lists(st.one_of(payment, reversal), max_size=14)


@settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(steps=steps)
def test_the_totals_are_the_applied_transfers_neither_reversed_nor_reversals(
    acorns: Currency, alice: Person, bob: Person, carol: Person,
    steps: list[tuple[str, int, int, int, int]],
) -> None:  # fmt: skip
    people = (alice, bob, carol)
    with transaction.atomic():  # each example on the same empty ledger
        payments: list[Transfer] = []
        undone: set[int] = set()
        month_of: dict[int, int] = {}
        for n, (what, a, b, amount, month) in enumerate(steps):
            if what == "pay" and a != b:
                t = pay(acorns, people[a], people[b], amount, f"k{n}")
                payments.append(t)
            elif what == "reverse" and a < len(payments):
                original = payments[a]
                payee = next(p for p in people if p.pk == original.to_account.person_id)
                try:
                    t = services.transfer_reverse(
                        body=acorns.body, transfer=original, by=payee, client_key=f"k{n}"
                    )
                except Conflict:  # reversed already, or refused then
                    continue
                if t.status == Transfer.Status.APPLIED:
                    undone.add(original.pk)
            else:
                continue
            settled_in(month, t)
            month_of[t.pk] = month
        counted = [
            t for t in payments if t.status == Transfer.Status.APPLIED and t.pk not in undone
        ]
        months: Counter[int] = Counter()
        for t in counted:
            months[month_of[t.pk]] += t.amount
        totals = selectors.body_totals(currency=acorns)
        assert (totals.volume, totals.transfers) == (sum(t.amount for t in counted), len(counted))
        by_month = {m.month.month: m.volume for m in selectors.monthly_totals(currency=acorns)}
        assert {m: v for m, v in by_month.items() if v} == {m: v for m, v in months.items() if v}
        transaction.set_rollback(True)
