"""Federation from below: joining by two decisions, ratification by every member body."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.accounts.services import person_create
from dualpower.bodies import policy
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body
from dualpower.bodies.selectors import body_members
from dualpower.bodies.services import body_found, body_join, charter_adopt
from dualpower.core.errors import Conflict, Invalid
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.services import (
    ballot_cast,
    proposal_create,
    proposal_open,
    proposal_refresh,
)
from dualpower.federation.models import Ratification
from dualpower.federation.services import federations_of, member_bodies, ratification_progress


def _fast(body: Body, **federation: Any) -> Body:
    """Let the body's decisions go straight to voting (and set its federation rules)."""
    rules = body.charter.model_dump(mode="json")
    for rule in rules["decisions"].values():
        rule["deliberation_days"] = 0
    if federation:
        rules["federation"] = rules["federation"] | federation
    charter_adopt(body=body, rules=rules, adopted_by="test setup")
    body.__dict__.pop("_charter_cache", None)
    return body


def _decide(body: Body, author: Person, *, yes: bool = True, **kwargs: Any) -> Proposal:
    """Write, open and vote a proposal with every member of ``body``."""
    kwargs.setdefault("title", "A decision")
    proposal = proposal_open(
        proposal=proposal_create(body=body, author=author, **kwargs), by=author
    )
    if Ratification.objects.filter(federation_proposal=proposal).exists():
        return proposal  # the member bodies decide
    for membership in body_members(body=body):
        proposal.refresh_from_db()
        if proposal.state == Proposal.State.VOTING:
            ballot_cast(
                proposal=proposal,
                voter=membership.person,
                content={"choice": "yes" if yes else "no"},
            )
    proposal.refresh_from_db()
    return proposal


def _vote_all(proposal: Proposal, *, yes: bool) -> None:
    for membership in body_members(body=proposal.body):
        proposal.refresh_from_db()
        if proposal.state == Proposal.State.VOTING:
            ballot_cast(
                proposal=proposal,
                voter=membership.person,
                content={"choice": "yes" if yes else "no"},
            )


def _person(name: str) -> Person:
    return person_create(
        email=f"{name}@example.org", password="correct horse battery", display_name=name
    )


def _assembly(name: str, founder: Person) -> Body:
    return _fast(body_found(founder=founder, name=name, kind="assembly"))


def _federate(federation: Body, fed_founder: Person, member: Body, member_founder: Person) -> None:
    _decide_in_federation(
        member,
        member_founder,
        [{"name": "federation_join", "params": {"federation": federation.slug}}],
    )
    _decide_in_federation(
        federation, fed_founder, [{"name": "federation_admit", "params": {"body": member.slug}}]
    )


def _decide_in_federation(
    federation: Body, author: Person, actions: list[dict[str, Any]]
) -> Proposal:
    """A federation proposal, ratified by every member body (or voted by its founders
    while it has none)."""
    proposal = _decide(federation, author, actions=actions)
    for ratification in Ratification.objects.filter(federation_proposal=proposal):
        _vote_all(ratification.proposal, yes=True)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def council(alice: Person) -> Body:
    return _fast(body_found(founder=alice, name="City Council", kind="federation"))


def test_a_body_joins_when_both_it_and_the_federation_have_decided(
    council: Body, alice: Person, bob: Person
) -> None:
    east = _assembly("East", bob)
    _decide(
        east, bob, actions=[{"name": "federation_join", "params": {"federation": council.slug}}]
    )
    assert member_bodies(federation=council) == []
    _decide(council, alice, actions=[{"name": "federation_admit", "params": {"body": east.slug}}])
    assert member_bodies(federation=council) == [east]
    assert federations_of(body=east) == [council]
    assert east.journal.filter(kind="federation.joined").exists()
    assert council.journal.filter(kind="federation.joined").exists()
    assert journal_verify(body=east).ok and journal_verify(body=council).ok


def test_a_federation_proposal_is_ratified_by_every_member_body(
    council: Body, alice: Person, bob: Person, carol: Person
) -> None:
    east, west = _assembly("East", bob), _assembly("West", carol)
    _federate(council, alice, east, bob)
    _federate(council, alice, west, carol)
    proposal = _decide(
        council,
        alice,
        title="Rename the council",
        actions=[{"name": "change_profile", "params": {"name": "People's Council"}}],
    )
    assert proposal.state == Proposal.State.VOTING
    progress = ratification_progress(fed_proposal=proposal)
    assert {r.member.name for r in progress} == {"East", "West"}
    assert all(r.vote == "pending" for r in progress)
    with pytest.raises(Conflict, match="ratification"):
        ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=east).proposal, yes=True
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.VOTING  # West has not decided yet
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=west).proposal, yes=True
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED  # every body decided: closed early
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed and outcome.execution == "carried_out"
    council.refresh_from_db()
    assert council.name == "People's Council"
    assert east.journal.filter(kind="proposal.decided").exists()
    assert (
        council.journal.filter(
            kind="ratification.recorded", payload__proposal=proposal.number
        ).count()
        == 2
    )


