"""Helpers for the web tests: an HTML audit and signing in."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client

from dualpower.accounts.models import Person


class PageAudit(HTMLParser):
    """Collects what a strict Content-Security-Policy and accessibility forbid."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            # A JSON data block is not code: CSP lets it be (allauth's e-mail page has one).
            self._in_script = a.get("type") != "application/json"
            if self._in_script and not a.get("src"):
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name in a:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"inline handler {name} on <{tag}>")
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append(str(a.get("id") or f"<{tag} name={a.get('name')}> without id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("script with inline code")


def audit(html: str) -> list[str]:
    """Every CSP or labelling problem of a page (an empty list for a good page)."""
    parser = PageAudit()
    parser.feed(html)
    unlabelled = [f"unlabelled field {f}" for f in parser.fields if f not in parser.labels]
    return parser.problems + unlabelled


def signed_in(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client
