"""Instructed delegates: each body's delegate votes for it, bound and recallable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_federation import _assembly, _decide, _decide_in_federation, _fast

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.services import body_found, mandate_grant, mandate_recall
from dualpower.core.errors import Conflict, NotAllowed
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.services import (
    ballot_cast,
    proposal_create,
    proposal_open,
    proposal_refresh,
)
from dualpower.federation.services import delegate_vote, member_bodies


def _join(federation: Body, fed_founder: Person, member: Body, member_founder: Person) -> None:
    _decide_in_federation(
        member,
        member_founder,
        [{"name": "federation_join", "params": {"federation": federation.slug}}],
    )
    _decide_in_federation(
        federation, fed_founder, [{"name": "federation_admit", "params": {"body": member.slug}}]
    )


def _delegate(body: Body, person: Person) -> Mandate:
    return mandate_grant(
        body=body,
        holder=person,
        role="Delegate",
        powers=["federation.represent"],
        term_days=90,
        granted_by="decision",
    )


def _open(federation: Body, author: Person, actions: list[dict[str, Any]]) -> Proposal:
    draft = proposal_create(
        body=federation, author=author, title="A federation decision", actions=actions
    )
    return proposal_open(proposal=draft, by=author)


def _close(proposal: Proposal) -> Outcome:
    assert proposal.voting_closes_at is not None
    proposal_refresh(proposal=proposal, now=proposal.voting_closes_at + timedelta(seconds=1))
    return Outcome.objects.get(proposal=proposal)


@pytest.fixture
def setup(alice: Person, bob: Person, carol: Person) -> tuple[Body, Body, Body, Mandate]:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"), mode="delegates")
    east, west = _assembly("East", bob), _assembly("West", carol)
    _join(council, alice, east, bob)  # no member bodies yet: the founders decide
    bob_mandate = _delegate(east, bob)
    _decide_in_federation(
        west, carol, [{"name": "federation_join", "params": {"federation": council.slug}}]
    )
    admit = _open(council, alice, [{"name": "federation_admit", "params": {"body": west.slug}}])
    delegate_vote(fed_proposal=admit, delegate=bob, member=east, choice="yes")
    assert _close(admit).passed
    assert member_bodies(federation=council) == [east, west]
    return council, east, west, bob_mandate


def test_delegates_vote_for_their_bodies(
    setup: tuple[Body, Body, Body, Mandate], alice: Person, bob: Person, carol: Person
) -> None:
    council, east, west, _ = setup
    _delegate(west, carol)
    proposal = _open(council, alice, [{"name": "resolution", "params": {"text": "x"}}])
    with pytest.raises(Conflict, match="delegates vote"):
        ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    with pytest.raises(NotAllowed, match="no live mandate"):
        delegate_vote(fed_proposal=proposal, delegate=alice, member=east, choice="yes")
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    delegate_vote(fed_proposal=proposal, delegate=carol, member=west, choice="yes")
    outcome = _close(proposal)
    assert outcome.passed
    assert outcome.result["rounds"][0]["counts"]["ratified"] == 2.0


def test_a_vote_against_the_instruction_is_refused(
    setup: tuple[Body, Body, Body, Mandate], alice: Person, bob: Person
) -> None:
    council, east, _, bob_mandate = setup
    proposal = _open(council, alice, [{"name": "resolution", "params": {"text": "x"}}])
    _decide(
        east,
        bob,
        title="Instruct our delegate",
        actions=[
            {
                "name": "instruct_delegate",
                "params": {
                    "mandate": bob_mandate.pk,
                    "federation": council.slug,
                    "proposal": proposal.number,
                    "vote": "no",
                },
            }
        ],
    )
    with pytest.raises(NotAllowed, match="instructed you to vote no"):
        delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="no")
    assert not _close(proposal).passed


def test_a_recall_takes_effect_at_once_also_mid_vote(
    setup: tuple[Body, Body, Body, Mandate], alice: Person, bob: Person
) -> None:
    council, east, _, bob_mandate = setup
    proposal = _open(council, alice, [{"name": "resolution", "params": {"text": "x"}}])
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    mandate_recall(mandate=bob_mandate, recalled_by="east decision 9")
    with pytest.raises(NotAllowed):
        delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    outcome = _close(proposal)
    assert not outcome.passed
    assert outcome.result["rounds"][0]["counts"]["ratified"] == 0.0


def test_a_delegate_takes_part_in_the_federations_deliberation(
    setup: tuple[Body, Body, Body, Mandate], bob: Person, carol: Person
) -> None:
    council, *_ = setup
    assert policy.can(bob, "comment", council)
    assert not policy.can(carol, "comment", council)  # West has given her no mandate
    assert not policy.can(
        bob, "members.view", _fast(body_found(founder=carol, name="Other", kind="union"))
    )
