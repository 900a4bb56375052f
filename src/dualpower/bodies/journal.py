"""The journal: a per-body append-only log whose entries are chained by SHA-256.

Entry ``n`` stores the hash of entry ``n-1`` (``GENESIS`` for the first) and its own hash
over the canonical JSON of ``{"body", "seq", "kind", "recorded_at", "payload", "prev_hash"}``.
Anyone holding an export can recompute the chain without the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

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


def journal_append(*, body: Body, kind: str, payload: Mapping[str, Any]) -> JournalEntry:
    """Append one entry. Call inside the transaction that makes the change it records."""
    assert transaction.get_connection().in_atomic_block, (
        "journal entries are written with their change"
    )
    # Lock the body row so that two writers cannot take the same sequence number
    # (PostgreSQL); SQLite serialises writers itself (IMMEDIATE transactions).
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    last = (
        JournalEntry.objects.filter(body=body).order_by("-seq").values_list("seq", "hash").first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # Normalise the payload through JSON so that what is stored is exactly what is hashed.
    clean = json.loads(canonical_json(dict(payload)))
    now = timezone.now()
    digest = entry_hash(
        body_slug=body.slug,
        seq=seq,
        kind=kind,
        recorded_at=now.isoformat(),
        payload=clean,
        prev_hash=prev,
    )
    return JournalEntry.objects.create(
        body=body, seq=seq, kind=kind, payload=clean, recorded_at=now, prev_hash=prev, hash=digest
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
