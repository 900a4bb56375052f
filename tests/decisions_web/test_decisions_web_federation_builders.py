"""Federating from the new-proposal page with plain fields, no JSON: join, leave, admit a
member body, instruct a delegate. Each builder stores exactly the action that the same
parameters as JSON (the API) store, refuses what it did not offer with a message, and
offers only the bodies the person may see."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.services import body_found, charter_adopt, mandate_grant
from dualpower.decisions.models import Proposal
from dualpower.decisions.services import proposal_create
from dualpower.federation.services import federation_consent


def _client(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _propose(person: Person, body: Body, fields: dict[str, str]) -> Any:
    return _client(person).post(
        f"/bodies/{body.slug}/proposals/new/",
        {"title": "Federate", "decision_kind": "general", **fields},
    )


def _by_form(person: Person, body: Body, fields: dict[str, str]) -> Proposal:
    response = _propose(person, body, fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Proposal.objects.filter(body=body).order_by("-number")[0]


def _by_json(person: Person, body: Body, name: str, params: str) -> Proposal:
    """The same action written by hand: its parameters as JSON, through the API."""
    _, token = api_token_create(person=person, label="test")
    response = Client().post(
        f"/api/v1/bodies/{body.slug}/proposals",
        data=json.dumps(
            {"title": "By hand", "actions": [{"name": name, "params": json.loads(params)}]}
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    return Proposal.objects.get(body=body, number=response.json()["number"])


def _same_as_json(form: Proposal, json_made: Proposal) -> None:
    assert form.actions == json_made.actions
    assert form.decision_kind == json_made.decision_kind == "federation"


def _members(federation: Body, member: Body) -> None:
    """Both decisions taken: ``member`` is in ``federation``."""
    federation_consent(federation=federation, member=member, side="body", decision="test")
    federation_consent(federation=federation, member=member, side="federation", decision="test")


def _errors(response: Any, status: int = 422) -> str:
    assert response.status_code == status, response.status_code
    return str(response.content.decode())


@pytest.fixture
def council(alice: Person) -> Body:
    return body_found(founder=alice, name="City Council", kind="federation")


@pytest.fixture
def hidden_federation(dave: Person) -> Body:
    return body_found(founder=dave, name="Quiet Federation", kind="federation", visibility="hidden")


def test_joining_by_the_builder_stores_what_the_json_stores(
    assembly: Body, alice: Person, council: Body
) -> None:
    form = _by_form(alice, assembly, {"action": "federation_join", "join_federation": council.slug})
    _same_as_json(
        form, _by_json(alice, assembly, "federation_join", f'{{"federation": "{council.slug}"}}')
    )
    assert form.actions == [{"name": "federation_join", "params": {"federation": council.slug}}]


def test_the_join_picker_lists_visible_federations_only_and_not_those_the_body_is_in(
    assembly: Body, alice: Person, dave: Person, council: Body, hidden_federation: Body,
    page: Callable[[Client, str], str],
) -> None:  # fmt: skip
    other = body_found(founder=dave, name="Regional Union Federation", kind="federation")
    html = page(_client(alice), f"/bodies/{assembly.slug}/proposals/new/")
    assert f'value="{council.slug}">City Council' in html
    assert f'value="{other.slug}">Regional Union Federation' in html
    assert "Quiet Federation" not in html and hidden_federation.slug not in html
    _members(council, assembly)
    html = page(_client(alice), f"/bodies/{assembly.slug}/proposals/new/")
    join = html[html.index('name="join_federation"') : html.index('name="leave_federation"')]
    assert council.slug not in join and other.slug in join


def test_joining_a_federation_that_is_unknown_hidden_or_already_ours_is_a_422_saying_why(
    assembly: Body, alice: Person, council: Body, hidden_federation: Body
) -> None:
    unknown = _errors(
        _propose(alice, assembly, {"action": "federation_join", "join_federation": "no-such"})
    )
    assert "“no-such” is not a federation this body can join: choose one from the list." in unknown
    hidden = _errors(
        _propose(
            alice,
            assembly,
            {"action": "federation_join", "join_federation": hidden_federation.slug},
        )
    )
    assert f"“{hidden_federation.slug}” is not a federation this body can join" in hidden
    assert "Quiet Federation" not in hidden  # the same answer as for no federation at all
    _members(council, assembly)
    already = _errors(
        _propose(alice, assembly, {"action": "federation_join", "join_federation": council.slug})
    )
    assert "This body is already in City Council." in already
    nothing = _errors(_propose(alice, assembly, {"action": "federation_join"}))
    assert "Choose the federation to join." in nothing
    assert not Proposal.objects.filter(body=assembly).exists()


def test_leaving_by_the_builder_stores_what_the_json_stores(
    assembly: Body, alice: Person, council: Body
) -> None:
    _members(council, assembly)
    form = _by_form(
        alice, assembly, {"action": "federation_leave", "leave_federation": council.slug}
    )
    _same_as_json(
        form, _by_json(alice, assembly, "federation_leave", f'{{"federation": "{council.slug}"}}')
    )
    refused = _errors(
        _propose(alice, assembly, {"action": "federation_leave", "leave_federation": "no-such"})
    )
    assert "“no-such” is not a federation this body is in" in refused


def test_a_federation_admits_a_body_that_decided_to_join_as_the_json_would(
    alice: Person, bob: Person, council: Body, page: Callable[[Client, str], str]
) -> None:
    east = body_found(founder=bob, name="East Assembly", kind="assembly")
    federation_consent(federation=council, member=east, side="body", decision="east 1")
    html = page(_client(alice), f"/bodies/{council.slug}/proposals/new/")
    asked = html[html.index('label="Decided to join"') : html.index('label="Other bodies"')]
    assert "East Assembly" in asked
    form = _by_form(alice, council, {"action": "federation_admit", "admit_body": east.slug})
    _same_as_json(form, _by_json(alice, council, "federation_admit", f'{{"body": "{east.slug}"}}'))


def test_the_admit_picker_never_lists_a_hidden_body_that_asked_and_refuses_it(
    alice: Person, dave: Person, council: Body, page: Callable[[Client, str], str]
) -> None:
    quiet = body_found(founder=dave, name="Quiet Assembly", kind="assembly", visibility="hidden")
    federation_consent(federation=council, member=quiet, side="body", decision="quiet 1")
    html = page(_client(alice), f"/bodies/{council.slug}/proposals/new/")
    assert "Quiet Assembly" not in html and quiet.slug not in html
    refused = _errors(
        _propose(alice, council, {"action": "federation_admit", "admit_body": quiet.slug})
    )
    assert f"“{quiet.slug}” is not a body this federation can admit" in refused
    assert not Proposal.objects.filter(body=council).exists()


def test_a_body_that_is_no_federation_is_not_offered_to_admit_bodies(
    assembly: Body, alice: Person, page: Callable[[Client, str], str]
) -> None:
    html = page(_client(alice), f"/bodies/{assembly.slug}/proposals/new/")
    assert 'value="federation_admit"' not in html and 'name="admit_body"' not in html
    refused = _errors(_propose(alice, assembly, {"action": "federation_admit", "admit_body": "x"}))
    assert "Select a valid choice" in refused


def _delegates_mode(federation: Body, **changes: Any) -> Body:
    rules = federation.charter.model_dump(mode="json") | changes
    rules["federation"] = rules["federation"] | {"mode": "delegates"}
    charter_adopt(body=federation, rules=rules, adopted_by="test setup")
    federation.__dict__.pop("_charter_cache", None)
    return federation


def _delegate(body: Body, person: Person) -> Mandate:
    return mandate_grant(
        body=body,
        holder=person,
        role="Delegate",
        powers=["federation.represent"],
        term_days=90,
        granted_by="test",
    )


def test_instructing_the_delegate_by_the_builder_stores_what_the_json_stores(
    assembly: Body, alice: Person, bob: Person, council: Body, page: Callable[[Client, str], str]
) -> None:
    _members(_delegates_mode(council), assembly)
    mandate = _delegate(assembly, bob)
    shared = proposal_create(body=council, author=alice, title="Share the tool library")
    html = page(_client(alice), f"/bodies/{assembly.slug}/proposals/new/")
    assert f'value="{mandate.pk}">Delegate: Bob' in html
    assert (
        f'value="{council.slug}/{shared.number}">City Council, {shared.number}. Share the tool library'
        in html
    )
    fields = {
        "action": "instruct_delegate",
        "instruct_mandate": str(mandate.pk),
        "instruct_proposal": f"{council.slug}/{shared.number}",
        "instruct_vote": "no",
    }
    form = _by_form(alice, assembly, fields)
    params = f'{{"mandate": {mandate.pk}, "federation": "{council.slug}", "proposal": {shared.number}, "vote": "no"}}'
    _same_as_json(form, _by_json(alice, assembly, "instruct_delegate", params))


def test_an_instruction_on_a_proposal_not_offered_or_without_a_vote_is_a_422(
    assembly: Body, alice: Person, bob: Person, council: Body
) -> None:
    _members(_delegates_mode(council), assembly)
    mandate = _delegate(assembly, bob)
    fields = {
        "action": "instruct_delegate",
        "instruct_mandate": str(mandate.pk),
        "instruct_proposal": f"{council.slug}/99",
        "instruct_vote": "yes",
    }
    refused = _errors(_propose(alice, assembly, fields))
    assert f"“{council.slug}/99” is not an open proposal of a federation this body is in" in refused
    shared = proposal_create(body=council, author=alice, title="Share the tool library")
    no_vote = fields | {"instruct_proposal": f"{council.slug}/{shared.number}", "instruct_vote": ""}
    assert "Choose how they are to vote." in _errors(_propose(alice, assembly, no_vote))
    assert not Proposal.objects.filter(body=assembly).exists()


def test_the_instruction_picker_hides_proposals_of_a_federation_whose_decisions_one_may_not_see(
    assembly: Body, alice: Person, bob: Person, dave: Person, page: Callable[[Client, str], str]
) -> None:
    council = body_found(founder=dave, name="Closed Council", kind="federation")
    closed = _delegates_mode(council, member_list="members")  # its decisions: its members'

    _members(closed, assembly)
    _delegate(assembly, bob)
    proposal_create(body=closed, author=dave, title="A closed-door matter")
    html = page(_client(alice), f"/bodies/{assembly.slug}/proposals/new/")
    assert f'value="{closed.slug}">Closed Council' in html  # it may leave it
    assert "A closed-door matter" not in html and f'value="{closed.slug}/1"' not in html
