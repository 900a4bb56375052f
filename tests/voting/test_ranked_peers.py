"""Differential tests: our ranked methods against pref_voting, pyrankvote and votekit on
seeded random small profiles (truncated ballots included).

What each comparison can and cannot vouch for, and why a profile may be left out:

- Our ties are broken by a seeded random step; pref_voting's IRV eliminates every
  candidate tied for last at once, pyrankvote and votekit break ties their own way. So a
  single-winner comparison is made only on profiles where *our* count recorded no tie;
  for the Condorcet methods, where pref_voting returns the whole set of co-winners, we
  compare that set with ours (the candidates our tie-break chose among).
- pref_voting's ``ProfileWithTies`` is told to use extended strict preference, so that,
  as in our pairwise matrix, a ranked candidate beats an unranked one.
- pyrankvote's STV is not a standard rule (quota votes/(seats+1) unrounded, every
  ballot of a winner transfers the same share): with one seat it is instant-runoff, and
  only that is compared.
- votekit's STV transfers surpluses exactly (no truncation to 5 decimals): it is
  compared with our Scottish count on profiles where no decision of ours was closer
  than 0.01 of a vote (truncation moves less than that in these small profiles).
- pref_voting's ``stv_meek`` iterates to 1e-10 without New Zealand's 9-decimal rounding:
  profiles where two of our hopefuls came within 1e-6 are left out.

Each test asserts that most profiles were compared, so a filter cannot hide a failure.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from _preflib_for_tests import random_profile, to_pref_voting, to_pyrankvote, to_votekit

from dualpower.voting import Profile, Result
from dualpower.voting._ranked import copeland, irv, ranked_pairs, schulze, stv_meek, stv_scottish

pref_voting = pytest.importorskip("pref_voting")


def profiles(seed: int, count: int, *, max_m: int = 6, max_n: int = 40) -> Iterator[Profile]:
    rng = np.random.default_rng(seed)
    for _ in range(count):
        m = int(rng.integers(2, max_m + 1))
        yield random_profile(rng, m, int(rng.integers(1, max_n + 1)))


def near_tie(result: Result, tol: float) -> bool:
    """Did any decision of the count (who is lowest, who reaches the quota) hang on
    less than ``tol`` of a vote?"""
    decided: set[str] = set()
    for rd in result.rounds:
        alive = sorted(v for c, v in rd.counts.items() if c not in decided)
        if any(b - a < tol for a, b in itertools.pairwise(alive)):
            return True
        if rd.quota is not None and any(abs(v - rd.quota) < tol for v in alive):
            return True
        decided |= set(rd.elected)
    return False


def test_irv_agrees_with_pref_voting() -> None:
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders as theirs

    compared = 0
    for p in profiles(1, 1000):
        r = irv(p)
        if r.tie_breaks:
            continue
        assert list(r.winners) == theirs(to_pref_voting(p))
        compared += 1
    assert compared > 450


def test_irv_agrees_with_pyrankvote() -> None:
    import pyrankvote

    compared = 0
    for p in profiles(2, 1000):
        r = irv(p)
        if r.tie_breaks:
            continue
        cands, ballots = to_pyrankvote(p)
        winners = pyrankvote.instant_runoff_voting(cands, ballots).get_winners()
        assert [w.name for w in winners] == list(r.winners)
        compared += 1
    assert compared > 450


def test_irv_and_scottish_stv_agree_with_votekit() -> None:
    from votekit.elections import IRV, STV

    compared = 0
    for i, p in enumerate(profiles(3, 100, max_m=5, max_n=30)):
        seats = 1 + i % (len(p.candidates) - 1) if len(p.candidates) > 1 else 1
        r = irv(p)
        if not r.tie_breaks:
            assert [set(s) for s in IRV(to_votekit(p)).get_elected()] == [set(r.winners)]
        s = stv_scottish(p, seats=seats)
        if s.tie_breaks or near_tie(s, 0.01):
            continue
        vk = STV(to_votekit(p), n_seats=seats, simultaneous=False)
        assert set().union(*vk.get_elected()) == set(s.winners)
        compared += 1
    assert compared > 15


@pytest.mark.parametrize("strength", ["winning", "margin"])
def test_schulze_agrees_with_pref_voting(strength: str) -> None:
    from pref_voting.voting_methods import beat_path

    for p in profiles(4, 1000):
        pv = to_pref_voting(p)
        theirs = beat_path(pv, strength_function=pv.support if strength == "winning" else None)
        r = schulze(p, strength=strength)
        ours = set(r.tie_breaks[0].tied) if r.tie_breaks else set(r.winners)
        assert ours == set(theirs)


def test_copeland_agrees_with_pref_voting() -> None:
    from pref_voting.voting_methods import copeland as theirs

    for p in profiles(5, 1000):
        r = copeland(p)
        ours = set(r.tie_breaks[0].tied) if r.tie_breaks else set(r.winners)
        assert ours == set(theirs(to_pref_voting(p)))


def test_ranked_pairs_agrees_with_pref_voting() -> None:
    # pref_voting's ranked_pairs returns every candidate that wins under *some* order of
    # the equal-margin pairs: ours must be one of them, and the only one when no margins
    # tie. Trying every order is exponential in the number of equal margins, so profiles
    # with such ties are compared only up to three candidates. (pref_voting's
    # ranked_pairs_tb orders equal margins by (winner, loser) in a given order, where
    # Tideman takes the pair with the *later* loser first, so it is not a reference for ours.)
    from pref_voting.voting_methods import ranked_pairs as theirs

    compared = 0
    for p in profiles(6, 1000, max_m=5):
        r = ranked_pairs(p)
        if r.tie_breaks and len(p.candidates) > 3:
            continue
        winners = set(theirs(to_pref_voting(p)))
        assert r.winners[0] in winners
        if not r.tie_breaks:
            assert winners == {r.winners[0]}
        compared += 1
    assert compared > 500


def test_scottish_stv_agrees_with_pref_voting() -> None:
    from pref_voting.proportional_methods import stv_scottish as theirs

    compared = 0
    for i, p in enumerate(profiles(7, 1000)):
        seats = 1 + i % (len(p.candidates) - 1)
        r = stv_scottish(p, seats=seats)
        if r.tie_breaks:
            continue
        assert sorted(theirs(to_pref_voting(p), num_seats=seats)) == sorted(r.winners)
        compared += 1
    assert compared > 600


def test_meek_stv_agrees_with_pref_voting() -> None:
    from pref_voting.proportional_methods import stv_meek as theirs

    compared = 0
    for i, p in enumerate(profiles(8, 250, max_m=5, max_n=25)):
        seats = 1 + i % (len(p.candidates) - 1)
        r = stv_meek(p, seats=seats)
        if r.tie_breaks or near_tie(r, 1e-6):
            continue
        assert sorted(theirs(to_pref_voting(p), num_seats=seats)) == sorted(r.winners)
        compared += 1
    assert compared > 80


def test_one_seat_stv_agrees_with_pyrankvote() -> None:
    import pyrankvote

    compared = 0
    for p in profiles(9, 500):
        r = stv_scottish(p)
        if r.tie_breaks:
            continue
        cands, ballots = to_pyrankvote(p)
        winners = pyrankvote.single_transferable_vote(cands, ballots, 1).get_winners()
        assert [w.name for w in winners] == list(r.winners)
        compared += 1
    assert compared > 230
