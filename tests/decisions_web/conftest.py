"""Fixtures of the decision page tests: a three-member assembly, proposals put to the
vote, and a check that a page keeps the strict CSP and labels every field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import charter_adopt, invitation_accept, invitation_create
from dualpower.decisions.models import Proposal
from dualpower.decisions.services import proposal_create, proposal_open, proposal_refresh


@pytest.fixture
def trio(assembly: Body, alice: Person, carol: Person) -> Body:
    """The assembly with alice, bob and carol."""
    _, token = invitation_create(body=assembly, by=alice)
    invitation_accept(token=token, person=carol)
    return assembly


def _set_rule(body: Body, kind: str, **changes: Any) -> None:
    rules = body.charter.model_dump(mode="json")
    rule = rules["decisions"].get(kind) or dict(rules["decisions"]["general"])
    rules["decisions"][kind] = rule | changes
    charter_adopt(body=body, rules=rules, adopted_by="test setup")
    body.__dict__.pop("_charter_cache", None)


@pytest.fixture
def set_rule() -> Callable[..., None]:
    return _set_rule


def _voting(body: Body, author: Person, **kwargs: Any) -> Proposal:
    kwargs.setdefault("title", "Plant trees on Elm Street")
    proposal = proposal_create(body=body, author=author, **kwargs)
    proposal = proposal_open(proposal=proposal, by=author)
    days = proposal.decision_rule.deliberation_days + 0.001
    return proposal_refresh(proposal=proposal, now=timezone.now() + timedelta(days=days))


@pytest.fixture
def voting() -> Callable[..., Proposal]:
    """``voting(body, author, **proposal_create kwargs)``: a proposal open for votes."""
    return _voting


@pytest.fixture
def close() -> Callable[[Proposal], Proposal]:
    """Let the voting period pass, as the worker or a first access would."""
    return lambda p: proposal_refresh(proposal=p, now=timezone.now() + timedelta(days=60))


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self._script = True
            if not a.get("src"):
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style>")
        for name in a:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{name} on <{tag}>")
        if tag == "label" and a.get("for"):
            self.labels.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append(str(a.get("id") or f"<{tag} name={a.get('name')}>"))

    def handle_endtag(self, tag: str) -> None:
        self._script = self._script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.problems.append("inline script code")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    return parser.problems + [f"unlabelled {f}" for f in parser.fields if f not in parser.labels]


@pytest.fixture
def page() -> Callable[[Client, str], str]:
    """``page(client, url)``: GET a page that must render (200), audited."""

    def get(client: Client, url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert audit(html) == [], url
        return html

    return get
