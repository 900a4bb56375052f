"""Writes to the ledger: currencies, accounts, transfers, reversals, limits, hours and a
body's outside money. Each validates, asks ``bodies.policy``, changes the balances with
their entries and journals, all in one transaction.

Concurrency. Every write to a ledger first takes the ledger lock (``_lock_ledger``) and
only then reads balances and client keys. Under READ COMMITTED each statement after the
lock sees every transfer committed before it, so the limit checks, the idempotency
look-up and the balance updates run one at a time per ledger, while other bodies' ledgers
proceed in parallel. The lock is the body's row (``SELECT ... FOR UPDATE``) rather than
the currency's: ``journal_append`` locks the body row in the same transaction anyway, so
a second, per-currency lock would add a round trip and no parallelism, and taking the
body first keeps one lock order with every service that journals (a decision's actions
journal and then transfer): no deadlock. The CHECK constraints on ``Account`` are the
last guard: a bug that skipped the lock would fail loudly rather than overdraw. On
SQLite, writers are serialised by the IMMEDIATE transactions set in settings.

Payments are settled in batches (``_pay_many``; docs/ledger.md, "Speed"): concurrent
requests of one process share a transaction, on PostgreSQL one call of the
``dualpower_ledger_pay`` function. A batch may span several ledgers; it waits for the
lock of one of them only (holding none) and takes the others only if free, settling the
payments of a busy one right after: so a batch never deadlocks with a change that locks
two bodies in another order (a decision that joins a federation).

Idempotency. A request carries a client key, unique per body and requester. The first
request with a key stores its outcome, applied or refused, with a digest of its content;
the same key with the same content answers that stored outcome (a refusal stays a
refusal even after balances change); the same key with other content is a Conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.journal import (
    canonical_json,
    journal_append,
    journal_append_many,
    person_ref,
)
from dualpower.bodies.models import Body
from dualpower.core.errors import Conflict, Invalid, NotAllowed, NotFound
from dualpower.core.groupcommit import GroupCommit
from dualpower.core.ownconnection import OwnConnection
from dualpower.core.sql import database_now, insert_many, select_where_in, update_by_pk
from dualpower.notifications.services import notify_persons

from .models import WITHDRAWN, Account, Currency, Transfer
from .units import MAX_AMOUNT, amount_format

MAX_KEY = 100
MAX_MEMO = 200


# ---------------------------------------------------------------- helpers


def _lock_ledger(currency: Currency, *, fresh: bool = False) -> Currency:
    """Take the ledger lock (see the module docstring); with ``fresh``, re-read the
    currency (its default limit) under it."""
    select_where_in(Body, ["id"], {"id": [currency.body_id]}, lock=True)
    return Currency.objects.get(pk=currency.pk) if fresh else currency


def _clean_key(client_key: str) -> str:
    key = client_key.strip() if isinstance(client_key, str) else ""
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise Invalid(f"a transfer needs a client key of 1 to {MAX_KEY} printable characters")
    return key


def _clean_memo(memo: str, *, what: str = "the memo") -> str:
    """A text a member writes (a memo, a reason), stripped; Invalid if it cannot be
    stored."""
    memo = memo.strip()
    if len(memo) > MAX_MEMO:
        raise Invalid(f"{what} is longer than {MAX_MEMO} characters")
    if "\x00" in memo:  # PostgreSQL's text cannot hold it
        raise Invalid(f"{what} contains a NUL character")
    return memo


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise Invalid("the amount must be a whole number of units, more than zero")


def _digest(**content: Any) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def _replay(*, body: Body, key_owner: str, client_key: str, digest: str) -> Transfer | None:
    """The stored outcome of an earlier request with this key, if any (call under lock)."""
    earlier = _known({(body.pk, key_owner, client_key)}).get((body.pk, key_owner, client_key))
    if earlier is not None and earlier.request_digest != digest:
        raise _key_reused()
    return earlier


@dataclass
class _Side:
    """An account's state under the ledger lock."""

    pk: int
    kind: str
    person_id: int | None
    balance: int
    limit: int | None
    ceiling: int | None


def _sides(ids: set[int]) -> dict[int, _Side]:
    fields = ["id", "kind", "person", "balance", "limit", "ceiling"]
    return {row[0]: _Side(*row) for row in select_where_in(Account, fields, {"id": sorted(ids)})}


def _label(pk: int) -> str:
    return Account.objects.select_related("person", "body").get(pk=pk).label


def _refusal(payer: _Side, payee: _Side, amount: int, currency: Currency) -> str:
    code = currency.code
    if payer.limit is not None and payer.balance - amount < -payer.limit:
        floor = amount_format(-payer.limit, currency.decimals)
        return f"over the limit: {_label(payer.pk)} may not go below {floor} {code}"
    if payee.ceiling is not None and payee.balance + amount > payee.ceiling:
        top = amount_format(payee.ceiling, currency.decimals)
        return f"over the ceiling: {_label(payee.pk)} may not hold more than {top} {code}"
    return ""


def _side_ref(side: _Side | Account) -> dict[str, Any]:
    ref: dict[str, Any] = {"account": side.pk, "kind": side.kind}
    if side.person_id is not None:
        ref["person"] = side.person_id
    return ref


def _made_by(transfer: Transfer) -> str:
    """Who made a transfer, as its journal entry says: the person ("person:<id>"), else
    the decision ("decision:<ref>"). Not simply the key's owner: a dispute's key is owned
    by "dispute:<id>" only to keep it apart from the person's own keys."""
    if transfer.created_by_id is not None:
        return f"person:{transfer.created_by_id}"
    return transfer.key_owner


def _settle(transfer: Transfer, *, currency: Currency) -> Transfer:
    """Apply ``transfer`` or refuse it, under the ledger lock (see ``_apply_many``)."""
    _apply_many([transfer], currencies={currency.pk: currency})
    return transfer


