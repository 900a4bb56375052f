"""An Idempotency-Key on POST /bodies applies the founding once, whatever the retries."""

from __future__ import annotations

from typing import Any

import pytest
from _api_support import Api, problem
from django.db.models import QuerySet

from dualpower.accounts.models import Person
from dualpower.api.idempotency import idempotent_apply
from dualpower.api.models import IdempotencyKey
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found

PAYLOAD = {"name": "Harbour Council", "kind": "council"}


def test_a_retry_with_the_same_key_and_body_answers_the_same(as_alice: Api) -> None:
    first = as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"})
    again = as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Body.objects.filter(name="Harbour Council").count() == 1


def test_the_same_key_with_another_body_is_a_conflict(as_alice: Api) -> None:
    as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"})
    other = {**PAYLOAD, "name": "Harbour Assembly"}
    body = problem(as_alice.post("/bodies", other, headers={"Idempotency-Key": "k-1"}), 409)
    assert "Idempotency-Key" in body["detail"]
    assert not Body.objects.filter(name="Harbour Assembly").exists()


def test_without_a_key_each_request_founds_a_body(as_alice: Api) -> None:
    as_alice.post("/bodies", PAYLOAD)
    as_alice.post("/bodies", PAYLOAD)
    assert Body.objects.filter(name="Harbour Council").count() == 2
    assert not IdempotencyKey.objects.exists()


def test_keys_belong_to_one_person(as_alice: Api, as_bob: Api) -> None:
    as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"})
    theirs = as_bob.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"})
    assert theirs.status_code == 201
    assert theirs.json()["slug"] == "harbour-council-2"


def test_a_failed_request_does_not_use_up_its_key(as_alice: Api) -> None:
    bad = {**PAYLOAD, "kind": "guild"}
    problem(as_alice.post("/bodies", bad, headers={"Idempotency-Key": "k-1"}), 422)
    assert as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k-1"}).status_code == 201


def test_an_overlong_key_is_refused(as_alice: Api) -> None:
    body = problem(as_alice.post("/bodies", PAYLOAD, headers={"Idempotency-Key": "k" * 201}), 422)
    assert "Idempotency-Key" in body["detail"]
    assert not Body.objects.exists()


def test_a_racing_retry_rolls_back_and_replays_the_winner(
    alice: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []

    def found() -> tuple[int, dict[str, Any]]:
        body = body_found(founder=alice, name="Harbour Council", kind="council")
        runs.append(body.slug)
        return 201, {"slug": body.slug}

    args: dict[str, Any] = {"person": alice, "key": "k-1", "operation": "op", "payload": PAYLOAD}
    first = idempotent_apply(**args, perform=found)
    # The retry's lookup misses, as if the winner committed just after it: its own
    # founding runs, its insert of the key collides, and its transaction rolls back.
    real_filter = IdempotencyKey.objects.filter
    misses = iter([True])

    def filter_missing_once(**kw: Any) -> QuerySet[IdempotencyKey]:
        found = real_filter(**kw)
        return found.none() if next(misses, False) else found

    monkeypatch.setattr(IdempotencyKey.objects, "filter", filter_missing_once)
    assert idempotent_apply(**args, perform=found) == first
    assert runs == ["harbour-council", "harbour-council-2"]  # the retry did run, then
    assert Body.objects.filter(name="Harbour Council").count() == 1
    assert IdempotencyKey.objects.count() == 1
