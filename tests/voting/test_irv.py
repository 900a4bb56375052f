"""Instant-runoff voting: worked examples and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import Profile, VotingError
from dualpower.voting._ranked import irv

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


def test_it_eliminates_the_lowest_and_transfers_their_ballots() -> None:
    p = Profile.from_rankings(
        [["a"]] * 8 + [["b", "c"]] * 5 + [["c", "b"]] * 4 + [["d", "c"]] * 2,
        candidates=["a", "b", "c", "d"],
    )
    r = irv(p)
    assert [rd.eliminated for rd in r.rounds] == [("d",), ("b",), ()]
    assert r.rounds[1].counts == {"a": 8, "b": 5, "c": 6}
    assert r.rounds[1].transfers == {"c": 2}
    assert r.rounds[2].counts == {"a": 8, "c": 11}
    assert r.winners == ("c",)
    assert r.tie_breaks == ()


def test_it_reports_exhausted_ballots_per_round() -> None:
    p = Profile.from_rankings(
        [["a"]] * 5 + [["b"]] * 4 + [["c"]] * 2 + [["c", "b"]] * 1, candidates=["a", "b", "c"]
    )
    r = irv(p)
    assert r.rounds[0].exhausted == 0
    assert r.rounds[1].exhausted == 2  # the two c-only ballots
    assert r.rounds[1].counts == {"a": 5, "b": 5}
    # a and b are tied 5-5 with no majority: the seeded step eliminates one
    assert len(r.tie_breaks) == 1 and r.tie_breaks[0].tied == ("a", "b")
    assert r.winners[0] in {"a", "b"} and r.winners[0] not in r.tie_breaks[0].chosen


def test_a_tie_for_lowest_is_broken_reproducibly_by_the_seed() -> None:
    p = Profile.from_rankings([["a"], ["b"], ["c"], ["c"]], candidates=["a", "b", "c"])
    first = irv(p, seed="head-hash")
    assert irv(p, seed="head-hash") == first
    assert first.tie_breaks[0].step == "round 1: eliminate"
    assert first.tie_breaks[0].rule == "seeded-random"
    outcomes = {irv(p, seed=s).tie_breaks[0].chosen for s in range(20)}
    assert outcomes == {("a",), ("b",)}


def test_it_refuses_several_seats() -> None:
    p = Profile.from_rankings([["a"]], candidates=["a", "b"])
    with pytest.raises(VotingError, match="stv"):
        irv(p, seats=2)


def test_blank_ballots_are_not_counted() -> None:
    p = Profile(
        ["a", "b"],
        np.array([[-1, -1], [0, -1], [1, 0]], dtype=np.int32),
        np.array([10.0, 2.0, 1.0]),
    )
    r = irv(p)
    assert r.winners == ("a",)
    assert r.rounds[0].counts == {"a": 2, "b": 1}


def test_a_million_ballots_on_the_matrix() -> None:
    rng = np.random.default_rng(0)
    rows = np.argsort(rng.random((50_000, 10)), axis=1).astype(np.int32)
    counts = rng.integers(1, 40, size=50_000).astype(np.float64)
    r = irv(Profile([f"c{i}" for i in range(10)], rows, counts))
    assert sum(r.rounds[-1].counts.values()) == counts.sum()  # complete ballots never exhaust
    assert len(r.rounds) <= 10


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_the_winner_has_a_majority_of_the_continuing_votes(p: Profile) -> None:
    r = irv(p)
    last = r.rounds[-1]
    total = sum(last.counts.values())
    assert r.winners[0] in last.counts
    assert len(last.counts) == 1 or 2 * last.counts[r.winners[0]] > total


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_counts_and_exhausted_add_up_to_the_valid_ballots(p: Profile) -> None:
    r = irv(p)
    for rd in r.rounds:
        assert sum(rd.counts.values()) + rd.exhausted == pytest.approx(p.n_voters)


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_anonymity_the_order_of_ballots_does_not_matter(p: Profile) -> None:
    perm = np.random.default_rng(0).permutation(p.rankings.shape[0])
    q = Profile(p.candidates, p.rankings[perm], p.counts[perm])
    assert irv(q, seed=3) == irv(p, seed=3)


@settings(max_examples=100, deadline=None)
@given(profiles(), st.permutations(["v", "w", "x", "y", "z"]))
def test_neutrality_renaming_candidates_renames_the_winner(p: Profile, new: list[str]) -> None:
    r = irv(p)
    rename = dict(zip(p.candidates, new, strict=False))
    q = Profile([rename[c] for c in p.candidates], p.rankings, p.counts)
    s = irv(q)
    if not r.tie_breaks and not s.tie_breaks:
        assert s.winners == tuple(rename[w] for w in r.winners)
