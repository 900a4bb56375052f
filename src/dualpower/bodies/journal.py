"""The journal: a per-body append-only log whose entries are chained by SHA-256.

Entry ``n`` stores the hash of entry ``n-1`` (``GENESIS`` for the first) and its own hash
over the canonical JSON of ``{"body", "seq", "kind", "recorded_at", "payload", "prev_hash"}``.
Anyone holding an export can recompute the chain without the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dualpower.core.sql import database_now, insert_many, select_where_in

from .models import Body, JournalEntry

GENESIS = "0" * 64


def person_ref(person: Any) -> dict[str, Any]:
    """How a journal entry names a person: their id and display name."""
    return {"id": person.pk, "name": person.name}


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: one text for one value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(
    *, body_slug: str, seq: int, kind: str, recorded_at: str, payload: Any, prev_hash: str
) -> str:
    material = {
        "body": body_slug,
        "seq": seq,
        "kind": kind,
        "recorded_at": recorded_at,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


def journal_append(*, body: Body, kind: str, payload: Mapping[str, Any]) -> None:
    """Append one entry. Call inside the transaction that makes the change it records."""
    journal_append_many(body=body, entries=[(kind, payload)])


def journal_append_many(*, body: Body, entries: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """Append ``(kind, payload)`` entries in order, chained, in one statement. Call inside
    the transaction that makes the changes they record."""
    assert transaction.get_connection().in_atomic_block, (
        "journal entries are written with their change"
    )
    # Lock the body row so that two writers cannot take the same sequence number
    # (PostgreSQL); SQLite serialises writers itself (IMMEDIATE transactions).
    select_where_in(Body, ["id"], {"id": [body.pk]}, lock=True)
    last = select_where_in(
        JournalEntry, ["seq", "hash"], {"body": [body.pk]}, extra="ORDER BY seq DESC LIMIT 1"
    )
    seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    # Under the lock, by the clock the ledger's payments take theirs from: a body's entries
    # are recorded in the order of their numbers whichever app server wrote them.
    now = database_now()
    rows = []
    for kind, payload in entries:
        # Normalise the payload through JSON so that what is stored is exactly what is hashed.
        clean = json.loads(canonical_json(dict(payload)))
        digest = entry_hash(
            body_slug=body.slug,
            seq=seq,
            kind=kind,
            recorded_at=now.isoformat(),
            payload=clean,
            prev_hash=prev,
        )
        rows.append(
            (
                body.pk,
                seq,
                kind,
                clean,
                now,
                prev,
                digest,
            )
        )
        seq, prev = seq + 1, digest
    insert_many(
        JournalEntry, ["body", "seq", "kind", "payload", "recorded_at", "prev_hash", "hash"], rows
    )


@dataclass(frozen=True)
class ChainReport:
    body_slug: str
    entries: int
    ok: bool
    broken_seq: int | None = None
    problem: str = ""

    def line(self) -> str:
        if self.ok:
            return f"{self.body_slug}: {self.entries} entries, chain holds"
        return f"{self.body_slug}: entry #{self.broken_seq} is broken: {self.problem}"


def verify_records(body_slug: str, records: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Recompute a chain from exported records (dicts as ``JournalEntry.as_record``)."""
    prev = GENESIS
    count = 0
    for expected_seq, rec in enumerate(records, start=1):
        count = expected_seq
        seq = rec.get("seq")
        if seq != expected_seq:
            return ChainReport(body_slug, count, False, expected_seq, f"sequence number is {seq}")
        if rec.get("prev_hash") != prev:
            return ChainReport(
                body_slug, count, False, expected_seq, "does not point to the entry before it"
            )
        digest = entry_hash(
            body_slug=body_slug,
            seq=expected_seq,
            kind=str(rec.get("kind")),
            recorded_at=str(rec.get("recorded_at")),
            payload=rec.get("payload"),
            prev_hash=prev,
        )
        if digest != rec.get("hash"):
            return ChainReport(
                body_slug, count, False, expected_seq, "its content does not match its hash"
            )
        prev = digest
    return ChainReport(body_slug, count, True)


def journal_verify(*, body: Body) -> ChainReport:
    entries = JournalEntry.objects.filter(body=body).order_by("seq").iterator()
    return verify_records(body.slug, (e.as_record() for e in entries))


def journal_head(*, body: Body) -> str:
    """The hash of the latest entry: the published seed for tie-breaking."""
    head = (
        JournalEntry.objects.filter(body=body)
        .order_by("-seq")
        .values_list("hash", flat=True)
        .first()
    )
    return head or GENESIS