def _record(
    *,
    body: Body,
    currency: Currency,
    by: Person | None,
    key_owner: str,
    client_key: str,
    digest: str,
    build: Callable[[Currency], Transfer],
    decision: str = "",
    fresh: bool = False,
    replay: bool = True,
    after: Callable[[Transfer, Currency], None] | None = None,
) -> Transfer:
    """Record one transfer in one transaction, under the ledger lock (with ``fresh``, the
    currency re-read under it). The stored outcome if ``client_key`` was used before (a
    Conflict if with other content; ``replay=False`` where ``build``'s checks answer a
    retry themselves). Else ``build`` checks what it reads under the lock (raising to
    refuse) and makes the transfer's own part (kind, accounts, amount, memo); this one
    fills in the ledger, the key and the author, settles it (stores it as it is if it is
    pending, waiting for confirmation) and hands it to ``after`` (its journal entry; a
    raise there rolls the whole record back)."""
    with transaction.atomic():
        locked = _lock_ledger(currency, fresh=fresh)
        if replay:
            earlier = _replay(body=body, key_owner=key_owner, client_key=client_key, digest=digest)
            if earlier is not None:
                return earlier
        transfer = build(locked)
        transfer.body, transfer.currency, transfer.created_by = body, locked, by
        transfer.key_owner, transfer.client_key = key_owner, client_key
        transfer.request_digest, transfer.decision = digest, decision
        if transfer.status == Transfer.Status.PENDING:
            transfer.save()
        else:
            _settle(transfer, currency=locked)
        if after is not None:
            after(transfer, locked)
    return transfer


def _reversal(original: Transfer, *, memo: str) -> Transfer:
    """The own part (see ``_record``) of a transfer the other way that undoes ``original``."""
    return Transfer(
        kind=Transfer.Kind.REVERSAL,
        from_account_id=original.to_account_id,
        to_account_id=original.from_account_id,
        amount=original.amount,
        memo=memo,
        reverses=original,
    )


_TRANSFER_COLUMNS = (
    "body", "currency", "kind", "from_account", "to_account", "amount", "memo", "reverses",
    "status", "reason", "key_owner", "client_key", "request_digest", "created_by", "decision",
    "dispute_until", "created_at", "settled_at", "from_balance_after", "to_balance_after",
)  # fmt: skip


def _apply_many(transfers: Sequence[Transfer], *, currencies: Mapping[int, Currency]) -> None:
    """Apply each transfer in order, or refuse it over a limit, under the ledger locks of
    their bodies: each sees the balances the ones before it left. Stores the transfers
    (new, or pending ones being confirmed) with the two sides of the applied ones (their
    entries: the balances after them, see ``Entry``), the balances and the journal entries
    of the applied ones: a handful of statements for the whole batch, written with
    ``core.sql`` rather than the ORM (see there why)."""
    sides = _sides({t.from_account_id for t in transfers} | {t.to_account_id for t in transfers})
    now = database_now()
    applied: list[tuple[Transfer, _Side, _Side]] = []
    for transfer in transfers:
        payer, payee = sides[transfer.from_account_id], sides[transfer.to_account_id]
        reason = _refusal(payer, payee, transfer.amount, currencies[transfer.currency_id])
        transfer.status = Transfer.Status.REFUSED if reason else Transfer.Status.APPLIED
        transfer.reason = reason
        transfer.settled_at = now
        transfer.from_balance_after = transfer.to_balance_after = None
        if reason:
            continue
        payer.balance -= transfer.amount
        payee.balance += transfer.amount
        transfer.from_balance_after, transfer.to_balance_after = payer.balance, payee.balance
        applied.append((transfer, payer, payee))
    for transfer in transfers:
        if transfer.pk is not None:  # a pending record being confirmed
            transfer.save(update_fields=["status", "reason", "settled_at", "from_balance_after",
                                         "to_balance_after"])  # fmt: skip
    new = [t for t in transfers if t.pk is None]
    ids = insert_many(
        Transfer,
        _TRANSFER_COLUMNS,
        [
            (t.body_id, t.currency_id, t.kind, t.from_account_id, t.to_account_id, t.amount,
             t.memo, t.reverses_id, t.status, t.reason, t.key_owner, t.client_key,
             t.request_digest, t.created_by_id, t.decision,
             t.dispute_until, now, now, t.from_balance_after, t.to_balance_after)
            for t in new
        ],
        returning=("id", "body", "key_owner", "client_key"),
    )  # fmt: skip
    by_key = {(body, owner, key): pk for pk, body, owner, key in ids}
    for transfer in new:
        transfer.pk = by_key[(transfer.body_id, transfer.key_owner, transfer.client_key)]
        transfer.created_at = now
        transfer._state.adding = False
    if not applied:
        return
    # Absolute balances are safe: every writer of a balance holds the ledger lock.
    moved = {side.pk for _, payer, payee in applied for side in (payer, payee)}
    update_by_pk(Account, "balance", {pk: sides[pk].balance for pk in moved})
    journal: dict[int, tuple[Body, list[tuple[str, dict[str, Any]]]]] = {}
    for t, payer, payee in applied:
        _, lines = journal.setdefault(t.body_id, (t.body, []))
        lines.append(
            (
                "ledger.transfer_applied",
                {
                    "transfer": t.pk,
                    "kind": t.kind,
                    "currency": currencies[t.currency_id].code,
                    "amount": t.amount,
                    "from": _side_ref(payer),
                    "to": _side_ref(payee),
                    "memo": t.memo,
                    "reverses": t.reverses_id,
                    "by": _made_by(t),
                },
            )
        )
    for body, lines in journal.values():
        journal_append_many(body=body, entries=lines)


def _same_body(body: Body, *accounts: Account) -> Currency:
    currency = accounts[0].currency
    for account in accounts:
        if account.body_id != body.pk or account.currency_id != currency.pk:
            raise Invalid("both accounts must belong to this body and to one currency")
    return currency


def _charter_units(body: Body, currency: Currency) -> tuple[int, int | None]:
    """The charter's default limit and ceiling, in the currency's smallest unit."""
    if currency.kind == Currency.Kind.MONEY:
        return 0, None  # money cannot be created by going below zero
    credit = body.charter.credit
    if credit is None:
        return 0, None
    scale = 10**currency.decimals
    return credit.default_limit * scale, (
        credit.ceiling * scale if credit.ceiling is not None else None
    )


# ---------------------------------------------------------------- currencies and accounts

CurrencyKind = Literal["hours", "mutual_credit", "money"]


