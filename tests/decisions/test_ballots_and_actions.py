from __future__ import annotations

import threading

import pytest
from decision_helpers import advance, set_rule, voting_proposal
from django.db import connection

from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.services import body_found, body_join, mandate_grant
from dualpower.core.errors import Conflict, Invalid, NotAllowed
from dualpower.decisions.models import Ballot, Outcome, Participation, Proposal
from dualpower.decisions.selectors import proposal_published_ballots
from dualpower.decisions.services import (
    ballot_cast,
    candidacy_stand,
    proposal_create,
    proposal_open,
    proposals_advance_due,
)


def test_a_secret_ballot_is_linked_to_nobody_and_found_by_its_receipt(
    trio: Body, alice: Person, bob: Person
) -> None:
    set_rule(trio, "general", ballot="secret")
    proposal = voting_proposal(trio, alice)
    receipt = ballot_cast(proposal=proposal, voter=bob, content={"choice": "no"})
    ballot = Ballot.objects.get(proposal=proposal)
    assert ballot.voter is None and ballot.receipt == receipt
    assert Participation.objects.filter(proposal=proposal, person=bob).exists()
    with pytest.raises(Conflict, match="receipt"):
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    assert (
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"}, receipt=receipt)
        == receipt
    )
    assert Ballot.objects.get(proposal=proposal).content == {"choice": "yes"}
    assert not proposal_published_ballots(proposal=proposal).exists()  # not before the close
    proposal = advance(proposal, days=30)
    published = list(proposal_published_ballots(proposal=proposal))
    assert [(b.receipt, b.voter, b.content) for b in published] == [
        (receipt, None, {"choice": "yes"})
    ]


def test_an_objection_and_a_block_need_a_reason(trio: Body, alice: Person, bob: Person) -> None:
    set_rule(trio, "general", method="consent")
    proposal = voting_proposal(trio, alice)
    with pytest.raises(Invalid, match="objection needs a reason"):
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "object"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "object", "reason": "Too costly"})
    proposal = advance(proposal, days=30)
    assert not Outcome.objects.get(proposal=proposal).passed
    set_rule(trio, "general", method="consensus")
    proposal = voting_proposal(trio, alice, title="Second try")
    with pytest.raises(Invalid, match="block needs a reason"):
        ballot_cast(proposal=proposal, voter=bob, content={"choice": "block"})


def test_quorum_not_reached_fails_the_motion(trio: Body, alice: Person) -> None:
    set_rule(trio, "general", quorum=0.5)
    proposal = voting_proposal(trio, alice)
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    proposal = advance(proposal, days=30)
    outcome = Outcome.objects.get(proposal=proposal)
    assert not outcome.passed
    assert "quorum" in outcome.result["explanation"]


