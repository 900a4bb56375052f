"""The OpenAPI schema is committed as ``tests/api/openapi.json``; a change to the API shows
up here as a diff to review. After a deliberate change, refresh the snapshot with

    UPDATE_SNAPSHOTS=1 uv run pytest tests/api/test_api_openapi_snapshot.py

and commit it with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).with_name("openapi.json")
REFRESH = "UPDATE_SNAPSHOTS=1 uv run pytest tests/api/test_api_openapi_snapshot.py"


def test_the_openapi_schema_matches_its_snapshot() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    live = response.json()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(live, indent=2, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), f"no snapshot yet: run {REFRESH}"
    assert live == json.loads(SNAPSHOT.read_text()), (
        f"the API's schema changed; if that is intended, run {REFRESH} and commit the diff"
    )


def test_every_operation_lives_under_v1() -> None:
    paths = json.loads(SNAPSHOT.read_text())["paths"]
    assert paths and all(p.startswith("/api/v1/") for p in paths)


def test_every_json_input_refuses_a_field_it_does_not_know() -> None:
    """Every request body, and every object inside one, is an ``api.schemas.In``: a typo
    answers 422 naming the field instead of being dropped (a memo or a visibility lost)."""
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]

    def objects(node: object) -> list[str]:
        """The component names an input refers to, itself included, depth first."""
        found: list[str] = []
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[1]
                return [name, *objects(components[name])]
            for value in node.values():
                found += objects(value)
        elif isinstance(node, list):
            for value in node:
                found += objects(value)
        return found

    inputs = {
        name
        for path in schema["paths"].values()
        for operation in path.values()
        for name in objects(operation.get("requestBody", {}))
    }
    assert len(inputs) >= 15
    lenient = sorted(n for n in inputs if components[n].get("additionalProperties") is not False)
    assert lenient == []