def currency_create(
    *,
    body: Body,
    kind: str,
    name: str,
    code: str,
    decimals: int | None = None,
    by: str,
) -> Currency:
    """Open a ledger in ``body``, with the body's own accounts: a commons account for
    hours and mutual credit; a funds account and the outside world for money. ``by`` is
    the founding or the decision that creates it."""
    if kind not in Currency.Kind.values:
        raise Invalid("a currency is hours, mutual_credit or money")
    name, code = name.strip(), code.strip().lower()
    if not name or len(name) > 60:
        raise Invalid("a currency needs a name of 1 to 60 characters")
    if not code or len(code) > 12 or not code.replace("-", "").replace("_", "").isalnum():
        raise Invalid("a currency code is 1 to 12 letters or digits")
    places = 2 if kind == Currency.Kind.HOURS else (2 if decimals is None else decimals)
    if not 0 <= places <= 6:
        raise Invalid("a currency has 0 to 6 decimal places")
    with transaction.atomic():
        Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
        if Currency.objects.filter(body=body, code=code).exists():
            raise Conflict(f"this body already has a currency {code!r}")
        currency = Currency.objects.create(
            body=body, kind=kind, name=name, code=code, decimals=places
        )
        if kind == Currency.Kind.MONEY:
            Account.objects.create(body=body, currency=currency, kind=Account.Kind.FUNDS, limit=0)
            Account.objects.create(body=body, currency=currency, kind=Account.Kind.EXTERNAL)
        else:
            Account.objects.create(body=body, currency=currency, kind=Account.Kind.COMMONS)
        journal_append(
            body=body,
            kind="ledger.currency_created",
            payload={"currency": code, "kind": kind, "name": name, "decimals": places, "by": by},
        )
    return currency


def account_open(*, body: Body, currency: Currency, person: Person) -> Account:
    """The member's account in ``currency``, opened now if they have none. The limit and
    ceiling are the ones the members set for everyone, or else the charter's."""
    if currency.body_id != body.pk:
        raise NotFound("no such currency")
    existing = Account.objects.filter(currency=currency, person=person).first()
    if existing is not None:
        return existing
    if not policy.is_member(person, body):
        raise Conflict(f"{person.name} is not a member of {body.name}")
    with transaction.atomic():
        locked = _lock_ledger(currency, fresh=True)
        existing = Account.objects.filter(currency=currency, person=person).first()
        if existing is not None:
            return existing
        limit, ceiling = _charter_units(body, locked)
        if locked.default_limit is not None:
            limit, ceiling = locked.default_limit, locked.default_ceiling
        account = Account.objects.create(
            body=body,
            currency=locked,
            kind=Account.Kind.MEMBER,
            person=person,
            limit=limit,
            ceiling=ceiling,
        )
        journal_append(
            body=body,
            kind="ledger.account_opened",
            payload={
                "account": account.pk,
                "currency": locked.code,
                "person": person_ref(person),
                "limit": limit,
                "ceiling": ceiling,
            },
        )
    return account


def body_account(*, currency: Currency, kind: str) -> Account:
    account = Account.objects.filter(currency=currency, kind=kind, person__isnull=True).first()
    if account is None:
        raise NotFound(f"this currency has no {kind} account")
    return account


# ---------------------------------------------------------------- transfers


def transfer_create(
    *,
    body: Body,
    by: Person | None,
    from_account: Account,
    to_account: Account,
    amount: int,
    memo: str = "",
    client_key: str,
    decision: str = "",
) -> Transfer:
    """Move ``amount`` from one account to another, or refuse it over a limit.

    A person (``by``) pays from their own account, or from a member's if they hold
    ``ledger.record_for_others``; the body's own accounts pay only by ``decision`` (the
    ``transfer`` action of a passed proposal, with ``by=None``). Returns the transfer,
    applied or refused; a retry with the same key returns the first outcome.
    """
    key, memo = _clean_key(client_key), _clean_memo(memo)
    _check_amount(amount)
    currency = _same_body(body, from_account, to_account)
    if from_account.pk == to_account.pk:
        raise Invalid("a transfer needs two different accounts")
    if by is not None:
        own = from_account.person_id == by.pk
        for_others = (
            not own
            and from_account.kind == Account.Kind.MEMBER
            and policy.can(by, "ledger.record_for_others", body)
        )
        if not policy.is_member(by, body) or not (own or for_others):
            raise NotAllowed("you may pay only from your own account")
        if to_account.person is not None and not policy.is_member(to_account.person, body):
            raise Conflict(f"{to_account.person.name} is no longer a member")
        key_owner, kind = f"person:{by.pk}", Transfer.Kind.PAYMENT
    elif decision:
        key_owner, kind = f"decision:{decision}", Transfer.Kind.DECISION
    else:
        raise NotAllowed("a transfer is made by a member or by a decision")
    digest = _digest(
        kind=kind, currency=currency.pk, source=from_account.pk, target=to_account.pk,
        amount=amount, memo=memo,
    )  # fmt: skip
    payment = _Payment(
        transfer=Transfer(
            body=body,
            currency=currency,
            kind=kind,
            from_account_id=from_account.pk,
            to_account_id=to_account.pk,
            amount=amount,
            memo=memo,
            key_owner=key_owner,
            client_key=key,
            request_digest=digest,
            created_by=by,
            decision=decision,
        ),
        payer=from_account,
        payee=to_account,
    )
    if transaction.get_connection().in_atomic_block:
        # Part of a larger change (a decision's actions): in its transaction.
        outcome = _pay_many([payment])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
    return _PAYMENTS.submit(payment.prepare() if connection.vendor == "postgresql" else payment)


