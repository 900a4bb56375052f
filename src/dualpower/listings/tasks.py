"""Background work for listings, run by ``dualpower worker``."""

from __future__ import annotations

from django_tasks import task

from .services import retention_sweep


@task()
def listings_retention() -> dict[str, int]:
    """Expire listings past their date and erase requesters' contact details the hub's
    retention days after their request closed (statistics stay)."""
    return retention_sweep()
