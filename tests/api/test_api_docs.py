"""/api/docs works under ``Content-Security-Policy: default-src 'self'``: every script and
style comes from the app's own static files, and no script is inline."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[dict[str, str | None]] = []
        self.styles = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        self.handlers += [k for k, _ in attrs if k.startswith("on")]
        if tag == "script" and not found.get("src"):
            self.inline_scripts.append(found)
        if tag == "style" or "style" in found:
            self.styles += 1


def test_the_docs_page_loads_only_local_assets_and_no_inline_script() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    refs = _Refs()
    refs.feed(response.content.decode())
    assert refs.urls, "the page should load Swagger UI"
    assert all(url.startswith("/static/") for url in refs.urls), refs.urls
    assert "//" not in "".join(refs.urls)
    # The one script without src is Swagger UI's settings: a JSON data block, which
    # the browser never executes (so CSP does not apply to it).
    assert [s.get("type") for s in refs.inline_scripts] == ["application/json"]
    assert refs.handlers == []
    assert refs.styles == 0


def test_the_docs_assets_are_served_by_the_app(db: None) -> None:
    client = Client()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{asset}")
        assert response.status_code == 200, asset
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.close()  # (sends request_finished, which touches the database)


def test_the_docs_point_at_the_local_schema() -> None:
    html = Client().get("/api/docs").content.decode()
    assert '"url": "/api/openapi.json"' in html
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "dualpower"