@dataclass
class _Payment:
    """A checked payment request: the transfer to store, and its two accounts."""

    transfer: Transfer
    payer: Account
    payee: Account
    # The payment as dualpower_ledger_pay reads it (JSON), made by ``prepare``.
    text: str = ""

    def label(self, account: Account) -> str:
        """``account.label``, its body or person taken from this request, not loaded."""
        t = self.transfer
        if account.person_id is None:
            account.body = t.body
        elif t.created_by is not None and account.person_id == t.created_by.pk:
            account.person = t.created_by
        return account.label

    def prepare(self) -> _Payment:
        """Make ``text`` (on PostgreSQL, in the caller's thread while an earlier batch is
        being written, so that the batch's writer only joins the texts; at the batch if
        not made before)."""
        t, currency = self.transfer, self.transfer.currency
        payload = {
            "kind": t.kind,
            "currency": currency.code,
            "amount": t.amount,
            "from": _side_ref(self.payer),
            "to": _side_ref(self.payee),
            "memo": t.memo,
            "reverses": None,
            "by": _made_by(t),
        }
        self.text = json.dumps(
            {
                "body": t.body_id,
                "currency": t.currency_id,
                "code": currency.code,
                "decimals": currency.decimals,
                "kind": t.kind,
                "from": t.from_account_id,
                "to": t.to_account_id,
                "amount": t.amount,
                "memo": t.memo,
                "owner": t.key_owner,
                "key": t.client_key,
                "digest": t.request_digest,
                "created_by": t.created_by_id,
                "decision": t.decision,
                "from_label": self.label(self.payer),
                "to_label": self.label(self.payee),
                # The journal entry's canonical JSON around what only the database knows
                # ("transfer" sorts last in the payload; see bodies.journal.entry_hash).
                "payload": canonical_json(payload)[:-1],
                "before": '{"body":' + canonical_json(t.body.slug)
                + ',"kind":"ledger.transfer_applied","payload":',
            }
        )  # fmt: skip
        return self


def _pay_many(payments: Sequence[_Payment]) -> list[Transfer | BaseException]:
    """Settle payment requests in one transaction, in order: each answers the stored
    outcome if its client key was used before (a Conflict if with other content), or is
    applied or refused against the balances the ones before it left. On PostgreSQL in
    one function call (migrations 0003, 0004 and 0007); elsewhere, and as the reference
    it is tested against, in Python."""
    try:
        if connection.vendor == "postgresql":
            return _pay_many_sql(payments)
        return _pay_many_python(payments)
    except DatabaseError:
        # A dead connection would fail the one-by-one retries too: reconnect for them.
        # Only a dead one: this is the process's long-lived session (``_pay_batch``), so
        # CONN_MAX_AGE's "obsolete" must not end it, nor make a real error look like a
        # dead session there (which would run the failed batch again).
        if (
            not connection.in_atomic_block
            and connection.connection is not None
            and not connection.is_usable()
        ):
            connection.close()
        raise


def _pay_many_python(payments: Sequence[_Payment]) -> list[Transfer | BaseException]:
    """Takes the ledger lock of every body involved, in one order (their ids), before
    reading any key or balance."""
    transfers = [p.transfer for p in payments]
    bodies = sorted({t.body_id for t in transfers})
    try:
        return _settle_payments(payments, transfers, bodies)
    except BaseException:
        for transfer in transfers:  # rolled back: new again, for the retry one by one
            transfer.pk, transfer._state.adding = None, True
        raise


def _settle_payments(payments: Sequence[_Payment], transfers: list[Transfer], bodies: list[int]
                     ) -> list[Transfer | BaseException]:  # fmt: skip
    with transaction.atomic():
        select_where_in(Body, ["id"], {"id": bodies}, extra="ORDER BY id", lock=True)
        known = _known({(t.body_id, t.key_owner, t.client_key) for t in transfers})
        outcomes: list[Transfer | BaseException] = []
        fresh: list[Transfer] = []
        for transfer in transfers:
            key = (transfer.body_id, transfer.key_owner, transfer.client_key)
            earlier = known.setdefault(key, transfer)
            if earlier is transfer:
                fresh.append(transfer)
            elif earlier.request_digest != transfer.request_digest:
                outcomes.append(_key_reused())
                continue
            outcomes.append(earlier)
        if fresh:
            _apply_many(fresh, currencies={p.transfer.currency_id: p.transfer.currency
                                           for p in payments})  # fmt: skip
    return outcomes


def _key_reused() -> Conflict:
    return Conflict("this client key was already used for a different request")


def _known(wanted: set[tuple[int, str, str]]) -> dict[tuple[int, str, str], Transfer]:
    """The stored transfers of these (body, key owner, client key), most often none: one
    indexed look-up, and the transfers loaded only if some exist."""
    # All three columns of the unique index, so that the look-up uses it.
    rows = select_where_in(Transfer, ["id", "body", "key_owner", "client_key"], {
        "body": sorted({b for b, _, _ in wanted}), "key_owner": sorted({o for _, o, _ in wanted}),
        "client_key": sorted({k for _, _, k in wanted}),
    })  # fmt: skip
    used = [pk for pk, *key in rows if tuple(key) in wanted]
    if not used:
        return {}
    return {(t.body_id, t.key_owner, t.client_key): t for t in Transfer.objects.filter(pk__in=used)}


def _pay_many_sql(payments: Sequence[_Payment]) -> list[Transfer | BaseException]:
    """The same as ``_pay_many_python``, in one call of ``dualpower_ledger_pay``: one
    round trip, and outside a transaction its own (so one commit for the batch)."""
    batch = "[" + ",".join(p.text or p.prepare().text for p in payments) + "]"
    with connection.cursor() as cursor:
        cursor.execute("SELECT dualpower_ledger_pay(%s::jsonb)", [batch])
        answers = cursor.fetchone()[0]
    if isinstance(answers, str):
        answers = json.loads(answers)
    retried = [p for p, answer in zip(payments, answers, strict=True) if answer.get("retry")]
    later = iter(_pay_many_sql(retried) if retried else [])  # bodies that were busy
    outcomes: list[Transfer | BaseException] = []
    for p, answer in zip(payments, answers, strict=True):
        t = p.transfer
        if answer.get("retry"):
            outcomes.append(next(later))
            continue
        if answer.get("replay"):
            if answer["digest"] != t.request_digest:
                outcomes.append(_key_reused())
            else:
                outcomes.append(Transfer.objects.get(pk=answer["id"]))
            continue
        t.pk, t.reason = answer["id"], answer["reason"]
        t.status = Transfer.Status.APPLIED if answer["applied"] else Transfer.Status.REFUSED
        t.from_balance_after, t.to_balance_after = answer["from_after"], answer["to_after"]
        t.created_at = t.settled_at = datetime.fromisoformat(answer["at"])
        t._state.adding = False
        outcomes.append(t)
    return outcomes


def _pay_batch(payments: Sequence[_Payment]) -> list[Transfer | BaseException]:
    """A group commit's batch, on the payments' own database session (one warm session
    settles every batch of this process, whichever thread writes it)."""
    with _SESSION.use() as session:
        try:
            return _pay_many(payments)
        except (OperationalError, InterfaceError):
            if session.connection is not None:  # the session is fine: a real error
                raise
        # The session had died (a restarted database; requests check their own sessions
        # when they start, this one is checked here): once more on a new one. Safe even
        # if the batch had committed: its client keys then answer the stored outcomes.
        return _pay_many(payments)


