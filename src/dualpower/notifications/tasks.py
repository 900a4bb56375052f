"""Background delivery of notification e-mails, run by ``dualpower worker``."""

from __future__ import annotations

from django_tasks import task

from .services import deliver_pending


@task()
def notifications_deliver() -> int:
    return deliver_pending()
