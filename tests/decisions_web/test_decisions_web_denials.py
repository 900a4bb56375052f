"""Whoever may not see a body's decisions gets, on every decision URL, the same 404 as
for a body that does not exist; other refusals carry their own status."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.decisions.models import Amendment, Proposal
from dualpower.decisions.services import amendment_propose, proposal_create, proposal_open

pytestmark = pytest.mark.django_db

GETS = ["", "new/", "{n}/", "{n}/result/", "{n}/ballots.blt"]
POSTS = [
    "new/",
    "{n}/cosign/",
    "{n}/open/",
    "{n}/withdraw/",
    "{n}/stand/",
    "{n}/comments/",
    "{n}/amendments/",
    "{n}/amendments/{a}/decide/",
    "{n}/ballot/",
]


@pytest.fixture
def opened(assembly: Body, alice: Person, bob: Person) -> tuple[Proposal, Amendment]:
    proposal = proposal_open(
        proposal=proposal_create(body=assembly, author=alice, title="Secret plans", text="x"),
        by=alice,
    )
    return proposal, amendment_propose(proposal=proposal, author=bob, text="y")


def _url(slug: str, tail: str, proposal: Proposal, amendment: Amendment) -> str:
    return f"/bodies/{slug}/proposals/" + tail.format(n=proposal.number, a=amendment.pk)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_non_member_gets_the_missing_body_404_on_every_decision_url(
    client: Client, assembly: Body, dave: Person, opened: Any, method: str
) -> None:
    client.force_login(dave)
    for tail in GETS if method == "get" else POSTS:
        url = _url(assembly.slug, tail, *opened)
        response = getattr(client, method)(url, {"choice": "yes", "text": "x"})
        missing = getattr(client, method)(_url("no-such-body", tail, *opened), {"text": "x"})
        assert response.status_code == 404, url
        assert response.content == missing.content, url
        assert b"Secret plans" not in response.content


def test_a_signed_out_visitor_gets_404_on_a_members_only_body(
    client: Client, assembly: Body, opened: Any
) -> None:
    for tail in GETS[:1] + GETS[2:]:
        assert client.get(_url(assembly.slug, tail, *opened)).status_code == 404


def test_a_hidden_body_s_proposals_are_404_to_outsiders(
    client: Client, caucus: Body, alice: Person, dave: Person
) -> None:
    proposal = proposal_create(body=caucus, author=alice, title="Hidden")
    client.force_login(dave)
    assert client.get(proposal.path).status_code == 404
    client.force_login(alice)
    assert client.get(proposal.path).status_code == 200


def test_a_missing_proposal_is_404(client: Client, assembly: Body, alice: Person) -> None:
    client.force_login(alice)
    assert client.get(f"/bodies/{assembly.slug}/proposals/99/").status_code == 404
    assert client.post(f"/bodies/{assembly.slug}/proposals/99/ballot/").status_code == 404


def test_the_result_and_the_blt_wait_for_the_close(
    client: Client, assembly: Body, alice: Person, opened: Any
) -> None:
    proposal, _ = opened
    client.force_login(alice)
    response = client.get(proposal.path + "result/")
    assert response.status_code == 409 and b"when voting closes" in response.content
    assert client.get(proposal.path + "ballots.blt").status_code == 409


def test_only_the_author_decides_on_amendments_and_opens(
    client: Client, assembly: Body, bob: Person, opened: Any
) -> None:
    proposal, amendment = opened
    client.force_login(bob)
    url = proposal.path + f"amendments/{amendment.pk}/decide/"
    assert client.post(url, {"decision": "accept"}).status_code == 403
    assert client.post(proposal.path + "withdraw/").status_code == 403
    assert client.post(proposal.path + "open/").status_code == 403


def test_pages_refuse_the_wrong_method(
    client: Client, assembly: Body, alice: Person, opened: Any
) -> None:
    proposal, _ = opened
    client.force_login(alice)
    assert client.get(proposal.path + "ballot/").status_code == 405
    assert client.post(proposal.path).status_code == 405


def test_the_person_pickers_follow_the_member_list_rule(
    client: Client, union: Body, alice: Person, bob: Person
) -> None:
    """In a union only the holder of 'members.view' (alice) sees who the members are;
    the new-proposal form must not list them to bob."""
    client.force_login(bob)
    html = client.get(f"/bodies/{union.slug}/proposals/new/").content.decode()
    assert f'<option value="{alice.pk}">Alice</option>' not in html
    client.force_login(alice)
    html = client.get(f"/bodies/{union.slug}/proposals/new/").content.decode()
    assert f'<option value="{bob.pk}">Bob</option>' in html
