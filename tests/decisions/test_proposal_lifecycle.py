from __future__ import annotations

import pytest
from decision_helpers import advance, set_rule, voting_proposal

from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body
from dualpower.core.errors import Conflict, Invalid, NotAllowed
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.services import (
    amendment_decide,
    amendment_propose,
    ballot_cast,
    comment_add,
    proposal_cosign,
    proposal_create,
    proposal_open,
    proposal_withdraw,
)

State = Proposal.State


def test_a_proposal_goes_from_draft_through_deliberation_and_voting_to_an_executed_action(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    proposal = proposal_create(
        body=trio,
        author=alice,
        title="Rename us",
        actions=[{"name": "change_profile", "params": {"name": "Eastside Popular Assembly"}}],
    )
    assert proposal.state == State.DRAFT
    proposal = proposal_open(proposal=proposal, by=alice)
    assert proposal.state == State.DELIBERATION
    comment_add(proposal=proposal, author=bob, text="Good idea")
    with pytest.raises(Conflict, match="not open"):
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    proposal = advance(proposal, days=proposal.decision_rule.deliberation_days + 0.01)
    assert proposal.state == State.VOTING
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "no"})
    proposal = advance(proposal, days=30)
    assert proposal.state == State.CLOSED
    outcome = Outcome.objects.get(proposal=proposal)
    assert not outcome.passed  # 1 yes, 1 no: no majority
    trio.refresh_from_db()
    assert trio.name == "Eastside Assembly"


def test_a_passed_proposal_applies_its_actions(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    proposal = voting_proposal(
        trio,
        alice,
        actions=[{"name": "change_profile", "params": {"name": "Eastside Popular Assembly"}}],
    )
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    proposal = advance(proposal, days=30)
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed and outcome.execution == Outcome.Execution.CARRIED_OUT
    trio.refresh_from_db()
    assert trio.name == "Eastside Popular Assembly"
    kinds = [e.kind for e in selectors.body_journal(body=trio)]
    assert kinds[-2:] == ["body.profile_changed", "proposal.decided"]
    assert journal_verify(body=trio).ok


def test_voting_closes_early_when_every_member_has_voted(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    proposal = voting_proposal(
        trio, alice, actions=[{"name": "resolution", "params": {"text": "We exist."}}]
    )
    for person in (alice, bob, carol):
        ballot_cast(proposal=proposal, voter=person, content={"choice": "yes"})
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    assert Outcome.objects.get(proposal=proposal).participants == 3


def test_the_last_ballot_counts(trio: Body, alice: Person, bob: Person) -> None:
    proposal = voting_proposal(trio, alice)
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "no"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    proposal = advance(proposal, days=30)
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed
    assert outcome.result["rounds"][0]["counts"] == {"yes": 2.0, "no": 0.0, "abstain": 0.0}


def test_voting_after_the_close_is_a_conflict(trio: Body, alice: Person, bob: Person) -> None:
    proposal = voting_proposal(trio, alice)
    proposal = advance(proposal, days=30)
    with pytest.raises(Conflict, match="closed"):
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})


def test_a_non_member_can_neither_propose_nor_vote(trio: Body, alice: Person, dave: Person) -> None:
    with pytest.raises(NotAllowed):
        proposal_create(body=trio, author=dave, title="Let me in")
    proposal = voting_proposal(trio, alice)
    with pytest.raises(NotAllowed):
        ballot_cast(proposal=proposal, voter=dave, content={"choice": "yes"})


@pytest.mark.parametrize(
    ("content", "problem"),
    [({"choice": "maybe"}, "choose one of"), ({}, "choose one of"), ("yes", "object")],
)
def test_an_invalid_motion_ballot_names_the_problem(
    trio: Body, alice: Person, content: object, problem: str
) -> None:
    proposal = voting_proposal(trio, alice)
    with pytest.raises(Invalid, match=problem):
        ballot_cast(proposal=proposal, voter=alice, content=content)


def test_co_signers_are_gathered_before_opening(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    set_rule(trio, "general", cosigners=2)
    proposal = proposal_create(body=trio, author=alice, title="Needs support")
    proposal_cosign(proposal=proposal, person=bob)
    with pytest.raises(Conflict, match="2 co-signers"):
        proposal_open(proposal=proposal, by=alice)
    with pytest.raises(Conflict, match="already co-signed"):
        proposal_cosign(proposal=proposal, person=bob)
    proposal_cosign(proposal=proposal, person=carol)
    assert proposal_open(proposal=proposal, by=alice).state == State.DELIBERATION


def test_the_author_accepts_an_amendment(trio: Body, alice: Person, bob: Person) -> None:
    proposal = proposal_create(body=trio, author=alice, title="Trees", text="Plant 10 trees.")
    proposal = proposal_open(proposal=proposal, by=alice)
    amendment = amendment_propose(
        proposal=proposal, author=bob, text="Plant 20 trees.", reason="More shade"
    )
    with pytest.raises(NotAllowed):
        amendment_decide(amendment=amendment, by=bob, accept=True)
    amendment_decide(amendment=amendment, by=alice, accept=True)
    proposal.refresh_from_db()
    assert proposal.text == "Plant 20 trees."


def test_a_withdrawn_proposal_is_never_counted(trio: Body, alice: Person, bob: Person) -> None:
    proposal = proposal_open(
        proposal=proposal_create(body=trio, author=alice, title="Oops"), by=alice
    )
    proposal_withdraw(proposal=proposal, by=alice)
    proposal = advance(proposal, days=30)
    assert proposal.state == State.WITHDRAWN
    assert not Outcome.objects.filter(proposal=proposal).exists()


def test_a_proposal_whose_action_became_impossible_passes_but_is_not_carried_out(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    proposal = voting_proposal(
        trio,
        alice,
        actions=[
            {"name": "resolution", "params": {"text": "Thanks, Carol"}},
            {
                "name": "fill_mandate",
                "params": {"role": "Facilitator", "powers": ["moderate"], "holder": carol.pk},
            },
        ],
    )
    from dualpower.bodies.services import membership_leave

    membership_leave(body=trio, person=carol)
    before = trio.journal.count()
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    proposal.refresh_from_db()
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed and outcome.summary == "Passed, not carried out"
    assert "not a member" in outcome.execution_error
    # nothing half-applied: the resolution was not journaled either, only the decision
    assert [e.kind for e in trio.journal.filter(seq__gt=before)] == ["proposal.decided"]
    assert not policy.can(carol, "moderate", trio)


def test_where_the_charter_says_so_an_amendment_goes_to_a_vote_of_its_own(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    set_rule(trio, "general", amendments="vote", deliberation_days=5)
    proposal = proposal_open(
        proposal=proposal_create(body=trio, author=alice, title="Trees", text="Plant 10 trees."),
        by=alice,
    )
    amendment = amendment_propose(
        proposal=proposal, author=bob, text="Plant 20 trees.", reason="Shade"
    )
    with pytest.raises(Conflict, match="vote of their own"):
        amendment_decide(amendment=amendment, by=alice, accept=True)
    vote = Proposal.objects.get(body=trio, number=proposal.number + 1)
    assert vote.author == bob and vote.actions[0]["name"] == "accept_amendment"
    set_rule(trio, "general", amendments="vote", deliberation_days=0)
    vote = proposal_open(proposal=vote, by=bob)
    for person in (alice, bob, carol):
        ballot_cast(proposal=vote, voter=person, content={"choice": "yes"})
    proposal.refresh_from_db()
    assert proposal.text == "Plant 20 trees."
    assert proposal.state == State.DELIBERATION
