"""Helpers of the API tests: a JSON client and a problem-JSON assertion."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = Any


__all__ = ["Api", "Response", "problem"]


class Api:
    """A JSON client for /api/v1, sending ``Authorization: Bearer`` when it has a token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else f"/api/v1{path}"

    def get(self, path: str, **params: Any) -> Response:
        return self.client.get(self._url(path), params, headers=self.headers)

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        call = getattr(self.client, method)
        return call(  # type: ignore[no-any-return]
            self._url(path),
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def post(self, path: str, body: Any = None, **kw: Any) -> Response:
        return self.send("post", path, body, **kw)

    def delete(self, path: str) -> Response:
        return self.send("delete", path, raw="")


def problem(response: Response, status: int) -> dict[str, Any]:
    """Assert ``response`` is problem JSON with ``status``; return it."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["type"].startswith("urn:dualpower:problem:")
    assert body["title"] and body["detail"]
    return body
