"""Quadratic voting: votes cost their square; no ballot may overspend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import (
    BallotError,
    CardinalProfile,
    Profile,
    VotingError,
    quadratic,
    quadratic_cost,
)


def ballots(
    names: list[str], rows: list[list[int]], counts: list[int] | None = None
) -> CardinalProfile:
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(names))
    return CardinalProfile(names, values, np.array(counts or [1] * len(rows), dtype=np.float64))


def test_a_vote_costs_its_square() -> None:
    assert quadratic_cost([3, -2, 0, 1]) == 14.0
    assert quadratic_cost([]) == 0.0


def test_the_most_net_votes_win() -> None:
    p = ballots(["park", "pool", "road"], [[3, 1, 0], [0, 4, -1], [-2, 0, 3]], [3, 1, 2])
    r = quadratic(p, credits=17)
    assert r.rounds[0].counts == {"park": 5.0, "pool": 7.0, "road": 5.0}
    assert r.winners == ("pool",)
    assert quadratic(p, credits=17, seats=2, break_ties=False).tied == ("park", "road")


def test_a_ballot_spending_exactly_the_budget_is_accepted() -> None:
    assert quadratic(ballots(["a", "b"], [[3, 4]]), credits=25).winners == ("b",)


def test_an_over_budget_ballot_is_refused_before_counting() -> None:
    p = ballots(["a", "b"], [[1, 1], [3, 4]])
    with pytest.raises(BallotError, match=r"costs 25 credits, over the budget of 24"):
        quadratic(p, credits=24)


@pytest.mark.parametrize("bad", [[[0.5, 1.0]], [[float("nan"), 0.0]]])
def test_votes_must_be_whole_numbers(bad: list[list[float]]) -> None:
    p = CardinalProfile(["a", "b"], np.array(bad), np.array([1.0]))
    with pytest.raises(BallotError, match="whole numbers"):
        quadratic(p, credits=100)


@pytest.mark.parametrize("credits", [-1, float("nan"), True])
def test_the_budget_must_be_a_number(credits: float) -> None:
    with pytest.raises(VotingError, match="credits"):
        quadratic(ballots(["a"], [[0]]), credits=credits)


def test_ranked_ballots_are_refused() -> None:
    with pytest.raises(BallotError):
        quadratic(Profile.from_rankings([["a"]]), credits=1)  # type: ignore[arg-type]


votes = st.integers(-6, 6)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda m: st.lists(st.lists(votes, min_size=m, max_size=m), min_size=1, max_size=10)
    ),
    st.integers(0, 60),
)
def test_no_accepted_ballot_ever_exceeds_the_budget(rows: list[list[int]], credits: int) -> None:
    names = ["a", "b", "c", "d"][: len(rows[0])]
    p = ballots(names, rows)
    over = [r for r in rows if quadratic_cost(r) > credits]
    if over:
        with pytest.raises(BallotError):
            quadratic(p, credits=credits)
        return
    r = quadratic(p, credits=credits, break_ties=False)
    assert all(quadratic_cost(row) <= credits for row in rows)
    totals = np.array(rows).sum(axis=0)
    best = {names[j] for j in np.flatnonzero(totals == totals.max())}
    assert set(r.winners) | set(r.tied) == best


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(votes, min_size=3, max_size=3), min_size=1, max_size=10), st.randoms())
def test_quadratic_is_anonymous(rows: list[list[int]], rnd: object) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = quadratic(ballots(["a", "b", "c"], rows), credits=200, seed="s")
    b = quadratic(ballots(["a", "b", "c"], shuffled), credits=200, seed="s")
    assert a == b
