"""Decisions over the API: the whole life of a proposal, and every refusal as problem JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from decision_helpers import advance, set_rule
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.models import Body
from dualpower.decisions.models import Proposal


class Api:
    def __init__(self, person: Person | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if person is not None:
            _, token = api_token_create(person=person, label="test")
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return str(response.json()["detail"])


@pytest.fixture
def api_alice(alice: Person) -> Api:
    return Api(alice)


def test_a_proposal_is_written_opened_voted_and_carried_out(
    trio: Body, alice: Person, bob: Person, carol: Person, api_alice: Api
) -> None:
    set_rule(trio, "general", deliberation_days=0)
    base = f"/bodies/{trio.slug}/proposals"
    created = api_alice.post(
        base,
        {
            "title": "Rename",
            "actions": [{"name": "change_profile", "params": {"name": "Eastside Commons"}}],
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert api_alice.post(f"{base}/{number}/open").json()["state"] == "voting"
    receipts = [
        Api(p).post(f"{base}/{number}/ballots", {"content": {"choice": "yes"}})
        for p in (alice, bob, carol)
    ]
    assert [r.status_code for r in receipts] == [200, 200, 200]
    assert receipts[-1].json()["state"] == "closed"
    detail = api_alice.get(f"{base}/{number}").json()
    assert detail["outcome"]["passed"] and detail["outcome"]["execution"] == "carried_out"
    trio.refresh_from_db()
    assert trio.name == "Eastside Commons"
    ballots = api_alice.get(f"{base}/{number}/ballots").json()
    assert sorted(b["voter"] for b in ballots) == ["Alice", "Bob", "Carol"]


def test_comments_and_amendments(trio: Body, alice: Person, bob: Person, api_alice: Api) -> None:
    base = f"/bodies/{trio.slug}/proposals"
    number = api_alice.post(base, {"title": "Trees", "text": "Plant 10."}).json()["number"]
    api_alice.post(f"{base}/{number}/open")
    api_bob = Api(bob)
    comment = api_bob.post(f"{base}/{number}/comments", {"text": "Why 10?"})
    assert comment.status_code == 201
    reply = api_alice.post(
        f"{base}/{number}/comments", {"text": "Budget.", "parent": comment.json()["id"]}
    )
    assert reply.json()["parent"] == comment.json()["id"]
    amendment = api_bob.post(
        f"{base}/{number}/amendments", {"text": "Plant 20.", "reason": "Shade"}
    ).json()
    accepted = api_alice.post(f"{base}/{number}/amendments/{amendment['id']}/accept")
    assert accepted.json()["state"] == "accepted"
    assert api_alice.get(f"{base}/{number}").json()["text"] == "Plant 20."


def test_voting_after_the_close_is_409(
    trio: Body, alice: Person, bob: Person, api_alice: Api
) -> None:
    base = f"/bodies/{trio.slug}/proposals"
    number = api_alice.post(base, {"title": "Late"}).json()["number"]
    api_alice.post(f"{base}/{number}/open")
    advance(Proposal.objects.get(body=trio, number=number), days=60)
    assert "closed" in problem(
        Api(bob).post(f"{base}/{number}/ballots", {"content": {"choice": "yes"}}), 409
    )


def test_invalid_ballots_are_422_naming_the_problem(
    trio: Body, alice: Person, api_alice: Api
) -> None:
    set_rule(trio, "general", deliberation_days=0, method="irv")
    base = f"/bodies/{trio.slug}/proposals"
    number = api_alice.post(base, {"title": "Pick", "options": ["A", "B"]}).json()["number"]
    api_alice.post(f"{base}/{number}/open")
    assert "unknown option 'Z'" in problem(
        api_alice.post(f"{base}/{number}/ballots", {"content": {"ranking": ["Z"]}}), 422
    )
    assert problem(api_alice.post(f"{base}/{number}/ballots", {"nothing": 1}), 422)


def test_a_block_without_a_reason_is_422(trio: Body, alice: Person, api_alice: Api) -> None:
    set_rule(trio, "general", deliberation_days=0, method="consensus")
    base = f"/bodies/{trio.slug}/proposals"
    number = api_alice.post(base, {"title": "Agree?"}).json()["number"]
    api_alice.post(f"{base}/{number}/open")
    assert "reason" in problem(
        api_alice.post(f"{base}/{number}/ballots", {"content": {"choice": "block"}}), 422
    )


def test_a_non_member_gets_404_like_a_missing_body(
    trio: Body, alice: Person, dave: Person, api_alice: Api
) -> None:
    base = f"/bodies/{trio.slug}/proposals"
    number = api_alice.post(base, {"title": "Ours"}).json()["number"]
    api_dave = Api(dave)
    hidden = api_dave.get(f"{base}/{number}")
    missing = api_dave.get(f"/bodies/no-such-body/proposals/{number}")
    problem(hidden, 404)
    assert hidden.content == missing.content
    problem(api_dave.get(base), 404)
    problem(api_dave.post(base, {"title": "Mine"}), 404)
    problem(Api().get(base), 404)


def test_a_bad_action_is_422(trio: Body, api_alice: Api) -> None:
    response = api_alice.post(
        f"/bodies/{trio.slug}/proposals",
        {"title": "x", "actions": [{"name": "crown", "params": {}}]},
    )
    assert "unknown action" in problem(response, 422)


def test_anonymous_writes_are_401(trio: Body) -> None:
    assert Api().post(f"/bodies/{trio.slug}/proposals", {"title": "x"}).status_code == 401