def test_a_body_that_has_not_decided_by_the_deadline_abstains(
    council: Body, alice: Person, bob: Person, carol: Person
) -> None:
    east, west = _assembly("East", bob), _assembly("West", carol)
    _federate(council, alice, east, bob)
    _federate(council, alice, west, carol)
    proposal = _decide(
        council, alice, title="Resolve", actions=[{"name": "resolution", "params": {"text": "x"}}]
    )
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=east).proposal, yes=True
    )
    assert proposal.voting_closes_at is not None
    proposal = proposal_refresh(
        proposal=proposal, now=proposal.voting_closes_at + timezone.timedelta(seconds=1)
    )
    outcome = Outcome.objects.get(proposal=proposal)
    assert not outcome.passed  # 1 of 2 bodies is not more than half
    assert outcome.result["rounds"][0]["counts"] == {
        "ratified": 1.0,
        "rejected": 0.0,
        "not decided": 1.0,
    }


def test_consensus_of_bodies_fails_on_one_rejection_and_weighting_counts_members(
    alice: Person, bob: Person, carol: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"), count="weighted")
    big, small = _assembly("Big", bob), _assembly("Small", carol)
    for name in ("m1", "m2", "m3"):
        body_join(body=big, person=_person(name))
    _federate(council, alice, big, bob)
    _federate(council, alice, small, carol)
    proposal = _decide(council, alice, actions=[{"name": "resolution", "params": {"text": "x"}}])
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=small).proposal, yes=False
    )
    _vote_all(Ratification.objects.get(federation_proposal=proposal, member=big).proposal, yes=True)
    assert Outcome.objects.get(proposal=proposal).passed  # 4 members for, 1 against
    _fast(council, count="consensus")
    proposal = _decide(
        council, alice, title="Again", actions=[{"name": "resolution", "params": {"text": "y"}}]
    )
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=small).proposal, yes=False
    )
    _vote_all(Ratification.objects.get(federation_proposal=proposal, member=big).proposal, yes=True)
    assert not Outcome.objects.get(proposal=proposal).passed


def test_a_three_level_federation_ratifies_from_the_bottom(
    alice: Person, bob: Person, carol: Person
) -> None:
    region = _fast(body_found(founder=alice, name="Region", kind="federation"))
    city = _fast(body_found(founder=carol, name="City", kind="federation"))
    east = _assembly("East", bob)
    _federate(city, carol, east, bob)
    _federate(region, alice, city, carol)
    proposal = _decide(
        region,
        alice,
        title="Regional charter",
        actions=[{"name": "resolution", "params": {"text": "z"}}],
    )
    city_ratification = Ratification.objects.get(federation_proposal=proposal, member=city).proposal
    east_ratification = Ratification.objects.get(
        federation_proposal=city_ratification, member=east
    ).proposal
    _vote_all(east_ratification, yes=True)
    city_ratification.refresh_from_db()
    assert Outcome.objects.get(proposal=city_ratification).passed
    assert Outcome.objects.get(proposal=proposal).passed


def test_a_body_leaving_mid_ratification_no_longer_counts(
    council: Body, alice: Person, bob: Person, carol: Person
) -> None:
    east, west = _assembly("East", bob), _assembly("West", carol)
    _federate(council, alice, east, bob)
    _federate(council, alice, west, carol)
    proposal = _decide(council, alice, actions=[{"name": "resolution", "params": {"text": "x"}}])
    _decide(
        west,
        carol,
        title="Leave",
        actions=[{"name": "federation_leave", "params": {"federation": council.slug}}],
    )
    assert member_bodies(federation=council) == [east]
    _vote_all(
        Ratification.objects.get(federation_proposal=proposal, member=east).proposal, yes=True
    )
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed and outcome.result["rounds"][0]["counts"]["ratified"] == 1.0


def test_federations_do_not_loop(council: Body, alice: Person, bob: Person) -> None:
    east = _fast(body_found(founder=bob, name="East council", kind="council"))
    _federate(council, alice, east, bob)
    with pytest.raises(Invalid, match="loop"):
        proposal_create(
            body=east,
            author=bob,
            title="x",
            actions=[{"name": "federation_admit", "params": {"body": council.slug}}],
        )


def test_a_federation_cannot_see_the_member_lists_of_its_member_bodies(
    council: Body, alice: Person, bob: Person
) -> None:
    union = _fast(body_found(founder=bob, name="Union", kind="union"))
    _federate(council, alice, union, bob)
    assert not policy.can(alice, "members.view", union)
    assert not policy.can(alice, "journal.view", union)
    assert policy.can(alice, "members.view", council)
