"""Helpers for the ranked-method tests: where the real data is, random profiles, and
conversions to the peer libraries' ballot types.

PrefLib files are read with ``dualpower.voting._readers.read_preflib`` (the library's
own reader); this module only adds what the tests need around it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dualpower.voting import Profile

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PREFLIB = DATA / "preflib"


def names(m: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(m)]


def random_profile(rng: np.random.Generator, m: int, n: int, *, truncate: bool = True) -> Profile:
    """``n`` random ballots over ``m`` candidates; with ``truncate`` each ranks 1..m of them."""
    perms = np.argsort(rng.random((n, m)), axis=1).astype(np.int32)
    if truncate:
        lengths = rng.integers(1, m + 1, size=n)
        perms[np.arange(m)[None, :] >= lengths[:, None]] = -1
    rows, counts = np.unique(perms, axis=0, return_counts=True)
    return Profile(names(m), rows, counts.astype(np.float64))


def ballots(profile: Profile) -> list[tuple[list[str], int]]:
    """The profile as ``(ranking of names, count)`` pairs."""
    out = []
    for row, c in zip(profile.rankings, profile.counts, strict=True):
        ranking = []
        for x in row:
            if x < 0:
                break
            ranking.append(profile.candidates[int(x)])
        out.append((ranking, int(c)))
    return out


def to_pref_voting(profile: Profile) -> Any:
    """A pref_voting ``ProfileWithTies`` (candidates are our names), ranked above unranked."""
    from pref_voting.profiles_with_ties import ProfileWithTies

    pairs = [(r, c) for r, c in ballots(profile) if r]
    out = ProfileWithTies(
        [{x: i + 1 for i, x in enumerate(r)} for r, _ in pairs],
        rcounts=[c for _, c in pairs],
        candidates=list(profile.candidates),
    )
    # Our rule for truncated ballots: a ranked candidate beats an unranked one.
    out.use_extended_strict_preference()
    return out


def to_pyrankvote(profile: Profile) -> tuple[list[Any], list[Any]]:
    import pyrankvote

    cands = {n: pyrankvote.Candidate(n) for n in profile.candidates}
    out = []
    for r, c in ballots(profile):
        b = pyrankvote.Ballot(ranked_candidates=[cands[x] for x in r])
        out.extend([b] * c)
    return list(cands.values()), out


def to_votekit(profile: Profile) -> Any:
    from votekit import RankBallot, RankProfile

    return RankProfile(
        ballots=[RankBallot(ranking=[{x} for x in r], weight=c) for r, c in ballots(profile) if r],
        candidates=list(profile.candidates),
    )
