"""Participatory budgeting instances: projects with costs, a budget, and the ballots.

A :class:`BudgetInstance` holds one participatory budget the way the counting methods
want it: ``values[i, j]`` is what distinct ballot ``i`` gives project ``j`` (1/0 for an
approval ballot, the points for a cumulative ballot; an ordinal ballot is read as the
approval of the projects it ranks, its ranks kept in ``ranks``) and ``counts[i]`` how
many voters cast that ballot. Identical ballots are stored once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ._errors import BallotError

VOTE_TYPES = ("approval", "cumulative", "scoring", "ordinal")


@dataclass(frozen=True, eq=False)
class BudgetInstance:
    """One participatory budget: projects, their costs, the budget and the ballots.

    ``projects`` are project ids (as in the file), ``costs`` their costs in the same order,
    ``values`` a ballots x projects matrix (approval 0/1 or points), ``counts`` the number
    of voters who cast each distinct row. ``selected`` is the official outcome when the
    source records one (Pabulib's ``selected`` column), else ``None``. ``ranks``, for
    ordinal ballots only, gives each ranked project's position (1 = first; 0 = unranked).

    >>> inst = BudgetInstance.from_ballots(
    ...     {"a": 60, "b": 50, "c": 40}, 100, [["a"], ["a", "c"], ["b"], ["a"]]
    ... )
    >>> inst.n_voters, inst.values.shape, inst.scores().tolist()
    (4, (3, 3), [3.0, 1.0, 1.0])

    Complexity: O(n p log n) to build from n ballots over p projects (deduplication sort).
    """

    projects: tuple[str, ...]
    costs: npt.NDArray[np.float64]
    budget: float
    values: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]
    vote_type: str = "approval"
    meta: Mapping[str, str] = field(default_factory=dict)
    selected: tuple[str, ...] | None = None
    ranks: npt.NDArray[np.int32] | None = None

    def __post_init__(self) -> None:
        costs = np.ascontiguousarray(self.costs, dtype=np.float64)
        values = np.ascontiguousarray(self.values, dtype=np.float64)
        counts = np.ascontiguousarray(self.counts, dtype=np.float64)
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "budget", float(self.budget))
        p = len(self.projects)
        if len(set(self.projects)) != p:
            raise BallotError("project ids must be unique")
        if costs.shape != (p,):
            raise BallotError("one cost is needed per project")
        if values.ndim != 2 or values.shape[1] != p:
            raise BallotError("values must be a matrix with one column per project")
        if counts.shape != (values.shape[0],):
            raise BallotError("one count is needed per ballot row")
        if not np.all(np.isfinite(costs)) or np.any(costs < 0):
            raise BallotError("project costs must be finite and not negative")
        if not np.isfinite(self.budget) or self.budget < 0:
            raise BallotError("the budget must be finite and not negative")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise BallotError("ballot values must be finite and not negative")
        if not np.all(np.isfinite(counts)) or np.any(counts < 0):
            raise BallotError("ballot counts must be finite and not negative")
        if self.vote_type not in VOTE_TYPES:
            raise BallotError(f"unknown vote type {self.vote_type!r}")
        if self.selected is not None:
            unknown = set(self.selected) - set(self.projects)
            if unknown:
                raise BallotError(f"selected names unknown projects: {sorted(unknown)}")
            object.__setattr__(self, "selected", tuple(self.selected))
        if self.ranks is not None:
            ranks = np.ascontiguousarray(self.ranks, dtype=np.int32)
            if ranks.shape != values.shape:
                raise BallotError("ranks must have the shape of values")
            object.__setattr__(self, "ranks", ranks)

    @classmethod
    def from_ballots(
        cls,
        costs: Mapping[str, float],
        budget: float,
        ballots: Sequence[Sequence[str] | Mapping[str, float]],
        *,
        counts: Sequence[float] | None = None,
        vote_type: str | None = None,
        meta: Mapping[str, str] | None = None,
        selected: Sequence[str] | None = None,
    ) -> BudgetInstance:
        """Build an instance from ``{project: cost}`` and ballots.

        A ballot is a list of approved project ids, or a mapping ``{project: points}``.
        Identical ballots are merged with their counts added up.

        >>> inst = BudgetInstance.from_ballots({"x": 5, "y": 5}, 5, [{"x": 2, "y": 1}])
        >>> inst.vote_type, inst.values.tolist()
        ('cumulative', [[2.0, 1.0]])

        Complexity: O(n p log n) for n ballots over p projects.
        """
        projects = tuple(costs)
        index = {pid: j for j, pid in enumerate(projects)}
        weights = [1.0] * len(ballots) if counts is None else [float(c) for c in counts]
        if len(weights) != len(ballots):
            raise BallotError("one count is needed per ballot")
        mat = np.zeros((len(ballots), len(projects)), dtype=np.float64)
        cardinal = False
        for i, ballot in enumerate(ballots):
            items: list[tuple[str, float]]
            if isinstance(ballot, Mapping):
                cardinal = True
                items = [(str(k), float(v)) for k, v in ballot.items()]
            else:
                items = [(str(k), 1.0) for k in ballot]
                if len({k for k, _ in items}) != len(items):
                    raise BallotError(f"ballot {i + 1} approves a project twice")
            for pid, v in items:
                j = index.get(pid)
                if j is None:
                    raise BallotError(f"ballot {i + 1} names an unknown project {pid!r}")
                mat[i, j] = v
        if vote_type is None:
            vote_type = "cumulative" if cardinal else "approval"
        values, merged = deduplicate(mat, np.asarray(weights, dtype=np.float64))
        return cls(
            projects=projects,
            costs=np.array([float(costs[p]) for p in projects], dtype=np.float64),
            budget=float(budget),
            values=values,
            counts=merged,
            vote_type=vote_type,
            meta=dict(meta or {}),
            selected=None if selected is None else tuple(selected),
        )

    @property
    def n_voters(self) -> float:
        """Total weight of the ballots (the number of voters)."""
        n = float(self.counts.sum())
        return int(n) if n.is_integer() else n

    def scores(self) -> npt.NDArray[np.float64]:
        """Votes per project: approvals, or total points for cumulative ballots.

        Complexity: O(n p) for n distinct ballots over p projects.
        """
        return np.asarray(self.counts @ self.values, dtype=np.float64)

    def cost_of(self, chosen: Sequence[str]) -> float:
        """Total cost of the named projects.

        Complexity: O(p + k).
        """
        index = {pid: j for j, pid in enumerate(self.projects)}
        return float(sum(self.costs[index[c]] for c in chosen))


def deduplicate(
    values: npt.NDArray[np.float64], counts: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Merge identical rows of ``values``, adding up their ``counts``.

    Rows come back in the order of their first appearance.

    >>> v, c = deduplicate(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.ones(3))
    >>> v.tolist(), c.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [2.0, 1.0])

    Complexity: O(n p log n) for n rows of p values.
    """
    if values.shape[0] == 0:
        return values.copy(), counts.copy()
    if values.shape[1] == 0:
        return np.zeros((1, 0), dtype=np.float64), np.array([counts.sum()], dtype=np.float64)
    rows = np.ascontiguousarray(values)
    view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
    _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=counts, minlength=first.shape[0])
    order = np.argsort(first, kind="stable")
    return rows[first[order]].copy(), np.asarray(merged[order], dtype=np.float64)