def test_an_approval_vote_picks_the_most_approved_option(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    set_rule(trio, "general", method="approval")
    proposal = voting_proposal(
        trio, alice, title="Where to meet", options=["Library", "Park", "Cafe"]
    )
    with pytest.raises(Invalid, match="unknown option 'Moon'"):
        ballot_cast(proposal=proposal, voter=alice, content={"approve": ["Moon"]})
    ballot_cast(proposal=proposal, voter=alice, content={"approve": ["Library", "Park"]})
    ballot_cast(proposal=proposal, voter=bob, content={"approve": ["Park"]})
    ballot_cast(proposal=proposal, voter=carol, content={"approve": ["Cafe", "Park"]})
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.winners() == ["Park"]


def test_a_quadratic_ballot_over_budget_is_refused(trio: Body, alice: Person) -> None:
    set_rule(trio, "general", method="quadratic", credits=10)
    proposal = voting_proposal(trio, alice, options=["Park", "Pool"])
    with pytest.raises(Invalid, match="costs 13 credits, over the budget of 10"):
        ballot_cast(proposal=proposal, voter=alice, content={"votes": {"Park": 3, "Pool": 2}})


def test_an_unknown_option_in_a_ranking_is_refused(trio: Body, alice: Person) -> None:
    set_rule(trio, "general", method="irv")
    proposal = voting_proposal(trio, alice, options=["A", "B", "C"])
    with pytest.raises(Invalid, match="unknown option 'D'"):
        ballot_cast(proposal=proposal, voter=alice, content={"ranking": ["A", "D"]})


def test_an_stv_election_fills_a_mandate_among_those_who_stood(
    trio: Body, alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    body_join(body=trio, person=dave)
    set_rule(trio, "fill_mandate", seats=2, deliberation_days=1)
    proposal = proposal_create(
        body=trio,
        author=alice,
        title="Elect two delegates",
        actions=[
            {
                "name": "fill_mandate",
                "params": {"role": "Delegate", "powers": ["federation.represent"], "term_days": 90},
            }
        ],
    )
    assert proposal.decision_kind == "fill_mandate"
    proposal = proposal_open(proposal=proposal, by=alice)
    for person in (bob, carol, dave):
        candidacy_stand(proposal=proposal, person=person)
    proposal = advance(proposal, days=1.01)
    keys = {p.name: f"p{p.pk}" for p in (bob, carol, dave)}
    ballot_cast(proposal=proposal, voter=alice, content={"ranking": [keys["Bob"], keys["Carol"]]})
    ballot_cast(proposal=proposal, voter=bob, content={"ranking": [keys["Bob"], keys["Dave"]]})
    ballot_cast(proposal=proposal, voter=carol, content={"ranking": [keys["Carol"], keys["Bob"]]})
    ballot_cast(proposal=proposal, voter=dave, content={"ranking": [keys["Carol"], keys["Dave"]]})
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.execution == Outcome.Execution.CARRIED_OUT
    holders = {m.holder.name for m in selectors.body_mandates(body=trio).filter(role="Delegate")}
    assert holders == {"Bob", "Carol"}
    assert policy.can(bob, "federation.represent", trio)
    assert not policy.can(dave, "federation.represent", trio)


def test_a_decision_admits_an_applicant(alice: Person, bob: Person, carol: Person) -> None:
    coop = body_found(founder=alice, name="Bakery", kind="cooperative")
    body_join(body=coop, person=carol)
    proposal = voting_proposal(
        coop,
        alice,
        title="Admit Carol",
        actions=[{"name": "admit_member", "params": {"person": carol.pk}}],
    )
    assert proposal.decision_kind == "admit_member"
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    assert policy.is_member(carol, coop)


def test_admitting_someone_who_is_not_an_applicant_is_refused_when_written(
    trio: Body, alice: Person, bob: Person
) -> None:
    with pytest.raises(Conflict, match="not an applicant"):
        proposal_create(
            body=trio,
            author=alice,
            title="x",
            actions=[{"name": "admit_member", "params": {"person": bob.pk}}],
        )


def test_recalling_a_mandate_takes_effect_at_once(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    mandate = mandate_grant(
        body=trio,
        holder=bob,
        role="Treasurer",
        powers=["ledger.record_external"],
        term_days=90,
        granted_by="d",
    )
    proposal = voting_proposal(
        trio,
        alice,
        title="Recall Bob",
        actions=[{"name": "recall_mandate", "params": {"mandate": mandate.pk}}],
    )
    for person in (alice, carol, bob):
        ballot_cast(proposal=proposal, voter=person, content={"choice": "yes"})
    assert Mandate.objects.get(pk=mandate.pk).recalled_at is not None
    assert not policy.can(bob, "ledger.record_external", trio)


def test_amending_the_charter_adopts_a_new_version(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    rules = trio.charter.model_dump(mode="json") | {"visibility": "members"}
    proposal = voting_proposal(
        trio,
        alice,
        title="Close up",
        actions=[{"name": "amend_charter", "params": {"rules": rules}}],
    )
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=carol, content={"choice": "yes"})
    trio.refresh_from_db()
    assert trio.current_charter().number == 2 and trio.visibility == "members"


def test_an_invalid_action_is_refused_when_written(trio: Body, alice: Person) -> None:
    with pytest.raises(Invalid, match="unknown action"):
        proposal_create(
            body=trio, author=alice, title="x", actions=[{"name": "crown_alice", "params": {}}]
        )
    with pytest.raises(Invalid, match="visibility"):
        proposal_create(
            body=trio,
            author=alice,
            title="x",
            actions=[{"name": "change_profile", "params": {"visibility": "secret"}}],
        )


def test_the_worker_closes_what_is_due(trio: Body, alice: Person, bob: Person) -> None:
    proposal = voting_proposal(trio, alice)
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    from datetime import timedelta

    from django.utils import timezone

    assert proposals_advance_due(now=timezone.now()) == 0
    assert proposals_advance_due(now=timezone.now() + timedelta(days=30)) == 1
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.CLOSED


@pytest.mark.django_db(transaction=True)
def test_two_ballots_from_one_member_at_one_instant_leave_one_counted(
    trio: Body, alice: Person, bob: Person
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race is PostgreSQL's")
    set_rule(trio, "general", ballot="secret")
    proposal = voting_proposal(trio, alice)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def vote(choice: str) -> None:
        try:
            barrier.wait()
            ballot_cast(proposal=proposal, voter=bob, content={"choice": choice})
        except Conflict:
            pass
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(c,)) for c in ("yes", "no")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Ballot.objects.filter(proposal=proposal).count() == 1
    assert Participation.objects.filter(proposal=proposal, person=bob).count() == 1


def test_a_blocked_consensus_can_be_put_again_under_the_fallback(
    trio: Body, alice: Person, bob: Person, carol: Person
) -> None:
    from dualpower.decisions.services import proposal_second_round

    set_rule(trio, "general", method="consensus", consensus_fallback=0.6)
    first = voting_proposal(trio, alice, title="Paint it red")
    ballot_cast(proposal=first, voter=alice, content={"choice": "agree"})
    ballot_cast(proposal=first, voter=bob, content={"choice": "agree"})
    ballot_cast(proposal=first, voter=carol, content={"choice": "block", "reason": "Red is loud"})
    assert not Outcome.objects.get(proposal=first).passed
    with pytest.raises(NotAllowed):
        proposal_second_round(proposal=first, by=bob)
    second = proposal_second_round(proposal=first, by=alice)
    second = proposal_open(proposal=second, by=alice)
    second = advance(second, days=second.decision_rule.deliberation_days + 0.01)
    ballot_cast(proposal=second, voter=alice, content={"choice": "agree"})
    ballot_cast(proposal=second, voter=bob, content={"choice": "agree"})
    ballot_cast(proposal=second, voter=carol, content={"choice": "block", "reason": "Still loud"})
    outcome = Outcome.objects.get(proposal=second)
    assert outcome.passed and "fallback" in outcome.result["explanation"]
    with pytest.raises(Conflict):
        proposal_second_round(proposal=second, by=alice)