_SESSION = OwnConnection()
# Concurrent payments in one server process share a transaction (see core.groupcommit).
_PAYMENTS: GroupCommit[_Payment, Transfer] = GroupCommit(_pay_batch)


def transfer_reverse(
    *,
    body: Body,
    transfer: Transfer,
    by: Person | None,
    client_key: str,
    memo: str = "",
    decision: str = "",
) -> Transfer:
    """Undo an applied transfer by a transfer the other way that names it. The payee may
    give back what they received; otherwise a holder of ``ledger.record_for_others`` or a
    decision. A reversal obeys the limits like any transfer."""
    key, memo = _clean_key(client_key), _clean_memo(memo)
    if transfer.body_id != body.pk:
        raise NotFound("no such transfer")
    if by is not None:
        payee = transfer.to_account.person_id == by.pk
        if not policy.is_member(by, body) or not (
            payee or policy.can(by, "ledger.record_for_others", body)
        ):
            raise NotAllowed("only the receiver can give a transfer back")
        key_owner = f"person:{by.pk}"
    elif decision:
        key_owner = f"decision:{decision}"
    else:
        raise NotAllowed("a reversal is made by a member or by a decision")
    digest = _digest(kind=Transfer.Kind.REVERSAL, reverses=transfer.pk, memo=memo)

    def reversal(_: Currency) -> Transfer:
        original = Transfer.objects.get(pk=transfer.pk)
        if original.status != Transfer.Status.APPLIED:
            raise Conflict("only an applied transfer can be reversed")
        if Transfer.objects.filter(reverses=original, status=Transfer.Status.APPLIED).exists():
            raise Conflict("this transfer was already reversed")
        return _reversal(original, memo=memo or f"reverses transfer {original.pk}")

    return _record(
        body=body, currency=transfer.currency, by=by, decision=decision, key_owner=key_owner,
        client_key=key, digest=digest, build=reversal,
    )  # fmt: skip


# ---------------------------------------------------------------- limits


def limit_set(
    *,
    body: Body,
    currency: Currency,
    limit: int,
    ceiling: int | None = None,
    account: Account | None = None,
    decision: str,
) -> int:
    """Set how far below zero (``limit``) and how high (``ceiling``, None for none) a
    member's balance may go, for one ``account`` or for every member (then also for
    members who open an account later). Amounts in the smallest unit. Refused while an
    account would be outside the new bounds. Returns how many accounts changed."""
    if currency.body_id != body.pk:
        raise NotFound("no such currency")
    if not isinstance(limit, int) or not 0 <= limit <= MAX_AMOUNT:
        raise Invalid("a limit is zero or more")
    if ceiling is not None and (not isinstance(ceiling, int) or not 0 <= ceiling <= MAX_AMOUNT):
        raise Invalid("a ceiling is zero or more")
    if not decision:
        raise NotAllowed("limits are changed by a decision")
    with transaction.atomic():
        locked = _lock_ledger(currency, fresh=True)
        targets = Account.objects.filter(currency=locked, kind=Account.Kind.MEMBER)
        if account is not None:
            if account.currency_id != locked.pk or account.kind != Account.Kind.MEMBER:
                raise Invalid("limits apply to members' accounts of this currency")
            targets = targets.filter(pk=account.pk)
        beyond = Q(balance__lt=-limit)
        if ceiling is not None:
            beyond |= Q(balance__gt=ceiling)
        offenders = [a.label for a in targets.filter(beyond).select_related("person", "body")]
        if offenders:
            raise Conflict(
                "the new bounds would leave these accounts outside them: " + ", ".join(offenders)
            )
        changed = targets.update(limit=limit, ceiling=ceiling)
        if account is None:
            locked.default_limit, locked.default_ceiling = limit, ceiling
            locked.save(update_fields=["default_limit", "default_ceiling"])
        journal_append(
            body=body,
            kind="ledger.limit_set",
            payload={
                "currency": locked.code,
                "account": account.pk if account is not None else None,
                "limit": limit,
                "ceiling": ceiling,
                "by": decision,
            },
        )
    return changed


# ---------------------------------------------------------------- time bank


def _tell(
    body: Body, currency: Currency, *, to: Person, event: str, subject: str, text: str
) -> None:
    """Notify one side of a time-bank record of what the other did with it. Called in the
    transaction that made the change, after it, so a rollback takes the notification with
    it, and only where the state changed, so a retry or a repeated answer tells no one
    twice. It names only what both sides of the exchange see anyway: each other, the
    hours, the memo, the reason given."""
    notify_persons(
        body=body, persons=[to], event=event, subject=subject,
        text=f"{text}\n{body.name}, {currency.name}.",
        url=f"/bodies/{body.slug}/ledger/{currency.code}/",
    )  # fmt: skip


def _hours_of(record: Transfer, currency: Currency, *, memo: bool = True) -> str:
    """``2.00 hours`` and the memo, if any (and ``memo``), as a notification names them."""
    n = amount_format(record.amount, currency.decimals)
    hours = f"{n} hour" if record.amount == 10**currency.decimals else f"{n} hours"
    return f'{hours} ("{record.memo}")' if memo and record.memo else hours


