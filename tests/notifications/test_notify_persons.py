"""``notify_persons``: only the persons named hear of it, each as they chose for the body,
and the e-mail goes out only once the transaction commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.notifications.models import Notification
from dualpower.notifications.services import (
    deliver_pending,
    notification_list,
    notify_persons,
    preference_set,
)
from dualpower.notifications.tasks import notifications_deliver


def _tell(body: Body, *persons: Person) -> int:
    return notify_persons(
        body=body, persons=persons, event="hours.confirmed",
        subject="Bob confirmed the 2.00 hours you recorded", text="They count now.",
        url="/bodies/eastside-assembly/",
    )  # fmt: skip


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="notifications_deliver"))


def test_only_the_persons_named_hear_of_it(
    assembly: Body, alice: Person, bob: Person, dave: Person
) -> None:
    assert _tell(assembly, alice) == 1
    assert [n.event for n in notification_list(person=alice)] == ["hours.confirmed"]
    assert notification_list(person=bob) == []


def test_someone_outside_the_body_is_skipped(assembly: Body, alice: Person, dave: Person) -> None:
    assert _tell(assembly, alice, dave) == 1
    assert notification_list(person=dave) == []
    assert _tell(assembly, dave) == 0


def test_the_e_mail_goes_out_from_the_worker_after_commit(
    assembly: Body, alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _tell(assembly, alice)
        assert _queued() == [] and mail.outbox == []  # not before the commit
    (queued,) = _queued()
    assert queued.task.run_after is None  # at once
    assert notifications_deliver.call() == 1
    (sent,) = mail.outbox
    assert sent.to == [alice.email]
    assert (
        sent.subject == "[dualpower] Eastside Assembly: Bob confirmed the 2.00 hours you recorded"
    )
    assert "They count now." in sent.body and "/bodies/eastside-assembly/" in sent.body


def test_nothing_is_kept_or_sent_if_the_transaction_rolls_back(
    assembly: Body, alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            _tell(assembly, alice)
            raise RuntimeError("the change failed")
    assert notification_list(person=alice) == []
    assert _queued() == []
    assert deliver_pending() == 0 and mail.outbox == []


def test_none_is_in_the_app_only(
    assembly: Body, alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    preference_set(person=alice, body=assembly, mode="none")
    with django_capture_on_commit_callbacks(execute=True):
        _tell(assembly, alice)
    assert len(notification_list(person=alice)) == 1
    assert _queued() == []
    assert deliver_pending(now=timezone.now() + timedelta(days=2)) == 0 and mail.outbox == []


def test_the_digest_waits_a_day(
    assembly: Body, alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    preference_set(person=alice, body=assembly, mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        _tell(assembly, alice)
    (queued,) = _queued()
    assert queued.run_after is not None and queued.run_after > timezone.now() + timedelta(hours=23)
    assert deliver_pending() == 0
    assert deliver_pending(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    (digest,) = mail.outbox
    assert digest.to == [alice.email] and "digest (1)" in digest.subject
    assert Notification.objects.get().mode == "digest"
