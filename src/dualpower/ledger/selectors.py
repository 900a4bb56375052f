"""Reads of the ledger. ``ledger_body_for`` and ``statement_account_for`` are the two
permission questions of the ledger's pages; both ask ``bodies.policy``."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body, Membership
from dualpower.core.errors import NotFound

from .models import Account, Currency, Entry, Transfer
from .units import amount_format

NO_SUCH_BODY = "no such body"


def ledger_body_for(person: Any, slug: str) -> Body:
    """The body ``slug`` if ``person`` may see its ledger (its members may); otherwise
    the same NotFound as for a body that does not exist."""
    body = policy.body_for(person, slug, "body.view")
    if not policy.is_member(person, body):
        raise NotFound(NO_SUCH_BODY)
    return body


def statement_account_for(viewer: Any, currency: Currency, person_id: int | None) -> Account:
    """The account of person ``person_id`` (None: the viewer's own) if ``viewer`` may read
    its statement: their own, or anyone's for a holder of ``ledger.view_all``. Otherwise
    NotFound, the same as for no such account."""
    subject_id = viewer.pk if person_id is None else person_id
    if subject_id != viewer.pk and not policy.can(viewer, "ledger.view_all", currency.body):
        raise NotFound("no such account")
    account = (
        Account.objects.filter(currency=currency, person_id=subject_id)
        .select_related("person", "currency")
        .first()
    )
    if account is None:
        raise NotFound("no such account")
    return account


def body_currencies(*, body: Body) -> QuerySet[Currency]:
    return Currency.objects.filter(body=body).order_by("code")


def currency_get(*, body: Body, code: str) -> Currency:
    currency = Currency.objects.filter(body=body, code=code).select_related("body").first()
    if currency is None:
        raise NotFound("no such currency")
    return currency


def account_of(*, currency: Currency, person: Person) -> Account | None:
    return Account.objects.filter(currency=currency, person=person).first()


def member_by_email(*, body: Body, email: str) -> Person:
    """A current member of ``body`` by e-mail; NotFound for anyone else."""
    person = Person.objects.filter(
        email=email.strip().lower(),
        memberships__body=body,
        memberships__status=Membership.Status.MEMBER,
    ).first()
    if person is None:
        raise NotFound("no such member")
    return person


def payable_members(*, body: Body, exclude: Person) -> QuerySet[Person]:
    return (
        Person.objects.filter(memberships__body=body, memberships__status=Membership.Status.MEMBER)
        .exclude(pk=exclude.pk)
        .order_by("display_name", "email")
    )


def pending_for(*, body: Body, person: Person) -> QuerySet[Transfer]:
    """Hours recorded for ``person`` that wait for their confirmation."""
    return (
        Transfer.objects.filter(
            body=body, status=Transfer.Status.PENDING, from_account__person=person
        )
        .select_related("currency", "to_account__person")
        .order_by("pk")
    )


def recorded_by(*, currency: Currency, person: Person, limit: int = 20) -> QuerySet[Transfer]:
    """What ``person`` recorded lately (hours given, or received where either side
    records), with its state."""
    return (
        Transfer.objects.filter(currency=currency, created_by=person, kind=Transfer.Kind.HOURS)
        .select_related("currency", "from_account__person", "to_account__person")
        .order_by("-pk")[:limit]
    )


def disputable_for(*, currency: Currency, person: Person) -> list[Transfer]:
    """Hours recorded with ``person`` by the other side, applied, whose window to dispute
    is still open and that nobody has reversed: what ``person`` may dispute now."""
    now = timezone.now()
    records = (
        Transfer.objects.filter(
            currency=currency,
            kind=Transfer.Kind.HOURS,
            status=Transfer.Status.APPLIED,
            dispute_until__gte=now,
        )
        .filter(Q(from_account__person=person) | Q(to_account__person=person))
        .exclude(created_by=person)
        .exclude(reversals__status=Transfer.Status.APPLIED)
        .select_related("currency", "from_account__person", "to_account__person", "created_by")
        .order_by("-pk")
    )
    return list(records)


@dataclass(frozen=True)
class Standing:
    """A person's own standing in one currency of a body: what a member about to leave
    is told (the leave page). ``balance`` is None where they have no account."""

    currency: Currency
    balance: int | None
    to_confirm: int  # records waiting for their confirmation
    recorded: int  # records they made that wait for someone else's

    @property
    def amount(self) -> str:
        return amount_format(abs(self.balance or 0), self.currency.decimals)


def _pending_count(pending: QuerySet[Transfer]) -> Coalesce:
    counted = pending.values("currency").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def standing_of(*, body: Body, person: Person) -> list[Standing]:
    """The currencies of ``body`` where ``person`` holds a balance other than zero or has
    records still waiting, by code: one query, reading only their own account and the
    pending records where they are the receiver or the recorder."""
    pending = Transfer.objects.filter(currency=OuterRef("pk"), status=Transfer.Status.PENDING)
    mine = Account.objects.filter(currency=OuterRef("pk"), person=person).values("balance")
    rows = (
        Currency.objects.filter(body=body)
        .annotate(
            my_balance=Subquery(mine),
            to_confirm=_pending_count(pending.filter(from_account__person=person)),
            recorded=_pending_count(
                pending.filter(created_by=person).exclude(from_account__person=person)
            ),
        )
        .order_by("code")
    )
    found = [
        Standing(currency=c, balance=c.my_balance, to_confirm=c.to_confirm, recorded=c.recorded)
        for c in rows
    ]
    return [s for s in found if s.balance or s.to_confirm or s.recorded]


def member_accounts(*, currency: Currency) -> QuerySet[Account]:
    """Every member's account in ``currency`` (for holders of ``ledger.view_all``)."""
    return (
        Account.objects.filter(currency=currency, kind=Account.Kind.MEMBER)
        .select_related("person")
        .order_by("person__display_name", "person__email")
    )


def transfer_get(*, body: Body, pk: int, currency: Currency | None = None) -> Transfer:
    """A transfer of ``body`` (and of ``currency``, if given); NotFound otherwise."""
    found = Transfer.objects.filter(body=body, pk=pk)
    if currency is not None:
        found = found.filter(currency=currency)
    transfer = found.select_related(
        "currency", "from_account__person", "to_account__person"
    ).first()
    if transfer is None:
        raise NotFound("no such transfer")
    return transfer


@dataclass(frozen=True)
class Totals:
    currency: Currency
    members_with_accounts: int
    volume: int  # sum of the exchanged transfers (see ``transfers_exchanged``)
    transfers: int  # how many
    owed: int  # sum of the negative member balances, as a positive number
    held: int  # sum of the positive member balances
    body_accounts: list[Account]

    def fmt(self, units: int) -> str:
        return amount_format(units, self.currency.decimals)


def transfers_exchanged(*, currency: Currency) -> QuerySet[Transfer]:
    """The applied transfers of ``currency`` that count as exchanged: neither a reversal
    nor reversed (by an applied reversal), so a mistake undone counts in no total."""
    # One anti-join on the partial unique index of applied reversals (``reverses``).
    reversed_ = Transfer.objects.filter(reverses=OuterRef("pk"), status=Transfer.Status.APPLIED)
    return Transfer.objects.filter(
        currency=currency, status=Transfer.Status.APPLIED, reverses__isnull=True
    ).filter(~Exists(reversed_))


def body_totals(*, currency: Currency) -> Totals:
    agg = transfers_exchanged(currency=currency).aggregate(volume=Sum("amount"), n=Count("pk"))
    members = Account.objects.filter(currency=currency, kind=Account.Kind.MEMBER)
    held = members.filter(balance__gt=0).aggregate(s=Sum("balance"))["s"] or 0
    owed = members.filter(balance__lt=0).aggregate(s=Sum("balance"))["s"] or 0
    return Totals(
        currency=currency,
        members_with_accounts=members.count(),
        volume=agg["volume"] or 0,
        transfers=agg["n"],
        owed=-owed,
        held=held,
        body_accounts=list(
            Account.objects.filter(currency=currency, person__isnull=True)
            .select_related("body")
            .order_by("kind")
        ),
    )


@dataclass(frozen=True)
class Month:
    month: date
    volume: int
    active: int


def monthly_totals(*, currency: Currency) -> list[Month]:
    """Per month: the amount exchanged (see ``transfers_exchanged``) and how many members took
    part (had an entry, a reversed transfer's and its reversal's included), oldest first."""
    volume = dict(
        transfers_exchanged(currency=currency)
        .annotate(m=TruncMonth("settled_at"))
        .values_list("m")
        .annotate(v=Sum("amount"))
        .values_list("m", "v")
    )
    # The members with an entry, from the two sides stored on this currency's transfers
    # (its (currency, status, settled_at) index; a transfer's accounts are of its
    # currency), one branch per side, the UNION keeping one row per member and month. Not
    # through the view ledger_entry: PostgreSQL cannot push the join to the accounts into
    # its branches and reads every transfer of the instance.
    sides = Transfer.objects.filter(currency=currency).with_entries()
    payers = sides.filter(from_account__kind=Account.Kind.MEMBER).values_list(
        TruncMonth("settled_at"), "from_account"
    )
    payees = sides.filter(to_account__kind=Account.Kind.MEMBER).values_list(
        TruncMonth("settled_at"), "to_account"
    )
    active = Counter(m for m, _ in payers.order_by().union(payees.order_by()))

    def day(m: date | datetime) -> date:
        return m.date() if isinstance(m, datetime) else m

    months = sorted({day(m) for m in (*volume, *active) if m is not None})
    by_day_v = {day(m): v for m, v in volume.items() if m is not None}
    by_day_a = {day(m): n for m, n in active.items() if m is not None}
    return [Month(m, by_day_v.get(m, 0) or 0, by_day_a.get(m, 0)) for m in months]


@dataclass(frozen=True)
class Line:
    entry: Entry
    counterpart: str
    amount: str
    balance: str


def statement(*, account: Account) -> list[Line]:
    """Every entry of ``account``, oldest first, with the other side named."""
    # In the order they were applied: an entry's id follows its transfer's, and hours
    # confirmed today were recorded (and numbered) days ago. Served by the transfers'
    # (from_account, settled_at) and (to_account, settled_at) indexes.
    entries = (
        Entry.objects.filter(account=account)
        .select_related(
            "transfer",
            "transfer__from_account__person",
            "transfer__to_account__person",
            "transfer__from_account__body",
            "transfer__to_account__body",
            "transfer__reverses",
        )
        .order_by("created_at", "pk")
    )
    decimals = account.currency.decimals
    lines = []
    for e in entries:
        t = e.transfer
        other = t.to_account if e.amount < 0 else t.from_account
        lines.append(
            Line(
                entry=e,
                counterpart=other.label,
                amount=amount_format(e.amount, decimals),
                balance=amount_format(e.balance_after, decimals),
            )
        )
    return lines


# ``reverses``: the transfer (its number in the ``transfer`` column) that a give-back undoes.
CSV_HEADER = ("date", "transfer", "kind", "counterpart", "memo", "amount", "balance", "reverses")


def statement_csv(*, account: Account) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in statement(account=account):
        t = line.entry.transfer
        writer.writerow(
            (
                line.entry.created_at.isoformat(),
                t.pk,
                t.kind,
                _csv_safe(line.counterpart),
                _csv_safe(t.memo),
                line.amount,
                line.balance,
                t.reverses_id or "",
            )
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A memo is written by members; a spreadsheet must not run it as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
