"""A headless Chromium for the browser tests, driven by Playwright's sync API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: install it with 'apt-get install -y chromium'"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """Open pages in fresh browser contexts (separate cookies: separate people). Any
    Content-Security-Policy violation or page error fails the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_page() -> Any:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == []


@pytest.fixture
def signed_in(new_page: Any, live_server: Any) -> Any:
    """``signed_in(person)``: a page in a fresh browser context (``new_page``, which fails
    the test on any CSP violation or script error) carrying ``person``'s session."""
    from django.conf import settings
    from django.test import Client

    def open_as(person: Any) -> Any:
        client = Client()
        client.force_login(person)
        page = new_page()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        return page

    return open_as
