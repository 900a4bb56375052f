"""Schulze, ranked pairs and Copeland: worked examples and properties."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import Profile, Result, VotingError
from dualpower.voting._ranked import copeland, pairwise_matrix, ranked_pairs, schulze

METHODS: list[Callable[..., Result]] = [schulze, ranked_pairs, copeland]
CANDS = ["a", "b", "c", "d", "e"]


@st.composite
def profiles(draw: st.DrawFn, max_m: int = 5, max_n: int = 25) -> Profile:
    m = draw(st.integers(1, max_m))
    cands = CANDS[:m]
    ballots = draw(
        st.lists(
            st.permutations(cands).flatmap(lambda p: st.integers(1, len(p)).map(lambda k: p[:k])),
            min_size=1,
            max_size=max_n,
        )
    )
    return Profile.from_rankings(ballots, candidates=cands)


def wikipedia_schulze() -> Profile:
    """The 45-voter example of the Schulze method's Wikipedia article (winner E)."""
    groups = [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
    return Profile.from_rankings(
        [list(r) for _, r in groups], candidates=list("ABCDE"), counts=[c for c, _ in groups]
    )


def test_the_pairwise_matrix_puts_ranked_above_unranked() -> None:
    p = Profile.from_rankings([["a"], ["b", "c"]], candidates=["a", "b", "c"])
    assert pairwise_matrix(p).tolist() == [[0, 1, 1], [1, 0, 1], [1, 0, 0]]


def test_schulze_elects_e_in_the_wikipedia_example() -> None:
    r = schulze(wikipedia_schulze(), seats=5)
    assert r.winners == ("E", "A", "C", "B", "D")
    assert r.tie_breaks == ()


def test_ranked_pairs_locks_the_largest_margins_first() -> None:
    # Tennessee capital example: Nashville wins every pairwise contest.
    groups = [
        (42, ["M", "N", "C", "K"]),
        (26, ["N", "C", "K", "M"]),
        (15, ["C", "K", "N", "M"]),
        (17, ["K", "C", "N", "M"]),
    ]
    p = Profile.from_rankings([g for _, g in groups], counts=[c for c, _ in groups])
    assert ranked_pairs(p, seats=4).winners == ("N", "C", "K", "M")
    assert schulze(p, seats=4).winners == ("N", "C", "K", "M")
    assert copeland(p).winners == ("N",)


def test_ranked_pairs_skips_a_pair_that_would_make_a_cycle() -> None:
    # a>b by 6, b>c by 4, c>a by 2: c>a is locked last and would close a cycle.
    p = Profile.from_rankings(
        [["a", "b", "c"]] * 5 + [["b", "c", "a"]] * 3 + [["c", "a", "b"]] * 4,
        candidates=["a", "b", "c"],
    )
    d = pairwise_matrix(p)
    margin = d - d.T
    assert (margin[0, 1], margin[1, 2], margin[2, 0]) == (6, 4, 2)
    assert ranked_pairs(p, seats=3).winners == ("a", "b", "c")


def test_copeland_gives_half_a_point_for_a_pairwise_tie() -> None:
    p = Profile.from_rankings([["a", "b", "c"], ["b", "a", "c"]], candidates=["a", "b", "c"])
    r = copeland(p)
    assert r.rounds[0].counts == {"a": 1.5, "b": 1.5, "c": 0}
    assert r.tie_breaks[0].tied == ("a", "b")


def test_a_tie_among_pairs_is_broken_by_the_seed_and_recorded() -> None:
    p = Profile.from_rankings(
        [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]], candidates=["a", "b", "c"]
    )
    r = ranked_pairs(p, seed="x")
    assert r.tie_breaks[0].rule == "seeded-random"
    assert ranked_pairs(p, seed="x") == r
    assert {ranked_pairs(p, seed=s).winners for s in range(30)} == {("a",), ("b",), ("c",)}


@pytest.mark.parametrize("method", METHODS)
def test_more_seats_than_candidates_is_refused(method: Callable[..., Result]) -> None:
    p = Profile.from_rankings([["a"]], candidates=["a", "b"])
    with pytest.raises(VotingError):
        method(p, seats=3)


def condorcet_winner(p: Profile) -> str | None:
    d = pairwise_matrix(p)
    for i, c in enumerate(p.candidates):
        if all(d[i, j] > d[j, i] for j in range(len(p.candidates)) if j != i):
            return c
    return None


@settings(max_examples=120, deadline=None)
@given(profiles())
def test_the_condorcet_winner_wins_under_every_condorcet_method(p: Profile) -> None:
    cw = condorcet_winner(p)
    for method in METHODS:
        r = method(p)
        if cw is not None:
            assert r.winners == (cw,), method.__name__


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_anonymity_the_order_of_ballots_does_not_matter(p: Profile) -> None:
    perm = np.random.default_rng(1).permutation(p.rankings.shape[0])
    q = Profile(p.candidates, p.rankings[perm], p.counts[perm])
    for method in METHODS:
        assert method(q, seats=len(p.candidates), seed=5) == method(
            p, seats=len(p.candidates), seed=5
        )


@settings(max_examples=60, deadline=None)
@given(profiles(), st.permutations(["v", "w", "x", "y", "z"]))
def test_neutrality_renaming_candidates_renames_the_ranking(p: Profile, new: list[str]) -> None:
    rename = dict(zip(p.candidates, new, strict=False))
    q = Profile([rename[c] for c in p.candidates], p.rankings, p.counts)
    for method in METHODS:
        r, s = method(p, seats=len(p.candidates)), method(q, seats=len(p.candidates))
        if not r.tie_breaks and not s.tie_breaks:
            assert s.winners == tuple(rename[w] for w in r.winners)


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_schulze_margins_and_winning_votes_agree_on_complete_ballots(p: Profile) -> None:
    full = p.rankings.shape[1] == len(p.candidates) and bool((p.rankings >= 0).all())
    if full:
        a, b = (
            schulze(p, seats=len(p.candidates)),
            schulze(p, seats=len(p.candidates), strength="margin"),
        )
        assert a == b
