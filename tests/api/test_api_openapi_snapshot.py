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
