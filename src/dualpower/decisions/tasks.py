"""Background work for decisions, run by ``dualpower worker``."""

from __future__ import annotations

from django_tasks import task

from .services import proposals_advance_due


@task()
def proposals_advance() -> int:
    """Open voting and close counts whose time has come."""
    return proposals_advance_due()