def timebank_record(
    *,
    body: Body,
    currency: Currency,
    by: Person,
    receiver: Person | None = None,
    giver: Person | None = None,
    amount: int,
    memo: str = "",
    client_key: str,
) -> Transfer:
    """``by`` records hours they gave ``receiver`` (or, where either side records, hours
    they received from ``giver``); the hours move from the receiver to the giver.

    Under ``receiver_confirms`` (the default) only the giver records, and the record
    waits for the receiver to confirm it (``timebank_confirm``). Under
    ``either_side_disputes`` it applies at once, within the limits, and the other side
    may dispute it for ``dispute_days`` (``timebank_dispute``)."""
    key, memo = _clean_key(client_key), _clean_memo(memo)
    _check_amount(amount)
    if currency.body_id != body.pk:
        raise NotFound("no such currency")
    if currency.kind != Currency.Kind.HOURS:
        raise Invalid("hours are recorded in an hours currency")
    if not policy.is_member(by, body):
        raise NotAllowed("only members record hours")
    if (receiver is None) == (giver is None):
        raise Invalid("name either the member you gave hours to or the one you received from")
    either_side = currency.recording == Currency.Recording.EITHER_SIDE_DISPUTES
    if giver is not None and not either_side:
        raise NotAllowed("in this time bank the giver records hours and the receiver confirms")
    other = receiver if receiver is not None else giver
    assert other is not None
    if other.pk == by.pk:
        raise Invalid("record hours exchanged with someone else")
    if not policy.is_member(other, body):
        raise Invalid(f"{other.name} is not a member of {body.name}")
    the_giver, the_receiver = (by, other) if receiver is not None else (other, by)
    giver_account = account_open(body=body, currency=currency, person=the_giver)
    receiver_account = account_open(body=body, currency=currency, person=the_receiver)
    key_owner = f"person:{by.pk}"
    # A record by the giver keeps its earlier digest, so retries made before the
    # either-side option existed still match.
    content: dict[str, Any] = (
        {"receiver": the_receiver.pk} if receiver is not None else {"giver": the_giver.pk}
    )
    digest = _digest(
        kind=Transfer.Kind.HOURS, currency=currency.pk, amount=amount, memo=memo, **content
    )

    def hours(locked: Currency) -> Transfer:
        either_side = locked.recording == Currency.Recording.EITHER_SIDE_DISPUTES
        if giver is not None and not either_side:
            raise NotAllowed("in this time bank the giver records hours and the receiver confirms")
        record = Transfer(
            kind=Transfer.Kind.HOURS,
            from_account=receiver_account,
            to_account=giver_account,
            amount=amount,
            memo=memo,
        )
        if either_side:  # applied now, within the limits
            record.dispute_until = timezone.now() + timedelta(days=locked.dispute_days)
        else:  # waits for the receiver
            record.status = Transfer.Status.PENDING
        return record

    def journal(record: Transfer, locked: Currency) -> None:
        journal_append(
            body=body,
            kind="ledger.hours_recorded",
            payload={
                "transfer": record.pk,
                "currency": locked.code,
                "amount": amount,
                "giver": person_ref(the_giver),
                "receiver": person_ref(the_receiver),
                "memo": memo,
                "recording": locked.recording,
                "status": record.status,
                "dispute_until": (
                    record.dispute_until.isoformat()
                    if record.dispute_until and record.status == Transfer.Status.APPLIED
                    else None
                ),
            },
        )
        # Tell the other side (not on a retry: ``_record`` answers it before this).
        h, n = _hours_of(record, locked), _hours_of(record, locked, memo=False)
        if record.status == Transfer.Status.PENDING:
            _tell(body, locked, to=the_receiver, event="hours.to_confirm",
                  subject=f"{by.name} recorded {n} given to you: confirm or decline",
                  text=f"{by.name} recorded {h} given to you. They count once you confirm "
                  "them; if they are wrong, decline them.")  # fmt: skip
        elif record.status == Transfer.Status.APPLIED and record.dispute_until is not None:
            given, to = (
                ("given to you", the_receiver) if the_giver.pk == by.pk
                else ("received from you", the_giver)
            )  # fmt: skip
            until = record.dispute_until.strftime("%Y-%m-%d %H:%M UTC")
            _tell(body, locked, to=to, event="hours.recorded",
                  subject=f"{by.name} recorded {n} {given}",
                  text=f"{by.name} recorded {h} {given}. They count already; if they are "
                  f"wrong, you may dispute them until {until}.")  # fmt: skip

    return _record(
        body=body, currency=currency, by=by, key_owner=key_owner, client_key=key, digest=digest,
        fresh=True, build=hours, after=journal,
    )  # fmt: skip


def _other_side(record: Transfer) -> int | None:
    """The person of the record who did not record it (the one who may dispute it)."""
    sides = {record.from_account.person_id, record.to_account.person_id}
    sides.discard(record.created_by_id)
    return next(iter(sides), None)


def timebank_dispute(*, body: Body, record: Transfer, by: Person, reason: str) -> Transfer:
    """The other side of hours recorded under ``either_side_disputes`` disputes them
    within the window: a reversing transfer that names the record undoes it, and the
    dispute is journaled with its reason. Returns the reversal.

    A record can be disputed once (a second dispute is a Conflict, as is one after the
    window closed). The reversal obeys the limits like any transfer: if the giver has
    already spent the hours below their limit, the dispute is refused (Conflict) and
    nothing is stored, so it can be made again within the window."""
    reason = _clean_memo(reason, what="the reason")
    if not reason:
        raise Invalid(f"say why you dispute it, in 1 to {MAX_MEMO} characters")
    if record.body_id != body.pk or record.kind != Transfer.Kind.HOURS:
        raise NotFound("no such record")
    if not policy.is_member(by, body) or _other_side(record) != by.pk:
        raise NotAllowed("only the other side of an exchange can dispute it")

    def undo(_: Currency) -> Transfer:
        original = Transfer.objects.get(pk=record.pk)
        if original.dispute_until is None or original.status != Transfer.Status.APPLIED:
            raise Conflict("only hours recorded by either side and applied can be disputed")
        if Transfer.objects.filter(reverses=original, status=Transfer.Status.APPLIED).exists():
            raise Conflict("this record was already disputed or reversed")
        if timezone.now() > original.dispute_until:
            raise Conflict(
                "the time to dispute this record ended on "
                + original.dispute_until.strftime("%Y-%m-%d %H:%M UTC")
            )
        return _reversal(original, memo=f"disputed: {reason}"[:MAX_MEMO])

    def journal(reversal: Transfer, _: Currency) -> None:
        if reversal.status != Transfer.Status.APPLIED:
            # Raising rolls the refused reversal back: the dispute may be made again.
            raise Conflict(f"the dispute cannot undo these hours now: {reversal.reason}")
        journal_append(
            body=body,
            kind="ledger.hours_disputed",
            payload={
                "transfer": reversal.reverses_id,
                "reversal": reversal.pk,
                "by": person_ref(by),
                "reason": reason,
            },
        )
        if record.created_by is not None:  # the recorder: only the other side disputes
            n = _hours_of(record, record.currency, memo=False)
            _tell(body, record.currency, to=record.created_by, event="hours.disputed",
                  subject=f"{by.name} disputed the {n} you recorded",
                  text=f"{by.name} disputed the {_hours_of(record, record.currency)} you "
                  f"recorded, saying: {reason}\nThe hours were undone.")  # fmt: skip

    # No replay: a second dispute is a Conflict (above), whatever its reason. Its key has
    # an owner of its own, apart from the person's own client keys (which could be anything).
    return _record(
        body=body, currency=record.currency, by=by, key_owner=f"dispute:{by.pk}",
        client_key=f"dispute-{record.pk}",
        digest=_digest(kind="dispute", reverses=record.pk, reason=reason),
        replay=False, build=undo, after=journal,
    )  # fmt: skip


