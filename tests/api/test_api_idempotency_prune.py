"""Idempotency-Keys are forgotten after DUALPOWER_IDEMPOTENCY_DAYS, by the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _api_support import Api
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from dualpower.api.idempotency import idempotency_prune
from dualpower.api.models import IdempotencyKey
from dualpower.api.tasks import idempotency_keys_prune
from dualpower.bodies.models import Body

PAYLOAD = {"name": "Harbour Council", "kind": "council"}


def _found(api: Api, key: str, name: str = "Harbour Council") -> dict[str, Any]:
    response = api.post("/bodies", {**PAYLOAD, "name": name}, headers={"Idempotency-Key": key})
    assert response.status_code == 201
    answer: dict[str, Any] = response.json()
    return answer


def _age(key: str, days: float) -> None:
    IdempotencyKey.objects.filter(key=key).update(created_at=timezone.now() - timedelta(days=days))


def test_keys_older_than_the_retention_go_and_fresh_ones_stay(as_alice: Api) -> None:
    _found(as_alice, "old", "Old Council")
    _found(as_alice, "week", "Week Council")
    _found(as_alice, "fresh", "Fresh Council")
    _age("old", 8)
    _age("week", 6.9)
    assert idempotency_keys_prune.call() == 1
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh", "week"]


def test_the_retention_is_a_setting(as_alice: Api, settings: Settings) -> None:
    _found(as_alice, "k-1")
    _age("k-1", 3)
    assert idempotency_keys_prune.call() == 0
    settings.IDEMPOTENCY_DAYS = 2
    assert idempotency_keys_prune.call() == 1
    assert not IdempotencyKey.objects.exists()


def test_the_service_deletes_exactly_the_keys_before_the_cutoff(as_alice: Api) -> None:
    _found(as_alice, "k-1")
    created = IdempotencyKey.objects.get().created_at
    assert idempotency_prune(older_than=created) == 0
    assert idempotency_prune(older_than=created + timedelta(microseconds=1)) == 1


def test_a_retry_within_the_window_still_replays_after_pruning(as_alice: Api) -> None:
    first = _found(as_alice, "k-1")
    _age("k-1", 6)
    assert idempotency_keys_prune.call() == 0
    assert _found(as_alice, "k-1") == first
    assert Body.objects.filter(name="Harbour Council").count() == 1


def test_a_retry_after_its_key_was_pruned_is_a_new_request(as_alice: Api) -> None:
    first = _found(as_alice, "k-1")
    _age("k-1", 8)
    assert idempotency_keys_prune.call() == 1
    assert _found(as_alice, "k-1")["slug"] != first["slug"]
    assert Body.objects.filter(name="Harbour Council").count() == 2


def test_recording_a_key_schedules_the_prune_for_when_it_falls_due(
    as_alice: Api, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _found(as_alice, "k-1")
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("idempotency_keys_prune")
    due = IdempotencyKey.objects.get().created_at + timedelta(days=7)
    assert due < queued.run_after < due + timedelta(minutes=2)


def test_a_replay_or_a_request_without_a_key_schedules_nothing(
    as_alice: Api, django_capture_on_commit_callbacks: Any
) -> None:
    _found(as_alice, "k-1")
    with django_capture_on_commit_callbacks(execute=True):
        _found(as_alice, "k-1")
        assert as_alice.post("/bodies", {**PAYLOAD, "name": "Keyless"}).status_code == 201
    assert not DBTaskResult.objects.filter(task_path__endswith="idempotency_keys_prune").exists()
