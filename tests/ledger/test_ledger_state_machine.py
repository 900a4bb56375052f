"""A hypothesis state machine drives the ledger's services at random (open an account,
transfer, retry, retry with other content, reverse, change a limit) and compares the
database with a plain model after every step. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dualpower.accounts.models import Person
from dualpower.bodies.services import body_found, body_join
from dualpower.core.errors import Conflict
from dualpower.ledger import services
from dualpower.ledger.models import Account, Transfer

DEFAULT_LIMIT = 20_00  # the time bank's charter: 20 units below zero, 2 decimals
_bodies = itertools.count()


@dataclass
class Request:
    payer: int
    payee: int
    amount: int
    memo: str
    pk: int
    status: str


class LedgerMachine(RuleBasedStateMachine):
    people: list[Person] = []

    def __init__(self) -> None:
        super().__init__()
        founder, *others = self.people
        self.body = body_found(founder=founder, name=f"Bank {next(_bodies)}", kind="time_bank")
        for person in others:
            body_join(body=self.body, person=person)
        self.currency = services.currency_create(
            body=self.body, kind="mutual_credit", name="Seeds", code="seed", by="test"
        )
        self.accounts: dict[int, Account] = {}
        self.balance: dict[int, int] = {}
        self.limit: dict[int, int] = {}
        self.default_limit = DEFAULT_LIMIT
        self.requests: dict[str, Request] = {}
        self.applied: list[Request] = []  # applied payments, in order
        self.reversed: set[int] = set()
        self.keys = itertools.count()

    def _open(self) -> list[int]:
        return sorted(self.accounts)

    @rule(who=st.integers(0, 3))
    def open_account(self, who: int) -> None:
        person = self.people[who]
        acct = services.account_open(body=self.body, currency=self.currency, person=person)
        if who not in self.accounts:
            self.accounts[who] = acct
            self.balance[who] = 0
            self.limit[who] = self.default_limit
        assert acct.pk == self.accounts[who].pk

    @rule(data=st.data(), amount=st.integers(1, 3000), memo=st.sampled_from(["", "x"]))
    def transfer(self, data: st.DataObject, amount: int, memo: str) -> None:
        if len(self.accounts) < 2:
            return
        payer = data.draw(st.sampled_from(self._open()))
        payee = data.draw(st.sampled_from([p for p in self._open() if p != payer]))
        key = f"k{next(self.keys)}"
        t = self._pay(payer, payee, amount, memo, key)
        expect_ok = self.balance[payer] - amount >= -self.limit[payer]
        assert t.status == ("applied" if expect_ok else "refused")
        req = Request(payer, payee, amount, memo, t.pk, t.status)
        self.requests[key] = req
        if expect_ok:
            self.balance[payer] -= amount
            self.balance[payee] += amount
            self.applied.append(req)

    @rule(data=st.data(), over=st.booleans())
    def transfer_to_the_limit(self, data: st.DataObject, over: bool) -> None:
        """Pay exactly down to the payer's limit, or one unit past it: the boundary."""
        if len(self.accounts) < 2:
            return
        payer = data.draw(st.sampled_from(self._open()))
        payee = data.draw(st.sampled_from([p for p in self._open() if p != payer]))
        amount = self.balance[payer] + self.limit[payer] + (1 if over else 0)
        if amount <= 0:
            return
        key = f"k{next(self.keys)}"
        t = self._pay(payer, payee, amount, "", key)
        assert t.status == ("refused" if over else "applied")
        self.requests[key] = Request(payer, payee, amount, "", t.pk, t.status)
        if not over:
            self.balance[payer] -= amount
            self.balance[payee] += amount
            self.applied.append(self.requests[key])

    def _pay(self, payer: int, payee: int, amount: int, memo: str, key: str) -> Transfer:
        return services.transfer_create(
            body=self.body,
            by=self.people[payer],
            from_account=self.accounts[payer],
            to_account=self.accounts[payee],
            amount=amount,
            memo=memo,
            client_key=key,
        )

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        if not self.requests:
            return
        key = data.draw(st.sampled_from(sorted(self.requests)))
        req = self.requests[key]
        t = self._pay(req.payer, req.payee, req.amount, req.memo, key)
        assert (t.pk, t.status) == (req.pk, req.status)

    @rule(data=st.data(), delta=st.integers(1, 50))
    def conflicting_retry(self, data: st.DataObject, delta: int) -> None:
        if not self.requests:
            return
        key = data.draw(st.sampled_from(sorted(self.requests)))
        req = self.requests[key]
        with pytest.raises(Conflict):
            self._pay(req.payer, req.payee, req.amount + delta, req.memo, key)

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        if not self.applied:
            return
        req = data.draw(st.sampled_from(self.applied))
        transfer = Transfer.objects.get(pk=req.pk)
        key = f"r{next(self.keys)}"
        if req.pk in self.reversed:
            with pytest.raises(Conflict):
                services.transfer_reverse(
                    body=self.body, transfer=transfer, by=self.people[req.payee], client_key=key
                )
            return
        r = services.transfer_reverse(
            body=self.body, transfer=transfer, by=self.people[req.payee], client_key=key
        )
        expect_ok = self.balance[req.payee] - req.amount >= -self.limit[req.payee]
        assert r.status == ("applied" if expect_ok else "refused")
        if expect_ok:
            self.balance[req.payee] -= req.amount
            self.balance[req.payer] += req.amount
            self.reversed.add(req.pk)

    @rule(data=st.data(), limit=st.integers(0, 4000), everyone=st.booleans())
    def change_limit(self, data: st.DataObject, limit: int, everyone: bool) -> None:
        targets = self._open()
        who = None
        if not everyone:
            if not targets:
                return
            who = data.draw(st.sampled_from(targets))
            targets = [who]
        stranded = any(self.balance[p] < -limit for p in targets)
        call = dict(
            body=self.body,
            currency=self.currency,
            limit=limit,
            account=self.accounts[who] if who is not None else None,
            decision="test",
        )
        if stranded:
            with pytest.raises(Conflict):
                services.limit_set(**call)  # type: ignore[arg-type]
            return
        services.limit_set(**call)  # type: ignore[arg-type]
        for p in targets:
            self.limit[p] = limit
        if everyone:
            self.default_limit = limit

    @invariant()
    def database_matches_the_model(self) -> None:
        # One query per step: balances, limits and the sums of the entries.
        rows = Account.objects.filter(currency=self.currency).annotate(
            entries_sum=Sum("entries__amount")
        )
        got = {a.person_id: (a.balance, a.limit) for a in rows if a.kind == "member"}
        want = {self.people[p].pk: (self.balance[p], self.limit[p]) for p in self.accounts}
        assert got == want
        assert all(a.balance == (a.entries_sum or 0) for a in rows)
        assert sum(a.balance for a in rows) == 0

    def teardown(self) -> None:
        report = services.ledger_verify(body=self.body)
        assert report.ok, report.lines()


@pytest.mark.django_db
def test_the_ledger_matches_a_model_under_random_operations(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    LedgerMachine.people = [alice, bob, carol, dave]
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