def ledger_settings_set(
    *, body: Body, currency: Currency, recording: str, dispute_days: int, decision: str
) -> Currency:
    """Choose how hours are recorded in ``currency``: ``receiver_confirms`` or
    ``either_side_disputes`` with a window of ``dispute_days`` (1 to 365). By decision
    only. Records already made keep the way they were made (and their window)."""
    if currency.body_id != body.pk:
        raise NotFound("no such currency")
    if recording not in Currency.Recording.values:
        raise Invalid("recording is receiver_confirms or either_side_disputes")
    if not isinstance(dispute_days, int) or isinstance(dispute_days, bool):
        raise Invalid("dispute_days is a whole number of days")
    if not 1 <= dispute_days <= 365:
        raise Invalid("dispute_days is 1 to 365")
    if not decision:
        raise NotAllowed("the way hours are recorded is changed by a decision")
    with transaction.atomic():
        locked = _lock_ledger(currency, fresh=True)
        if locked.kind != Currency.Kind.HOURS:
            raise Invalid("recording settings apply to an hours currency")
        locked.recording, locked.dispute_days = recording, dispute_days
        locked.save(update_fields=["recording", "dispute_days"])
        journal_append(
            body=body,
            kind="ledger.settings_set",
            payload={
                "currency": locked.code,
                "recording": recording,
                "dispute_days": dispute_days,
                "by": decision,
            },
        )
    return locked


def _pending_record(body: Body, record: Transfer, by: Person) -> None:
    if record.body_id != body.pk or record.kind != Transfer.Kind.HOURS:
        raise NotFound("no such record")
    if record.from_account.person_id != by.pk:
        raise NotAllowed("only the member who received the hours can confirm or decline them")


def timebank_confirm(*, body: Body, record: Transfer, by: Person) -> Transfer:
    """The receiver confirms hours recorded for them: the transfer is applied, or refused
    if it would take them past their limit. Confirming twice answers the same."""
    _pending_record(body, record, by)
    with transaction.atomic():
        locked = _lock_ledger(record.currency)
        current = Transfer.objects.get(pk=record.pk)
        if current.status in (Transfer.Status.APPLIED, Transfer.Status.REFUSED):
            return current
        if current.status != Transfer.Status.PENDING:
            raise Conflict(f"this record was {current.get_status_display().lower()}")
        _settle(current, currency=locked)
        _tell_answer(body, current, locked, by)
        return current


def _tell_answer(body: Body, record: Transfer, currency: Currency, by: Person) -> None:
    """Tell the recorder how the receiver ``by`` answered (see ``_tell``)."""
    if record.created_by is None or record.created_by_id == by.pk:
        return
    h, n = _hours_of(record, currency), _hours_of(record, currency, memo=False)
    if record.status == Transfer.Status.APPLIED:
        event, subject = "hours.confirmed", f"{by.name} confirmed the {n} you recorded"
        text = f"{by.name} confirmed the {h} you recorded. They count now."
    elif record.status == Transfer.Status.REFUSED:
        event, subject = "hours.refused", f"The {n} you recorded could not be applied"
        why = record.reason_for(record.created_by_id)  # (not the receiver's figures)
        text = f"{by.name} confirmed the {h} you recorded, but they were refused: {why}."
    else:
        event, subject = "hours.declined", f"{by.name} declined the {n} you recorded"
        said = f" They said: {record.reason}" if record.reason else ""
        text = f"{by.name} declined the {h} you recorded. Nothing moved.{said}"
    _tell(body, currency, to=record.created_by, event=event, subject=subject, text=text)


def timebank_decline(*, body: Body, record: Transfer, by: Person, reason: str = "") -> Transfer:
    """The receiver declines hours recorded for them, saying why if they wish (the
    recorder is told); nothing moves. Declining twice answers the same (the first
    reason); a record the giver withdrew meanwhile is a Conflict."""
    _pending_record(body, record, by)
    why = _clean_memo(reason, what="the reason")
    if why == WITHDRAWN:  # (that reason marks a withdrawal)
        raise Invalid("say why in your own words")
    declined = _close_pending(body=body, record=record, by=by, reason=why)
    if declined.withdrawn:
        raise Conflict("this record was withdrawn by the one who recorded it")
    return declined


def timebank_withdraw(*, body: Body, record: Transfer, by: Person) -> Transfer:
    """The member who recorded hours withdraws them while they wait for confirmation (a
    mistake, or a receiver who left and will never answer): the record is declined with
    the reason ``WITHDRAWN`` and nothing moves. Withdrawing twice answers the same; a
    record already confirmed, refused or declined by the receiver is a Conflict."""
    if record.body_id != body.pk or record.kind != Transfer.Kind.HOURS:
        raise NotFound("no such record")
    if record.created_by_id != by.pk:
        raise NotAllowed("only the member who recorded the hours can withdraw them")
    withdrawn = _close_pending(body=body, record=record, by=by, reason=WITHDRAWN)
    if not withdrawn.withdrawn:
        raise Conflict("this record was already declined")
    return withdrawn


def _close_pending(*, body: Body, record: Transfer, by: Person, reason: str) -> Transfer:
    """Decline a pending record (the receiver, with their ``reason`` if any; or the one who
    recorded it, ``WITHDRAWN``) under the ledger lock, with its journal entry and a word to the other
    side. A record declined before is answered as it is (the caller tells whose it was);
    any other answer before is a Conflict."""
    with transaction.atomic():
        _lock_ledger(record.currency)
        current = Transfer.objects.get(pk=record.pk)
        if current.status == Transfer.Status.DECLINED:
            return current
        if current.status != Transfer.Status.PENDING:
            raise Conflict(f"this record was already {current.get_status_display().lower()}")
        current.status, current.reason = Transfer.Status.DECLINED, reason
        current.settled_at = database_now()
        current.save(update_fields=["status", "reason", "settled_at"])
        if current.withdrawn:
            journal_append(body=body, kind="ledger.hours_withdrawn",
                           payload={"transfer": current.pk, "by": person_ref(by)})  # fmt: skip
            _tell_withdrawn(body, current, by)
        else:
            journal_append(body=body, kind="ledger.hours_declined",
                           payload={"transfer": current.pk, "by": person_ref(by)}
                           | ({"reason": reason} if reason else {}))  # fmt: skip
            _tell_answer(body, current, record.currency, by)
    return current


