"""A federation proposal's own page: its progress among the member bodies, and federation
actions described by what they do."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from test_delegates import _delegate, _open
from test_federation import _assembly, _decide, _fast, _federate, _vote_all
from test_federation_web import _page

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body, Mandate
from dualpower.bodies.services import (
    body_found,
    invitation_accept,
    invitation_create,
    mandate_recall,
)
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.services import ballot_cast, proposal_create, proposals_advance_due
from dualpower.federation.models import Ratification
from dualpower.federation.services import delegate_vote, federation_leave

SENTINEL = "Zebrafinch Quiet Collective"


def _path(proposal: Proposal) -> str:
    return f"/bodies/{proposal.body.slug}/proposals/{proposal.number}/"


def _ratify(proposal: Proposal, member: Body, *, yes: bool) -> None:
    ratification = Ratification.objects.get(federation_proposal=proposal, member=member)
    _vote_all(ratification.proposal, yes=yes)


def _council(alice: Person, **charter: str) -> Body:
    return _fast(body_found(founder=alice, name="Council", kind="federation", **charter))


def _count_now(proposal: Proposal) -> None:
    """The federation's deadline passes: its count is made now (by the deadline sweep),
    with the clock, so that whatever happens next happens after it."""
    Proposal.objects.filter(pk=proposal.pk).update(
        voting_closes_at=timezone.now() - timedelta(minutes=1)
    )
    proposals_advance_due()
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED


def _council_of_two(alice: Person, bob: Person, carol: Person) -> tuple[Body, Body, Body]:
    """Alice's council, decided by the ratification of East (Bob's) and West (Carol's)."""
    council = _council(alice)
    east, west = _assembly("East", bob), _assembly("West", carol)
    _federate(council, alice, east, bob)
    _federate(council, alice, west, carol)
    return council, east, west


def _delegates_council(
    alice: Person, bob: Person, carol: Person
) -> tuple[Body, Body, Body, Mandate]:
    """Alice's council, decided by the delegates of East (Bob, whose mandate is returned)
    and West (none yet)."""
    council = _fast(body_found(founder=alice, name="Council", kind="federation"), mode="delegates")
    east, west = _assembly("East", bob), _assembly("West", carol)
    _federate(council, alice, east, bob)
    mandate = _delegate(east, bob)
    _federate_by_delegates(council, alice, west, carol, bob, east)
    return council, east, west, mandate


def test_the_proposal_page_shows_each_member_body_and_the_count_so_far(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, east, _ = _council_of_two(alice, bob, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    _ratify(proposal, east, yes=True)
    status, html = _page(alice, _path(proposal))
    assert status == 200
    assert "How the member bodies decided so far" in html
    assert "East</a>: <strong>Ratified</strong>" in html
    assert "West</a>: <strong>Not yet decided</strong>" in html
    assert "So far 1 for, 0 against, 1 not decided" in html
    assert "more than half of 2 member bodies" in html


def test_once_closed_the_page_shows_the_result_among_the_member_bodies(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, east, west = _council_of_two(alice, bob, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    _ratify(proposal, east, yes=True)
    _ratify(proposal, west, yes=False)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CLOSED
    html = _page(alice, _path(proposal))[1]
    assert "West</a>: <strong>Rejected</strong>" in html
    assert "Result: <strong>failed</strong>, with 1 for, 1 against, 0 not decided" in html


def test_a_hidden_member_body_is_counted_but_never_named_to_who_may_not_see_it(
    alice: Person, bob: Person, carol: Person
) -> None:
    council = _council(alice)
    east = _assembly("East", bob)
    hidden = _fast(body_found(founder=carol, name=SENTINEL, kind="assembly", visibility="hidden"))
    _federate(council, alice, east, bob)
    _federate(council, alice, hidden, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    _ratify(proposal, hidden, yes=True)
    status, html = _page(alice, _path(proposal))
    assert status == 200 and SENTINEL not in html
    assert "a member body: <strong>Ratified</strong>" in html
    assert "So far 1 for, 0 against, 1 not decided" in html
    _ratify(proposal, east, yes=True)
    for path in (_path(proposal), _path(proposal) + "result/"):
        status, html = _page(alice, path)
        assert status == 200 and SENTINEL not in html
    assert "with 2 for, 0 against, 0 not decided" in _page(alice, _path(proposal))[1]


def test_who_may_see_the_hidden_member_body_reads_its_name(
    alice: Person, bob: Person, carol: Person
) -> None:
    council = _council(alice)
    _, token = invitation_create(body=council, by=alice)
    invitation_accept(token=token, person=carol)
    hidden = _fast(body_found(founder=carol, name=SENTINEL, kind="assembly", visibility="hidden"))
    _federate(council, alice, hidden, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    ratification = Ratification.objects.get(federation_proposal=proposal, member=hidden)
    status, html = _page(carol, _path(proposal))
    assert status == 200
    assert f"{SENTINEL}</a>: <strong>Not yet decided</strong>" in html
    assert _path(ratification.proposal) in html  # her body's own ratification proposal
    html = _page(alice, _path(proposal))[1]
    assert SENTINEL not in html and _path(ratification.proposal) not in html


def test_an_outsider_of_a_members_only_federation_gets_404_as_before(
    alice: Person, bob: Person, dave: Person
) -> None:
    council = _council(alice, visibility="members")
    east = _assembly("East", bob)
    _federate(council, alice, east, bob)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    assert _page(dave, _path(proposal))[0] == 404
    assert _page(dave, f"/bodies/{council.slug}/proposals/999/")[0] == 404
    assert _page(alice, _path(proposal))[0] == 200


def test_with_delegates_the_page_shows_each_delegates_vote(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, east, _, _ = _delegates_council(alice, bob, carol)
    proposal = _open(council, alice, [{"name": "resolution", "params": {}}])
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="abstain")
    html = _page(alice, _path(proposal))[1]
    assert "How the member bodies' delegates voted so far" in html
    assert "East</a>: <strong>Delegate abstained</strong>" in html
    assert "West</a>: <strong>Not yet decided</strong>" in html
    assert "So far 0 for, 0 against, 2 not decided" in html


def _federate_by_delegates(
    council: Body, alice: Person, member: Body, founder: Person, delegate: Person, east: Body
) -> None:
    """A second body joins a delegate federation: East's delegate votes the admission."""
    from test_delegates import _close
    from test_federation import _decide_in_federation

    _decide_in_federation(
        member, founder, [{"name": "federation_join", "params": {"federation": council.slug}}]
    )
    admit = _open(council, alice, [{"name": "federation_admit", "params": {"body": member.slug}}])
    delegate_vote(fed_proposal=admit, delegate=delegate, member=east, choice="yes")
    assert _close(admit).passed


def test_federation_actions_are_described_by_what_they_do(
    alice: Person, bob: Person, carol: Person
) -> None:
    council = _fast(body_found(founder=alice, name="City Council", kind="federation"))
    quiet = body_found(founder=carol, name=SENTINEL, kind="federation", visibility="hidden")
    east = _assembly("East", bob)
    mandate = _delegate(east, bob)
    draft = proposal_create(
        body=east,
        author=bob,
        title="Federate",
        actions=[
            {"name": "federation_join", "params": {"federation": council.slug}},
            {"name": "federation_join", "params": {"federation": quiet.slug}},
            {"name": "federation_leave", "params": {"federation": council.slug}},
            {
                "name": "instruct_delegate",
                "params": {
                    "mandate": mandate.pk,
                    "federation": council.slug,
                    "proposal": _decide(council, alice).number,
                    "vote": "yes",
                },
            },
        ],
    )
    status, html = _page(bob, _path(draft))
    assert status == 200
    assert "Join City Council." in html
    assert "Join a federation." in html and SENTINEL not in html
    assert "Leave City Council." in html
    assert "Instruct our delegate to vote yes on #1 of City Council." in html
    assert "Federation join" not in html
    admit = proposal_create(
        body=council,
        author=alice,
        title="Admit East",
        actions=[{"name": "federation_admit", "params": {"body": east.slug}}],
    )
    assert "Admit East as a member body." in _page(alice, _path(admit))[1]


def test_once_closed_a_body_that_decided_after_the_count_shows_as_the_count_had_it(
    alice: Person, bob: Person, carol: Person
) -> None:
    """West's own vote ends after the federation's deadline: the federation counted it as
    not decided, and its page and API keep saying so after West ratifies."""
    council, east, west = _council_of_two(alice, bob, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    _ratify(proposal, east, yes=True)
    # The federation's deadline passes (West's own vote runs on): the count is made now.
    _count_now(proposal)
    _ratify(proposal, west, yes=True)  # after the federation's count
    assert Ratification.objects.get(federation_proposal=proposal, member=west).vote == "ratified"

    html = _page(alice, _path(proposal))[1]
    assert "East</a>: <strong>Ratified</strong>" in html
    assert "West</a>: <strong>Did not decide</strong>" in html
    assert "1 for, 0 against, 1 not decided" in html
    progress = Client()
    progress.force_login(alice)
    rows = progress.get(
        f"/api/v1/bodies/{council.slug}/proposals/{proposal.number}/progress"
    ).json()
    assert {r["body"]["name"]: r["decision"] for r in rows} == {
        "East": "Ratified",
        "West": "Not yet decided",
    }


def test_once_closed_a_delegate_recalled_after_the_count_still_shows_the_counted_vote(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, east, _, mandate = _delegates_council(alice, bob, carol)
    proposal = _open(council, alice, [{"name": "resolution", "params": {}}])
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    _count_now(proposal)  # the count is made now, with Bob's vote for East
    mandate_recall(mandate=mandate, recalled_by="decision")  # after the count

    html = _page(alice, _path(proposal))[1]
    assert "East</a>: <strong>Delegate voted yes</strong>" in html
    assert "West</a>: <strong>Did not decide</strong>" in html


def test_a_member_bodys_vote_that_ends_with_the_federations_is_counted(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    """A ratification closes at the federation's own deadline: when both fall due in the
    same run, the member body's vote is counted first, then the federation's."""
    council = _council(alice)
    east, west = _assembly("East", bob), _assembly("West", carol)
    _, token = invitation_create(body=west, by=carol)
    invitation_accept(token=token, person=dave)  # West has two members: Dave never votes
    _federate(council, alice, east, bob)
    _federate(council, alice, west, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    _ratify(proposal, east, yes=True)
    west_vote = Ratification.objects.get(federation_proposal=proposal, member=west).proposal
    ballot_cast(proposal=west_vote, voter=carol, content={"choice": "yes"})
    assert west_vote.voting_closes_at == proposal.voting_closes_at is not None

    proposals_advance_due(now=proposal.voting_closes_at + timedelta(seconds=1))
    assert Outcome.objects.get(proposal=west_vote).passed
    outcome = Outcome.objects.get(proposal=proposal)
    assert outcome.passed, outcome.result
    html = _page(alice, _path(proposal))[1]
    assert "West</a>: <strong>Ratified</strong>" in html
    assert "2 for, 0 against, 0 not decided" in html


def test_once_closed_a_body_that_left_after_the_count_is_still_listed_as_counted(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, east, west, _ = _delegates_council(alice, bob, carol)
    proposal = _open(council, alice, [{"name": "resolution", "params": {}}])
    delegate_vote(fed_proposal=proposal, delegate=bob, member=east, choice="yes")
    _count_now(proposal)  # counted with West as a member body that did not decide
    federation_leave(federation=council, member=west, decision="West #9")  # after the count

    html = _page(alice, _path(proposal))[1]
    assert "East</a>: <strong>Delegate voted yes</strong>" in html
    assert "West</a>: <strong>Did not decide</strong>" in html
