"""The reads behind the proposal page (``decisions/selectors.py``), called directly."""

from __future__ import annotations

import pytest
from decision_helpers import set_rule, voting_proposal
from django.contrib.auth.models import AnonymousUser
from hypothesis import given
from hypothesis import strategies as st

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.core.errors import NotFound
from dualpower.decisions import selectors
from dualpower.decisions.models import Proposal
from dualpower.decisions.services import (
    amendment_propose,
    comment_add,
    proposal_create,
    proposal_open,
)


@pytest.fixture
def two_open(trio: Body, alice: Person) -> tuple[Proposal, Proposal]:
    """Two of alice's proposals in deliberation."""
    drafts = [proposal_create(body=trio, author=alice, title=t) for t in ("Trees", "Benches")]
    first, second = (proposal_open(proposal=p, by=alice) for p in drafts)
    return first, second


def test_a_reply_cannot_answer_a_comment_of_another_proposal(
    two_open: tuple[Proposal, Proposal], bob: Person
) -> None:
    first, second = two_open
    comment = comment_add(proposal=first, author=bob, text="Which trees?")

    assert selectors.comment_parent(proposal=first, parent_id=comment.pk) == comment
    assert selectors.comment_parent(proposal=second, parent_id=None) is None
    with pytest.raises(NotFound):
        selectors.comment_parent(proposal=second, parent_id=comment.pk)


def test_an_amendment_is_found_only_under_its_own_proposal(
    two_open: tuple[Proposal, Proposal], bob: Person
) -> None:
    first, second = two_open
    amendment = amendment_propose(proposal=first, author=bob, text="Plant oaks.")

    assert selectors.amendment_get(proposal=first, pk=amendment.pk) == amendment
    with pytest.raises(NotFound):
        selectors.amendment_get(proposal=second, pk=amendment.pk)


def test_the_page_lets_the_author_open_their_draft_and_a_member_co_sign_it(
    trio: Body, alice: Person, bob: Person, dave: Person
) -> None:
    draft = proposal_create(body=trio, author=alice, title="Trees")

    def may(viewer: object) -> dict[str, bool]:
        return dict(selectors.proposal_page(proposal=draft, viewer=viewer)["may"])

    assert may(alice)["open"] and not may(alice)["cosign"]
    assert may(bob)["cosign"] and not may(bob)["open"]
    assert not any(may(dave).values())
    assert not any(may(AnonymousUser()).values())


def test_the_page_names_the_people_an_action_is_about(
    trio: Body, alice: Person, carol: Person
) -> None:
    proposal = proposal_create(
        body=trio,
        author=alice,
        title="Remove Carol",
        actions=[{"name": "remove_member", "params": {"person": carol.pk}}],
    )
    described = selectors.proposal_page(proposal=proposal, viewer=alice)["actions"]
    assert described == [{"name": "remove_member", "text": f"Remove {carol.name} from the body."}]


def test_a_ranked_ballot_form_lists_the_options_in_the_order_last_chosen(
    trio: Body, alice: Person
) -> None:
    set_rule(trio, "general", method="irv")
    proposal = voting_proposal(trio, alice, options=["Park", "Pool", "Library"])
    options = selectors.proposal_options(proposal=proposal)
    keys = [key for key, _ in options]
    mine = {"ranking": [keys[2], keys[0]]}

    form = selectors.ballot_rows(method="irv", options=options, mine=mine, score_max=5)

    assert [r["label"] for r in form["rows"]] == ["Library", "Park", "Pool"]
    assert [r["rank"] for r in form["rows"]] == [1, 2, None]
    assert form["is_ranked"] and form["numbers"] == [1, 2, 3]


@given(st.lists(st.sampled_from(["Bob", "Carol", "Dave"]), min_size=1, max_size=6))
def test_blt_names_are_always_distinct_and_labels_where_they_can_be(labels: list[str]) -> None:
    proposal = Proposal(options=[{"key": f"o{i}", "label": x} for i, x in enumerate(labels)])

    names = selectors.proposal_blt_names(proposal=proposal)

    assert list(names) == [f"o{i}" for i in range(len(labels))]
    assert len(set(names.values())) == len(labels)
    assert (list(names.values()) == labels) == (len(set(labels)) == len(labels))
