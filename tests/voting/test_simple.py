"""Plurality, approval, score, STAR and Borda."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import (
    BallotError,
    CardinalProfile,
    Profile,
    Result,
    VotingError,
    approval,
    borda,
    plurality,
    score,
    seeded_order,
    star,
)


def cardinal(
    names: list[str], rows: list[list[float]], counts: list[float] | None = None
) -> CardinalProfile:
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(names))
    return CardinalProfile(names, values, np.array(counts or [1.0] * len(rows)))


# ------------------------------------------------------------------------ examples


def test_plurality_counts_first_preferences_and_reports_empty_ballots() -> None:
    p = Profile(
        ["a", "b", "c"],
        np.array([[0, 1], [1, -1], [-1, -1], [0, 2]]),
        np.array([2.0, 3.0, 4.0, 2.0]),
    )
    r = plurality(p)
    assert r.winners == ("a",)
    assert r.rounds[0].counts == {"a": 4.0, "b": 3.0, "c": 0.0}
    assert r.rounds[0].exhausted == 4.0
    assert r.method == "plurality" and r.passed is None


def test_plurality_with_several_seats_takes_the_top_counts_in_order() -> None:
    p = Profile.from_rankings([["a"], ["b"], ["b"], ["c"], ["c"], ["c"]])
    assert plurality(p, seats=2).winners == ("c", "b")


def test_a_tie_for_the_last_seat_is_broken_by_the_seed_and_recorded() -> None:
    p = Profile.from_rankings([["a"], ["b"], ["c"], ["c"]])
    r = plurality(p, seats=2, seed="head-hash")
    expected = seeded_order(["a", "b"], "head-hash")[0]
    assert r.winners == ("c", expected)
    (tb,) = r.tie_breaks
    assert tb.tied == ("a", "b") and tb.chosen == (expected,) and tb.rule == "seeded-random"


def test_ties_can_be_left_visible_instead() -> None:
    p = Profile.from_rankings([["a"], ["b"], ["c"], ["c"]])
    r = plurality(p, seats=2, break_ties=False)
    assert r.winners == ("c",) and r.tied == ("a", "b") and r.tie_breaks == ()


def test_approval_counts_every_approved_candidate() -> None:
    p = cardinal(["a", "b", "c"], [[1, 1, 0], [0, 1, 1], [1, 0, 0]], [2, 1, 2])
    r = approval(p, seats=2)
    assert r.rounds[0].counts == {"a": 4.0, "b": 3.0, "c": 1.0}
    assert r.winners == ("a", "b")


def test_approval_of_ranked_ballots_approves_every_ranked_candidate() -> None:
    p = Profile.from_rankings([["a", "b"], ["b"], ["c", "b"]])
    r = approval(p)
    assert r.winners == ("b",) and r.rounds[0].counts == {"a": 1.0, "b": 3.0, "c": 1.0}


def test_score_sums_scores_and_checks_the_range() -> None:
    p = cardinal(["a", "b"], [[5, 0], [2, 4]], [1, 2])
    assert score(p).rounds[0].counts == {"a": 9.0, "b": 8.0}
    with pytest.raises(BallotError, match="above the maximum"):
        score(p, max_score=4)
    with pytest.raises(BallotError, match="below the minimum"):
        score(p, min_score=1)


def test_star_runoff_can_overturn_the_score_leader() -> None:
    # a leads on score (3*5 + 2*0 + 2*... ) but more voters prefer b to a.
    p = cardinal(["a", "b", "c"], [[5, 0, 0], [3, 4, 0], [0, 5, 2]], [3, 2, 2])
    r = star(p)
    assert r.rounds[0].counts == {"a": 21.0, "b": 18.0, "c": 4.0}
    assert r.rounds[1].counts == {"a": 3.0, "b": 4.0}
    assert r.winners == ("b",)


def test_star_runoff_tie_goes_to_the_higher_score() -> None:
    p = cardinal(["a", "b"], [[5, 4], [0, 5]], [1, 1])
    r = star(p)
    assert r.rounds[1].counts == {"a": 1.0, "b": 1.0}
    assert r.winners == ("b",) and r.tie_breaks == ()


def test_star_full_tie_is_broken_by_the_seed() -> None:
    p = cardinal(["a", "b"], [[5, 0], [0, 5]])
    r = star(p, seed=3)
    assert r.winners == (seeded_order(["a", "b"], 3)[0],)
    assert r.tie_breaks[-1].step == "star runoff"


def test_star_equal_scores_count_as_no_preference() -> None:
    p = cardinal(["a", "b", "c"], [[3, 3, 0], [5, 1, 0], [0, 4, 0]], [4, 1, 1])
    r = star(p)
    assert r.rounds[1].exhausted == 4.0
    assert r.rounds[1].counts == {"a": 1.0, "b": 1.0}


def test_bloc_star_fills_several_seats() -> None:
    p = cardinal(["a", "b", "c"], [[5, 4, 0], [0, 5, 1], [5, 0, 3]], [3, 2, 2])
    r = star(p, seats=3)
    assert r.winners == ("a", "b", "c")
    assert len(r.rounds) == 5  # two rounds for each of the first two seats, one for the last


def test_borda_gives_m_minus_1_minus_rank_and_nothing_to_the_unranked() -> None:
    p = Profile.from_rankings([["a", "b", "c"], ["c"]], counts=[1, 2])
    r = borda(p)
    assert r.rounds[0].counts == {"a": 2.0, "b": 1.0, "c": 4.0}
    assert r.winners == ("c",)


@pytest.mark.parametrize("method", [plurality, borda, approval])
@pytest.mark.parametrize("seats", [0, 4, True, 1.5])
def test_seats_must_fit_the_candidates(method: Callable[..., Result], seats: object) -> None:
    p = Profile.from_rankings([["a", "b", "c"]])
    with pytest.raises(VotingError, match="seats"):
        method(p, seats=seats)


@pytest.mark.parametrize("method", [score, star])
def test_score_methods_refuse_ranked_ballots(method: Callable[..., Result]) -> None:
    with pytest.raises(BallotError):
        method(Profile.from_rankings([["a"]]))


@pytest.mark.parametrize("method", [plurality, borda])
def test_ranked_methods_refuse_score_ballots(method: Callable[..., Result]) -> None:
    with pytest.raises(BallotError):
        method(cardinal(["a"], [[1]]))


def test_a_non_finite_score_is_refused() -> None:
    with pytest.raises(BallotError, match="finite"):
        score(cardinal(["a", "b"], [[1, float("nan")]]))


# -------------------------------------------------------------------- properties

NAMES = ["ann", "bo", "cy", "di", "ed"]


@st.composite
def ranked_ballots(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    m = draw(st.integers(1, 5))
    cands = NAMES[:m]
    ballot = st.permutations(cands).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k: list(p[:k]))
    )
    return cands, draw(st.lists(ballot, min_size=1, max_size=12))


@st.composite
def score_ballots(draw: st.DrawFn) -> tuple[list[str], list[list[int]]]:
    m = draw(st.integers(1, 5))
    row = st.lists(st.integers(0, 5), min_size=m, max_size=m)
    return NAMES[:m], draw(st.lists(row, min_size=1, max_size=12))


def winner_sets(r: Result) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(r.winners), frozenset(r.tied)


RANKED = [plurality, borda, approval]
SCORED = [approval, score, star]


@settings(max_examples=80, deadline=None)
@given(ranked_ballots(), st.randoms(), st.integers(1, 5), st.text(max_size=5))
def test_ranked_methods_are_anonymous(
    case: tuple[list[str], list[list[str]]], rnd: object, seats: int, seed: str
) -> None:
    cands, ballots = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    seats = min(seats, len(cands))
    for method in RANKED:
        a = method(Profile.from_rankings(ballots, candidates=cands), seats=seats, seed=seed)
        b = method(Profile.from_rankings(shuffled, candidates=cands), seats=seats, seed=seed)
        assert a == b


@settings(max_examples=80, deadline=None)
@given(score_ballots(), st.randoms(), st.integers(1, 5), st.text(max_size=5))
def test_score_methods_are_anonymous(
    case: tuple[list[str], list[list[int]]], rnd: object, seats: int, seed: str
) -> None:
    cands, rows = case
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    seats = min(seats, len(cands))
    for method in SCORED:
        a = method(cardinal(cands, rows), seats=seats, seed=seed)  # type: ignore[arg-type]
        b = method(cardinal(cands, shuffled), seats=seats, seed=seed)  # type: ignore[arg-type]
        assert a.winners == b.winners and a.tie_breaks == b.tie_breaks
        assert [r.counts for r in a.rounds] == [r.counts for r in b.rounds]


@settings(max_examples=80, deadline=None)
@given(ranked_ballots(), st.permutations(NAMES), st.integers(1, 5))
def test_ranked_methods_are_neutral(
    case: tuple[list[str], list[list[str]]], perm: list[str], seats: int
) -> None:
    cands, ballots = case
    rename = dict(zip(cands, perm, strict=False))
    renamed = [[rename[c] for c in b] for b in ballots]
    new_cands = sorted(rename[c] for c in cands)  # a different candidate order too
    seats = min(seats, len(cands))
    for method in RANKED:
        a = method(Profile.from_rankings(ballots, candidates=cands), seats=seats, break_ties=False)
        b = method(
            Profile.from_rankings(renamed, candidates=new_cands), seats=seats, break_ties=False
        )
        wa, ta = winner_sets(a)
        assert (frozenset(rename[c] for c in wa), frozenset(rename[c] for c in ta)) == winner_sets(
            b
        )


@settings(max_examples=80, deadline=None)
@given(score_ballots(), st.permutations(NAMES))
def test_score_methods_are_neutral(
    case: tuple[list[str], list[list[int]]], perm: list[str]
) -> None:
    cands, rows = case
    m = len(cands)
    rename = dict(zip(cands, perm, strict=False))
    order = sorted(range(m), key=lambda j: rename[cands[j]])
    new_cands = [rename[cands[j]] for j in order]
    new_rows = [[row[j] for j in order] for row in rows]
    for method in (approval, score):
        a = method(cardinal(cands, rows), break_ties=False)
        b = method(cardinal(new_cands, new_rows), break_ties=False)
        wa, ta = winner_sets(a)
        assert (frozenset(rename[c] for c in wa), frozenset(rename[c] for c in ta)) == winner_sets(
            b
        )
    a, b = star(cardinal(cands, rows)), star(cardinal(new_cands, new_rows))
    if not a.tie_breaks and not b.tie_breaks:
        assert tuple(rename[c] for c in a.winners) == b.winners


@settings(max_examples=60, deadline=None)
@given(score_ballots())
def test_raising_a_winner_s_score_keeps_it_winning(case: tuple[list[str], list[list[int]]]) -> None:
    cands, rows = case
    r = score(cardinal(cands, rows), break_ties=False)
    if not r.winners:
        return
    j = cands.index(r.winners[0])
    raised = [list(row) for row in rows]
    raised[0][j] = 5
    assert score(cardinal(cands, raised), break_ties=False).winners == r.winners


# ------------------------------------------------------- differential: pref_voting


def test_plurality_and_borda_agree_with_pref_voting_on_generated_profiles() -> None:
    # pref_voting's ProfileWithTies takes truncated ballots and needs no JIT compilation;
    # its "domination" Borda score (candidates ranked strictly below, the unranked below
    # every ranked one) is exactly ours: m - 1 - rank, and 0 when unranked.
    pwt = pytest.importorskip("pref_voting.profiles_with_ties")
    sm = pytest.importorskip("pref_voting.scoring_methods")
    rng = np.random.default_rng(20261126)
    for _ in range(1000):
        m = int(rng.integers(2, 7))
        n = int(rng.integers(1, 10))
        rankings = [
            [int(c) for c in rng.permutation(m)[: rng.integers(1, m + 1)]] for _ in range(n)
        ]
        counts = [int(c) for c in rng.integers(1, 6, size=n)]
        theirs = pwt.ProfileWithTies(
            [{c: i + 1 for i, c in enumerate(r)} for r in rankings],
            counts,
            candidates=list(range(m)),
        )
        names = [str(c) for c in range(m)]
        ours = Profile.from_rankings(
            [[str(c) for c in r] for r in rankings], candidates=names, counts=counts
        )
        r = plurality(ours, break_ties=False)
        assert {int(c) for c in (*r.winners, *r.tied)} == set(sm.plurality(theirs)), (
            rankings,
            counts,
        )
        r = borda(ours, break_ties=False)
        peer = sm.borda_for_profile_with_ties(theirs, borda_scores=sm.domination_borda_scores)
        assert {int(c) for c in (*r.winners, *r.tied)} == set(peer), (rankings, counts)
        assert r.rounds[0].counts == {
            str(c): float(s) for c, s in sm.domination_borda_scores(theirs).items()
        }


def test_approval_score_and_star_agree_with_pref_voting_on_generated_profiles() -> None:
    gp = pytest.importorskip("pref_voting.grade_profiles")
    gm = pytest.importorskip("pref_voting.grade_methods")
    rng = np.random.default_rng(7)
    for _ in range(1000):
        m = int(rng.integers(2, 6))
        n = int(rng.integers(1, 9))
        counts = [int(c) for c in rng.integers(1, 4, size=n)]
        names = [str(c) for c in range(m)]
        # scores 0..5 (STAR and score) and approvals 0/1
        for top, ours_m, peer in ((5, score, gm.score_voting), (1, approval, gm.approval)):
            vals = rng.integers(0, top + 1, size=(n, m))
            theirs = gp.GradeProfile(
                [{j: int(v[j]) for j in range(m)} for v in vals],
                list(range(top + 1)),
                gcounts=counts,
                candidates=list(range(m)),
            )
            ours = cardinal(names, vals.tolist(), counts)  # type: ignore[arg-type]
            r = ours_m(ours, break_ties=False)
            assert {int(c) for c in (*r.winners, *r.tied)} == set(peer(theirs)), (vals, counts)
            if top == 5:
                # pref_voting keeps every winner of every tie-broken runoff ("parallel
                # universes"); ours breaks ties, so our winner must be one of theirs,
                # and the same when theirs is unique.
                peer_star = set(gm.star(theirs))
                (winner,) = star(ours, seed=1).winners
                assert int(winner) in peer_star, (vals, counts)
