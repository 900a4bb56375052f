"""Memory: a profile of n ballots takes no more than twice the bytes of its compact
array form, the n x k int32 matrix of the ballots (k the longest ranking, -1 padded),
because identical ballots are stored once with a count."""

from __future__ import annotations

import numpy as np
import pytest
from _preflib_for_tests import PREFLIB

from dualpower.voting import Profile, read_preflib


def _profile_bytes(profile: Profile) -> int:
    return int(profile.rankings.nbytes + profile.counts.nbytes)


def _compact_bytes(n_ballots: float, width: int) -> int:
    return int(n_ballots) * width * 4


def test_distinct_ballots_cost_at_most_twice_their_compact_form() -> None:
    rng = np.random.default_rng(7)
    m, n = 10, 50_000
    rows = np.argsort(rng.random((n, m)), axis=1).astype(np.int32)  # almost all distinct
    names = [f"c{i}" for i in range(m)]
    profile = Profile.from_rankings(([names[j] for j in row] for row in rows), candidates=names)
    assert profile.n_voters == n
    assert _profile_bytes(profile) <= 2 * _compact_bytes(n, m)


def test_a_real_election_is_far_smaller_than_its_compact_form() -> None:
    path = PREFLIB / "nswla" / "00058-00000080.soi"
    if not path.exists():
        pytest.skip("../shared/data is not beside the project")
    profile = read_preflib(path)
    width = profile.rankings.shape[1]
    assert _profile_bytes(profile) * 2 <= _compact_bytes(profile.n_voters, width)
