"""Ledger actions of passed decisions: no treasurer spends alone, no limit changes
without the members.

Amounts are in the currency's smallest unit (hundredths of an hour, cents).
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import Field

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body
from dualpower.core.errors import Conflict
from dualpower.decisions.actions import Action, Context, Params, register

from . import services
from .models import Account, Currency, Transfer


def _currency(ctx: Context, code: str) -> Currency:
    currency = Currency.objects.filter(body=ctx.body, code=code).first()
    if currency is None:
        raise Conflict(f"{ctx.body.name} has no currency {code!r}")
    return currency


def _member_account(ctx: Context, currency: Currency, person_id: int) -> Account:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not policy.is_member(person, ctx.body):
        raise Conflict(f"person {person_id} is not a member of {ctx.body.name}")
    return services.account_open(body=ctx.body, currency=currency, person=person)


class TransferParams(Params):
    currency: str = Field(min_length=1, max_length=12)
    source: Literal["funds", "commons"] = "funds"
    to_person: int | None = Field(
        default=None, ge=1, description="a member; None: the outside world"
    )
    amount: int = Field(gt=0)
    memo: str = Field(default="", max_length=200)


@register
class TransferAction(Action):
    """Pay from the body's own account, by decision of its members."""

    name = "transfer"
    label = "Pay from the body's account"
    decision_kind = "spend"
    params_model = TransferParams

    def _accounts(self, ctx: Context) -> tuple[Account, Account]:
        assert isinstance(self.params, TransferParams)
        currency = _currency(ctx, self.params.currency)
        source = services.body_account(currency=currency, kind=self.params.source)
        if self.params.to_person is not None:
            return source, _member_account(ctx, currency, self.params.to_person)
        return source, services.body_account(currency=currency, kind="external")

    def check(self, ctx: Context) -> None:
        self._accounts(ctx)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, TransferParams)
        source, target = self._accounts(ctx)
        # One key per decision and content: carrying out the same decision twice pays once.
        content = json.dumps(self.params.model_dump(mode="json"), sort_keys=True)
        key = "decision-" + hashlib.sha256(f"{ctx.decision}|{content}".encode()).hexdigest()[:32]
        transfer = services.transfer_create(
            body=ctx.body,
            by=None,
            from_account=source,
            to_account=target,
            amount=self.params.amount,
            memo=self.params.memo,
            client_key=key,
            decision=ctx.decision,
        )
        if transfer.status != Transfer.Status.APPLIED:
            raise Conflict(f"the transfer was refused: {transfer.reason}")


class LimitParams(Params):
    currency: str = Field(min_length=1, max_length=12)
    limit: int = Field(ge=0)
    ceiling: int | None = Field(default=None, ge=0)
    person: int | None = Field(default=None, ge=1, description="one member; None: everyone")


@register
class LimitSet(Action):
    """Set how far below zero members may go (and an optional ceiling)."""

    name = "limit_set"
    label = "Set a credit limit"
    params_model = LimitParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, LimitParams)
        _currency(ctx, self.params.currency)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, LimitParams)
        currency = _currency(ctx, self.params.currency)
        account = (
            None
            if self.params.person is None
            else _member_account(ctx, currency, self.params.person)
        )
        services.limit_set(
            body=ctx.body,
            currency=currency,
            limit=self.params.limit,
            ceiling=self.params.ceiling,
            account=account,
            decision=ctx.decision,
        )


class SettingsParams(Params):
    currency: str = Field(min_length=1, max_length=12)
    recording: Literal["receiver_confirms", "either_side_disputes"] = "receiver_confirms"
    dispute_days: int = Field(default=7, ge=1, le=365)


@register
class LedgerSettings(Action):
    """Choose how hours are recorded: the receiver confirms, or either side records and
    the other may dispute within ``dispute_days``."""

    name = "ledger_settings"
    label = "Choose how hours are recorded"
    params_model = SettingsParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, SettingsParams)
        if _currency(ctx, self.params.currency).kind != Currency.Kind.HOURS:
            raise Conflict(f"{self.params.currency!r} is not an hours currency")

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, SettingsParams)
        services.ledger_settings_set(
            body=ctx.body,
            currency=_currency(ctx, self.params.currency),
            recording=self.params.recording,
            dispute_days=self.params.dispute_days,
            decision=ctx.decision,
        )


class CurrencyParams(Params):
    kind: Literal["hours", "mutual_credit", "money"]
    name: str = Field(min_length=1, max_length=60)
    code: str = Field(min_length=1, max_length=12)
    decimals: int | None = Field(default=None, ge=0, le=6)


@register
class CurrencyCreate(Action):
    """Open a ledger in a currency: hours, a mutual-credit unit, or money."""

    name = "currency_create"
    label = "Open a ledger"
    params_model = CurrencyParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, CurrencyParams)
        if Currency.objects.filter(body=ctx.body, code=self.params.code.strip().lower()).exists():
            raise Conflict(f"this body already has a currency {self.params.code!r}")

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, CurrencyParams)
        services.currency_create(
            body=ctx.body,
            kind=self.params.kind,
            name=self.params.name,
            code=self.params.code,
            decimals=self.params.decimals,
            by=ctx.decision,
        )


STARTER_CURRENCIES: dict[str, tuple[str, str, str]] = {
    "time_bank": ("hours", "Hours", "hours"),
    "credit_network": ("mutual_credit", "Credits", "credit"),
    "cooperative": ("money", "Funds", "money"),
}


def open_starter_ledger(body: Body) -> None:
    """A time bank starts with hours, a mutual-credit network with its credit unit and a
    co-operative with a money ledger; the members change any of it by decision."""
    starter = STARTER_CURRENCIES.get(body.kind)
    if starter is not None and "ledger" in body.charter.modules:
        kind, name, code = starter
        services.currency_create(body=body, kind=kind, name=name, code=code, by="founding")
