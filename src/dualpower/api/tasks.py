"""Background work for the API, run by ``dualpower worker``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .idempotency import idempotency_prune


@task()
def idempotency_keys_prune() -> int:
    """Forget the Idempotency-Keys recorded more than ``DUALPOWER_IDEMPOTENCY_DAYS`` ago."""
    cutoff = timezone.now() - timedelta(days=settings.IDEMPOTENCY_DAYS)
    return idempotency_prune(older_than=cutoff)