def _tell_withdrawn(body: Body, record: Transfer, by: Person) -> None:
    """Tell the receiver that the recorder ``by`` withdrew the record (see ``_tell``)."""
    receiver = record.from_account.person  # (pending hours move from the receiver's account)
    if receiver is None or receiver.pk == by.pk:
        return
    currency = record.currency
    _tell(
        body, currency, to=receiver, event="hours.withdrawn",
        subject=f"{by.name} withdrew the {_hours_of(record, currency, memo=False)} recorded"
        " for you",
        text=f"{by.name} withdrew the {_hours_of(record, currency)} recorded for you: there is"
        " nothing to confirm any more.",
    )  # fmt: skip


# ---------------------------------------------------------------- a body's money


def external_record(
    *,
    body: Body,
    currency: Currency,
    by: Person,
    direction: str,
    amount: int,
    memo: str,
    client_key: str,
) -> Transfer:
    """A holder of ``ledger.record_external`` records money that came into the body's
    funds (``in``) or went out of them (``out``). Going out is refused beyond the funds."""
    if currency.body_id != body.pk:
        raise NotFound("no such currency")
    if not policy.can(by, "ledger.record_external", body):
        raise NotAllowed("recording money in and out needs the power ledger.record_external")
    if currency.kind != Currency.Kind.MONEY:
        raise Invalid("money in and out is recorded in a money currency")
    if direction not in ("in", "out"):
        raise Invalid("the direction is 'in' or 'out'")
    key, memo = _clean_key(client_key), _clean_memo(memo)
    _check_amount(amount)
    if not memo:
        raise Invalid("say where the money came from or went to")
    funds = body_account(currency=currency, kind=Account.Kind.FUNDS)
    world = body_account(currency=currency, kind=Account.Kind.EXTERNAL)
    source, target = (world, funds) if direction == "in" else (funds, world)
    key_owner = f"person:{by.pk}"
    digest = _digest(
        kind=Transfer.Kind.EXTERNAL, currency=currency.pk, direction=direction, amount=amount,
        memo=memo,
    )  # fmt: skip
    return _record(
        body=body, currency=currency, by=by, key_owner=key_owner, client_key=key, digest=digest,
        build=lambda _: Transfer(kind=Transfer.Kind.EXTERNAL, from_account=source,
                                 to_account=target, amount=amount, memo=memo),
    )  # fmt: skip


# ---------------------------------------------------------------- verification


@dataclass
class CurrencyCheck:
    code: str
    kind: str
    accounts: int
    transfers: int
    total: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class LedgerReport:
    body_slug: str
    currencies: list[CurrencyCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.currencies)

    def lines(self) -> list[str]:
        if not self.currencies:
            return [f"{self.body_slug}: no currencies"]
        out = []
        for c in self.currencies:
            head = f"{self.body_slug} {c.code}: {c.accounts} accounts, {c.transfers} transfers"
            if c.ok:
                out.append(f"{head}, balances equal entries and sum to zero")
            else:
                out.extend(f"{head}: {problem}" for problem in c.problems)
        return out


def ledger_verify(*, body: Body) -> LedgerReport:
    """Check every currency of ``body``: each balance equals the sum of its entries, each
    applied transfer has one debit and one credit of its amount (and no other transfer
    has any), and the balances of the currency sum to zero (every currency here is
    closed: money comes in through the outside-world account).

    The entries are the two sides stored on each transfer (see ``Entry``): a debit and a
    credit of its amount by construction, so what is left to check there is that an
    applied transfer has both sides stored and no other transfer has either."""
    checks = []
    for currency in Currency.objects.filter(body=body).order_by("code"):
        accounts = list(Account.objects.filter(currency=currency))
        # Each account's entries summed from this currency's transfers, a side at a time
        # (the (currency, status, settled_at) index), not through the view ledger_entry:
        # PostgreSQL cannot push the join to the accounts into the view's two branches
        # and reads every transfer of the instance. A transfer's accounts are of its
        # currency (one that were not would show as balances unequal to their entries).
        sides = Transfer.objects.filter(currency=currency).with_entries()
        entries_sum: dict[int, int] = {}
        for side, sign in (("from_account", -1), ("to_account", 1)):
            for pk, amount in sides.order_by().values_list(side).annotate(Sum("amount")):
                entries_sum[pk] = entries_sum.get(pk, 0) + sign * amount
        problems = [
            f"account {a.pk} has balance {a.balance} but its entries sum to"
            f" {entries_sum.get(a.pk, 0)}"
            for a in accounts
            if a.balance != entries_sum.get(a.pk, 0)
        ]
        applied = Transfer.objects.filter(currency=currency, status=Transfer.Status.APPLIED)
        unbalanced = applied.filter(
            Q(from_balance_after__isnull=True) | Q(to_balance_after__isnull=True)
        ).values_list("pk", flat=True)
        problems += [f"transfer {pk} does not have one debit and one credit" for pk in unbalanced]
        stray = (
            Transfer.objects.filter(currency=currency)
            .exclude(status=Transfer.Status.APPLIED)
            .filter(Q(from_balance_after__isnull=False) | Q(to_balance_after__isnull=False))
        )
        problems += [f"transfer {pk} has entries but is not applied" for pk in
                     stray.values_list("pk", flat=True)]  # fmt: skip
        total = sum(a.balance for a in accounts)
        if total != 0:
            problems.append(f"balances sum to {total}, not zero")
        checks.append(
            CurrencyCheck(
                code=currency.code,
                kind=currency.kind,
                accounts=len(accounts),
                transfers=applied.count(),
                total=total,
                problems=problems,
            )
        )
    return LedgerReport(body_slug=body.slug, currencies=checks)
