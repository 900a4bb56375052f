"""STV: the Scottish statutory count and Meek's method, worked examples and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import BallotError, Profile, VotingError
from dualpower.voting._ranked import irv, stv_meek, stv_scottish

CANDS = ["a", "b", "c", "d", "e"]


@st.composite
def elections(draw: st.DrawFn, max_m: int = 5, max_n: int = 30) -> tuple[Profile, int]:
    m = draw(st.integers(2, max_m))
    cands = CANDS[:m]
    ballots = draw(
        st.lists(
            st.permutations(cands).flatmap(lambda p: st.integers(1, len(p)).map(lambda k: p[:k])),
            min_size=1,
            max_size=max_n,
        )
    )
    seats = draw(st.integers(1, m - 1))
    return Profile.from_rankings(ballots, candidates=cands), seats


def later_surplus() -> Profile:
    return Profile.from_rankings(
        [["a", "c", "d"]] * 20 + [["b"]] * 6 + [["c", "e"]] * 5 + [["d"]] * 4 + [["e"]] * 5,
        candidates=CANDS,
    )


def test_scottish_quota_is_the_integer_droop_quota() -> None:
    r = stv_scottish(later_surplus(), seats=3)
    assert {rd.quota for rd in r.rounds} == {40 // 4 + 1}


def test_scottish_transfers_every_paper_at_its_value_when_received_truncated() -> None:
    r = stv_scottish(later_surplus(), seats=3)
    # Stage 1: a has 20 (quota 11). Stage 2: a's surplus 9 at 9/20 = 0.45 a paper, all to c.
    assert r.rounds[0].elected == ("a",)
    assert r.rounds[1].transfers == {"c": 9}
    assert r.rounds[1].counts["c"] == 14 and r.rounds[1].elected == ("c",)
    # Stage 3: c's surplus 3 over 14 votes: papers received at 1 go on at
    # trunc5(3 * 1 / 14) = 0.21428, papers received at 0.45 at trunc5(3 * 0.45 / 14) = 0.09642.
    assert r.rounds[2].transfers == {"d": 1.9284, "e": 1.0714}  # 20 x 0.09642, 5 x 0.21428
    assert r.rounds[2].counts == {"a": 11, "b": 6, "c": 11, "d": 5.9284, "e": 6.0714}
    assert "lost to truncation so far 0.0002" in r.rounds[2].note
    # Stage 4: d is excluded; none of d's papers has a further preference.
    assert r.rounds[3].eliminated == ("d",)
    assert r.rounds[3].exhausted == 5.9284  # 4 papers at 1, 20 at 0.09642
    assert r.winners == ("a", "c", "e")


def test_scottish_breaks_an_exclusion_tie_by_the_most_recent_earlier_stage() -> None:
    # After a's surplus, c and d both hold 4; at the first stage c had 3 and d 4.
    p = Profile.from_rankings(
        [["a", "b"]] * 8 + [["a", "c"]] * 4 + [["c"]] * 3 + [["d"]] * 4 + [["b"]] * 5,
        candidates=["a", "b", "c", "d"],
    )
    for seed in range(10):
        r = stv_scottish(p, seats=2, seed=seed)
        assert r.rounds[1].counts == {"a": 9, "b": 7, "c": 4, "d": 4}
        assert [(t.tied, t.chosen, t.rule) for t in r.tie_breaks] == [
            (("c", "d"), ("c",), "backwards")
        ]
        assert r.winners == ("a", "b")


def test_scottish_uses_lot_when_the_backwards_rule_cannot_decide() -> None:
    p = Profile.from_rankings([["a"]] * 3 + [["b"]] + [["c"]], candidates=["a", "b", "c"])
    r = stv_scottish(p, seats=2, seed="s")
    assert [t.rule for t in r.tie_breaks] == ["seeded-random"]
    assert r.winners[0] == "a"


def test_scottish_needs_whole_ballot_papers() -> None:
    p = Profile(["a", "b"], np.array([[0, 1]], dtype=np.int32), np.array([1.5]))
    with pytest.raises(BallotError, match="whole"):
        stv_scottish(p)


def test_more_seats_than_candidates_is_refused() -> None:
    p = Profile.from_rankings([["a"]], candidates=["a", "b"])
    with pytest.raises(VotingError):
        stv_scottish(p, seats=3)
    with pytest.raises(VotingError):
        stv_meek(p, seats=0)


def test_meek_keeps_values_so_that_the_elected_hold_the_quota() -> None:
    r = stv_meek(later_surplus(), seats=3)
    assert r.winners[:2] == ("a", "c")
    assert "keep values a 0." in r.rounds[-1].note


@settings(max_examples=150, deadline=None)
@given(elections())
def test_scottish_counts_and_exhausted_add_up_to_the_valid_votes(e: tuple[Profile, int]) -> None:
    p, seats = e
    r = stv_scottish(p, seats=seats)
    valid = p.n_voters
    for stage, rd in enumerate(r.rounds):
        held = sum(rd.counts.values()) + rd.exhausted
        # each paper loses less than 0.00001 to truncation at each transfer
        assert valid - valid * 1e-5 * stage - 1e-9 <= held <= valid + 1e-9
    assert len(r.winners) == seats == len(set(r.winners))


@settings(max_examples=80, deadline=None)
@given(elections())
def test_meek_counts_and_excess_add_up_and_the_elected_reach_the_quota(
    e: tuple[Profile, int],
) -> None:
    p, seats = e
    r = stv_meek(p, seats=seats)
    for rd in r.rounds:
        assert sum(rd.counts.values()) + rd.exhausted == pytest.approx(p.n_voters, abs=1e-6)
        assert rd.quota == pytest.approx((p.n_voters - rd.exhausted) / (seats + 1), abs=1e-8)
    assert len(r.winners) == seats == len(set(r.winners))


@settings(max_examples=100, deadline=None)
@given(elections())
def test_with_one_seat_both_stv_counts_are_instant_runoff(e: tuple[Profile, int]) -> None:
    p, _ = e
    a, s, m = irv(p), stv_scottish(p), stv_meek(p)
    if not (a.tie_breaks or s.tie_breaks or m.tie_breaks):
        assert a.winners == s.winners == m.winners


@settings(max_examples=80, deadline=None)
@given(elections())
def test_anonymity_the_order_of_ballots_does_not_matter(e: tuple[Profile, int]) -> None:
    p, seats = e
    perm = np.random.default_rng(2).permutation(p.rankings.shape[0])
    q = Profile(p.candidates, p.rankings[perm], p.counts[perm])
    assert stv_scottish(q, seats=seats, seed=1) == stv_scottish(p, seats=seats, seed=1)
    assert stv_meek(q, seats=seats, seed=1).winners == stv_meek(p, seats=seats, seed=1).winners


@settings(max_examples=80, deadline=None)
@given(elections(), st.permutations(["v", "w", "x", "y", "z"]))
def test_neutrality_renaming_candidates_renames_the_elected(
    e: tuple[Profile, int], new: list[str]
) -> None:
    p, seats = e
    rename = dict(zip(p.candidates, new, strict=False))
    q = Profile([rename[c] for c in p.candidates], p.rankings, p.counts)
    for method in (stv_scottish, stv_meek):
        r, s = method(p, seats=seats), method(q, seats=seats)
        if not r.tie_breaks and not s.tie_breaks:
            assert set(s.winners) == {rename[w] for w in r.winners}
