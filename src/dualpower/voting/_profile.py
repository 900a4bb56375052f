"""Profiles: the ballots of one count, identical ballots stored once with a count.

``Profile`` holds ranked ballots as a compact integer matrix: row ``i`` is one distinct
ranking (candidate indices, most preferred first, padded with ``-1`` when truncated) and
``counts[i]`` how many voters cast it. ``CardinalProfile`` holds approval, score and
quadratic ballots as a matrix of per-candidate values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from ._errors import BallotError


class Profile:
    """Ranked ballots, deduplicated.

    >>> p = Profile.from_rankings([["a", "b"], ["a", "b"], ["b"]], candidates=["a", "b", "c"])
    >>> p.n_voters, p.rankings.shape
    (3, (2, 2))

    Complexity: O(n log n) to build from n ballots (one sort for deduplication).
    """

    __slots__ = ("candidates", "counts", "rankings")

    def __init__(
        self,
        candidates: Sequence[str],
        rankings: npt.NDArray[np.int32],
        counts: npt.NDArray[np.float64],
    ) -> None:
        self.candidates: tuple[str, ...] = tuple(candidates)
        self.rankings = np.ascontiguousarray(rankings, dtype=np.int32)
        self.counts = np.ascontiguousarray(counts, dtype=np.float64)
        if self.rankings.ndim != 2 or self.counts.shape != (self.rankings.shape[0],):
            raise BallotError("rankings must be a 2-d matrix with one count per row")

    @classmethod
    def from_rankings(
        cls,
        rankings: Iterable[Sequence[str]],
        *,
        candidates: Sequence[str] | None = None,
        counts: Iterable[float] | None = None,
    ) -> Profile:
        """Build a profile from rankings of candidate names (most preferred first)."""
        rows = [tuple(r) for r in rankings]
        weights = [1.0] * len(rows) if counts is None else [float(c) for c in counts]
        if len(weights) != len(rows):
            raise BallotError("one count is needed per ranking")
        if candidates is None:
            seen: dict[str, None] = {}
            for r in rows:
                for c in r:
                    seen.setdefault(c, None)
            candidates = list(seen)
        index = {c: i for i, c in enumerate(candidates)}
        if len(index) != len(candidates):
            raise BallotError("candidate names must be unique")
        width = max((len(r) for r in rows), default=0)
        merged: dict[tuple[int, ...], float] = {}
        for r, w in zip(rows, weights, strict=True):
            try:
                key = tuple(index[c] for c in r)
            except KeyError as e:
                raise BallotError(f"unknown candidate {e.args[0]!r} on a ballot") from None
            if len(set(key)) != len(key):
                raise BallotError(f"a ballot ranks a candidate twice: {list(r)}")
            merged[key] = merged.get(key, 0.0) + w
        mat = np.full((len(merged), width), -1, dtype=np.int32)
        for i, key in enumerate(merged):
            mat[i, : len(key)] = key
        return cls(
            candidates, mat, np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
        )

    @property
    def n_voters(self) -> float:
        """Total weight of the ballots (the number of voters for unweighted ballots)."""
        n = float(self.counts.sum())
        return int(n) if n.is_integer() else n


class CardinalProfile:
    """Approval, score and quadratic ballots: ``values[i, j]`` is what distinct ballot
    ``i`` gives candidate ``j``; ``counts[i]`` how many voters cast it."""

    __slots__ = ("candidates", "counts", "values")

    def __init__(
        self,
        candidates: Sequence[str],
        values: npt.NDArray[np.float64],
        counts: npt.NDArray[np.float64],
    ) -> None:
        self.candidates: tuple[str, ...] = tuple(candidates)
        self.values = np.ascontiguousarray(values, dtype=np.float64)
        self.counts = np.ascontiguousarray(counts, dtype=np.float64)
        if self.values.ndim != 2 or self.values.shape[1] != len(self.candidates):
            raise BallotError("values must be a matrix with one column per candidate")
        if self.counts.shape != (self.values.shape[0],):
            raise BallotError("one count is needed per ballot row")
