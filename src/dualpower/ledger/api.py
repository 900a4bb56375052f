"""The ledger under the API: ``/api/v1/bodies/{slug}/ledger/...``.

Mount with ``api.add_router("/v1/bodies", ledger.api.router)`` (``build_router()`` makes
a fresh one, e.g. for a test API: a ninja Router belongs to one API). Operations are
thin: fetch through ``selectors.ledger_body_for`` (a non-member gets the same 404 as for a
missing body), call one service, answer. Writes take their client key from the
``Idempotency-Key`` header (or ``client_key`` in the body): a retry answers the first
outcome, a refused transfer included (422 with the transfer's id); the same key with
other content answers 409. An input with a field it does not know (a typo such as
"memmo") answers 422 naming the field, rather than dropping it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from dualpower.api.auth import READS, WRITES, person, person_or_none
from dualpower.api.errors import problem
from dualpower.api.schemas import In, Problem
from dualpower.core.errors import Invalid

from . import selectors, services
from .models import Currency, Transfer
from .units import amount_format, amount_parse

PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (401, 403, 404, 409, 422)}


class AccountOut(Schema):
    balance: str
    limit: str | None = Field(description="how far below zero it may go; null: no limit")
    ceiling: str | None


class CurrencyOut(Schema):
    code: str
    name: str
    kind: Literal["hours", "mutual_credit", "money"]
    decimals: int
    recording: Literal["receiver_confirms", "either_side_disputes"] = Field(
        description="hours: the receiver confirms, or either side records and the other "
        "may dispute within dispute_days"
    )
    dispute_days: int
    account: AccountOut | None = Field(description="your own account, if you have one")


class MonthOut(Schema):
    month: str
    exchanged: str
    active_members: int


class TotalsOut(Schema):
    currency: CurrencyOut
    members_with_accounts: int
    exchanged: str
    transfers: int
    held: str
    owed: str
    months: list[MonthOut]


class TransferOut(Schema):
    id: int
    kind: str
    status: Literal["pending", "applied", "refused", "declined"]
    reason: str
    currency: str
    amount: str
    memo: str
    from_account: int
    to_account: int
    reverses: int | None
    dispute_until: datetime | None = Field(
        description="hours recorded by either side: until when the other side may dispute"
    )
    created_at: datetime


class LineOut(Schema):
    date: datetime
    transfer: int
    kind: str
    counterpart: str
    memo: str
    amount: str
    balance: str


class StatementOut(Schema):
    person: int
    currency: str
    balance: str
    lines: list[LineOut]


class PayIn(In):
    to: str = Field(description="the e-mail address of the member to pay")
    amount: str = Field(examples=["12.50"])
    memo: str = ""
    client_key: str | None = None


class HoursIn(In):
    receiver: str | None = Field(
        default=None, description="the e-mail address of the member you gave hours to"
    )
    giver: str | None = Field(
        default=None,
        description="or: the member you received hours from (where either side records)",
    )
    hours: str = Field(examples=["1.5"])
    memo: str = ""
    client_key: str | None = None


class ExternalIn(In):
    direction: Literal["in", "out"]
    amount: str
    memo: str
    client_key: str | None = None


class AnswerIn(In):
    reason: str = Field(default="", description="declining: why (optional; the recorder is told)")


class DisputeIn(In):
    reason: str = Field(description="why the record is wrong")


class ReverseIn(In):
    memo: str = ""
    client_key: str | None = None


def _account(a: Any, decimals: int) -> AccountOut | None:
    if a is None:
        return None

    def fmt(v: int | None) -> str | None:
        return None if v is None else amount_format(v, decimals)

    return AccountOut(balance=amount_format(a.balance, decimals), limit=fmt(a.limit),
                      ceiling=fmt(a.ceiling))  # fmt: skip


def _currency(c: Currency, who: Any) -> CurrencyOut:
    mine = selectors.account_of(currency=c, person=who)
    return CurrencyOut(code=c.code, name=c.name, kind=c.kind, decimals=c.decimals,  # type: ignore[arg-type]
                       recording=c.recording, dispute_days=c.dispute_days,  # type: ignore[arg-type]
                       account=_account(mine, c.decimals))  # fmt: skip


def _transfer(t: Transfer, reader: Any) -> dict[str, Any]:
    return TransferOut(
        id=t.pk, kind=t.kind, status=t.status, reason=t.reason_for(reader.pk),  # type: ignore[arg-type]
        currency=t.currency.code, amount=amount_format(t.amount, t.currency.decimals),
        memo=t.memo, from_account=t.from_account_id, to_account=t.to_account_id,
        reverses=t.reverses_id, created_at=t.created_at,
        dispute_until=t.dispute_until if t.status == Transfer.Status.APPLIED else None,
    ).model_dump(mode="json")  # fmt: skip


def _answer(t: Transfer, reader: Any, created: int = 201) -> Status[dict[str, Any]] | HttpResponse:
    """The outcome for ``reader``, who asked for it (a refusal as they may read it)."""
    if t.status == Transfer.Status.REFUSED:
        why = t.reason_for(reader.pk)
        return problem(422, f"refused: {why}", title="Refused", transfer=t.pk)
    return Status(created, _transfer(t, reader))


def _answer_in(request: HttpRequest) -> AnswerIn:
    """The optional body of an answer to a record: none (or one that is not JSON, as
    before it had one) is no reason, since clients that confirm or withdraw send none; a
    JSON body is read as ``AnswerIn``, a field it does not know named (422) as for every
    input."""
    if request.content_type != "application/json" or not request.body.strip():
        return AnswerIn()
    try:
        data = json.loads(request.body)
    except ValueError:
        raise HttpError(400, "Cannot parse request body") from None
    try:
        return AnswerIn.model_validate(data)
    except pydantic.ValidationError as e:
        raise ValidationError(
            [{**err, "loc": ("body", "payload", *err["loc"])} for err in e.errors()]
        ) from None


def _key(header: str | None, body: str | None) -> str:
    key = header or body
    if not key:
        raise Invalid("send an Idempotency-Key header (or client_key) with every write")
    return key


def build_router() -> Router:
    router = Router(tags=["ledger"])

    @router.get("/{slug}/ledger", **READS, response={200: list[CurrencyOut], **PROBLEMS})
    def ledger(request: HttpRequest, slug: str) -> list[CurrencyOut]:
        """The body's currencies, with your own account in each. Members only."""
        body = selectors.ledger_body_for(person_or_none(request), slug)
        return [_currency(c, person_or_none(request)) for c in selectors.body_currencies(body=body)]

    @router.get("/{slug}/ledger/{code}", **READS, response={200: TotalsOut, **PROBLEMS})
    def totals(request: HttpRequest, slug: str, code: str) -> TotalsOut:
        """The community's totals in one currency, with the amount exchanged per month."""
        c = selectors.currency_get(
            body=selectors.ledger_body_for(person_or_none(request), slug), code=code
        )
        t, d = selectors.body_totals(currency=c), c.decimals
        months = [MonthOut(month=m.month.strftime("%Y-%m"), exchanged=amount_format(m.volume, d),
                           active_members=m.active) for m in selectors.monthly_totals(currency=c)]  # fmt: skip
        return TotalsOut(
            currency=_currency(c, person_or_none(request)), members_with_accounts=t.members_with_accounts,
            exchanged=amount_format(t.volume, d), transfers=t.transfers,
            held=amount_format(t.held, d), owed=amount_format(t.owed, d), months=months,
        )  # fmt: skip

    @router.get(
        "/{slug}/ledger/{code}/statement", **READS, response={200: StatementOut, **PROBLEMS}
    )
    def statement(
        request: HttpRequest, slug: str, code: str, person_id: int | None = None
    ) -> StatementOut:
        """Your statement, or a member's (``person_id``) if you hold ``ledger.view_all``."""
        c = selectors.currency_get(
            body=selectors.ledger_body_for(person_or_none(request), slug), code=code
        )
        account = selectors.statement_account_for(person_or_none(request), c, person_id)
        lines = [LineOut(date=ln.entry.created_at, transfer=ln.entry.transfer_id,
                         kind=ln.entry.transfer.kind, counterpart=ln.counterpart,
                         memo=ln.entry.transfer.memo, amount=ln.amount, balance=ln.balance)
                 for ln in selectors.statement(account=account)]  # fmt: skip
        return StatementOut(person=account.person_id or 0, currency=c.code,
                            balance=amount_format(account.balance, c.decimals), lines=lines)  # fmt: skip

    @router.post(
        "/{slug}/ledger/{code}/transfers", **WRITES, response={201: TransferOut, **PROBLEMS}
    )
    def pay(
        request: HttpRequest, slug: str, code: str, payload: PayIn,
        idempotency_key: Header[str | None] = None,
    ) -> Any:  # fmt: skip
        """Pay a member from your own account, within your limit."""
        me = person(request)
        c = selectors.currency_get(body=selectors.ledger_body_for(me, slug), code=code)
        to = selectors.member_by_email(body=c.body, email=payload.to)
        return _answer(services.transfer_create(
            body=c.body, by=me,
            from_account=services.account_open(body=c.body, currency=c, person=me),
            to_account=services.account_open(body=c.body, currency=c, person=to),
            amount=amount_parse(payload.amount, c.decimals), memo=payload.memo,
            client_key=_key(idempotency_key, payload.client_key),
        ), me)  # fmt: skip

    @router.post("/{slug}/ledger/{code}/hours", **WRITES, response={201: TransferOut, **PROBLEMS})
    def record_hours(
        request: HttpRequest, slug: str, code: str, payload: HoursIn,
        idempotency_key: Header[str | None] = None,
    ) -> Any:  # fmt: skip
        """Record hours you gave a member (``receiver``): they move once the member
        confirms. Where either side records, also hours you received (``giver``): they
        move at once, and the other side may dispute them within the window."""
        me = person(request)
        c = selectors.currency_get(body=selectors.ledger_body_for(me, slug), code=code)

        def member(email: str | None) -> Any:
            return None if email is None else selectors.member_by_email(body=c.body, email=email)

        return _answer(services.timebank_record(
            body=c.body, currency=c, by=me,
            receiver=member(payload.receiver), giver=member(payload.giver),
            amount=amount_parse(payload.hours, c.decimals), memo=payload.memo,
            client_key=_key(idempotency_key, payload.client_key),
        ), me)  # fmt: skip

    @router.post(
        "/{slug}/ledger/{code}/external", **WRITES, response={201: TransferOut, **PROBLEMS}
    )
    def external(
        request: HttpRequest, slug: str, code: str, payload: ExternalIn,
        idempotency_key: Header[str | None] = None,
    ) -> Any:  # fmt: skip
        """Record money in or out of the body's funds (power ``ledger.record_external``)."""
        me = person(request)
        c = selectors.currency_get(body=selectors.ledger_body_for(me, slug), code=code)
        return _answer(services.external_record(
            body=c.body, currency=c, by=me, direction=payload.direction,
            amount=amount_parse(payload.amount, c.decimals), memo=payload.memo,
            client_key=_key(idempotency_key, payload.client_key),
        ), me)  # fmt: skip

    @router.post(
        "/{slug}/ledger/records/{pk}/{answer}", **WRITES,
        response={200: TransferOut, **PROBLEMS},
        openapi_extra={"requestBody": {"required": False, "content": {
            "application/json": {"schema": AnswerIn.model_json_schema()}}}},
    )  # fmt: skip
    def answer_record(
        request: HttpRequest, slug: str, pk: int,
        answer: Literal["confirm", "decline", "withdraw"],
    ) -> Any:  # fmt: skip
        """Confirm (or decline, saying why if you wish) hours a member recorded for you;
        or withdraw hours you recorded while they wait (declined, with the reason
        "withdrawn by the giver"). The body is optional. Doing it twice answers the same;
        withdrawing a record already answered, 409."""
        me = person(request)
        body = selectors.ledger_body_for(me, slug)
        record = selectors.transfer_get(body=body, pk=pk)
        reason = _answer_in(request).reason
        if answer == "decline":
            done = services.timebank_decline(body=body, record=record, by=me, reason=reason)
        else:
            act = services.timebank_confirm if answer == "confirm" else services.timebank_withdraw
            done = act(body=body, record=record, by=me)
        return _answer(done, me, created=200)

    @router.post(
        "/{slug}/ledger/transfers/{pk}/reverse", **WRITES,
        response={201: TransferOut, **PROBLEMS},
    )  # fmt: skip
    def reverse(
        request: HttpRequest, slug: str, pk: int, payload: ReverseIn,
        idempotency_key: Header[str | None] = None,
    ) -> Any:  # fmt: skip
        """Give back a transfer you received (a reversing transfer that names it)."""
        me = person(request)
        body = selectors.ledger_body_for(me, slug)
        return _answer(services.transfer_reverse(
            body=body, transfer=selectors.transfer_get(body=body, pk=pk), by=me,
            client_key=_key(idempotency_key, payload.client_key), memo=payload.memo,
        ), me)  # fmt: skip

    @router.post(
        "/{slug}/ledger/{code}/transfers/{pk}/dispute", **WRITES,
        response={201: TransferOut, **PROBLEMS},
    )  # fmt: skip
    def dispute(request: HttpRequest, slug: str, code: str, pk: int, payload: DisputeIn) -> Any:
        """Dispute hours the other side recorded with you, within the window: they are
        undone by a reversing transfer (returned). Once per record; 409 after the window."""
        me = person(request)
        c = selectors.currency_get(body=selectors.ledger_body_for(me, slug), code=code)
        record = selectors.transfer_get(body=c.body, pk=pk, currency=c)
        return _answer(services.timebank_dispute(body=c.body, record=record, by=me,
                                                 reason=payload.reason), me)  # fmt: skip

    return router


router = build_router()
