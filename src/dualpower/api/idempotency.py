"""Apply a write once per ``Idempotency-Key``, whatever the number of retries.

The write and the record of its answer commit in one transaction. Two racing requests
with the same key both try to insert the record; the unique constraint lets one commit,
the other's whole transaction (its write included) rolls back and it replays the winner.

A key is kept for ``DUALPOWER_IDEMPOTENCY_DAYS`` (7): recording one schedules
``tasks.idempotency_keys_prune`` for when it falls due, and ``dualpower worker`` deletes it
then. A retry after that is a new request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies.journal import canonical_json
from dualpower.core.errors import Conflict, Invalid

from .models import IdempotencyKey

KEY_MAX = 200
Answer = tuple[int, dict[str, Any]]


def _replay(record: IdempotencyKey, operation: str, digest: str) -> Answer:
    if record.operation != operation or record.request_hash != digest:
        raise Conflict("this Idempotency-Key was already used with a different request")
    return record.status, record.response


def _schedule_prune() -> None:
    """Have the worker prune keys once the one just recorded is past the retention (after
    this transaction; a rolled-back write schedules nothing)."""
    from .tasks import idempotency_keys_prune

    due = timezone.now() + timedelta(days=settings.IDEMPOTENCY_DAYS, minutes=1)
    transaction.on_commit(lambda: idempotency_keys_prune.using(run_after=due).enqueue())


def idempotency_prune(*, older_than: datetime) -> int:
    """Delete the keys recorded before ``older_than``; returns how many went."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=older_than).delete()
    return deleted


def idempotent_apply(
    *,
    person: Person,
    key: str | None,
    operation: str,
    payload: Mapping[str, Any],
    perform: Callable[[], Answer],
) -> Answer:
    """Run ``perform`` once for ``key``; a retry with the same payload gets its answer."""
    if key is None:
        return perform()
    key = key.strip()
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise Invalid(f"an Idempotency-Key has 1 to {KEY_MAX} printable characters")
    material = canonical_json({"operation": operation, "payload": dict(payload)})
    digest = hashlib.sha256(material.encode()).hexdigest()
    found = IdempotencyKey.objects.filter(person=person, key=key).first()
    if found is not None:
        return _replay(found, operation, digest)
    try:
        with transaction.atomic():
            status, response = perform()
            IdempotencyKey.objects.create(
                person=person,
                key=key,
                operation=operation,
                request_hash=digest,
                status=status,
                response=response,
            )
            _schedule_prune()
    except IntegrityError:
        found = IdempotencyKey.objects.filter(person=person, key=key).first()
        if found is None:
            raise
        return _replay(found, operation, digest)
    return status, response
