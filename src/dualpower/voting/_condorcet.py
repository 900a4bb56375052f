"""Condorcet methods: Schulze, ranked pairs (Tideman) and Copeland.

All three start from the pairwise matrix ``d[i, j]``, the weight of ballots ranking ``i``
above ``j``. On a truncated ballot every ranked candidate is above every unranked one, and
two unranked candidates are not compared. Each method produces a ranking; a body that
fills several seats takes its top ``seats``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._irv import _check_seats, _checked, _num, _tie
from ._profile import Profile
from ._result import Result, Round, TieBreak
from ._tiebreak import seeded_order

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def pairwise_matrix(profile: Profile) -> FloatArray:
    """``d[i, j]``: the weight of ballots that rank candidate ``i`` above candidate ``j``.

    >>> p = Profile.from_rankings([["a", "b", "c"], ["c"]], candidates=["a", "b", "c"])
    >>> pairwise_matrix(p).tolist()
    [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]]

    Complexity: O(R · m²) for R distinct rankings and m candidates, in numpy blocks.
    """
    rk, counts, m = _checked(profile)
    n_rows, width = rk.shape
    # pos[r, c]: where ballot r ranks c (width = unranked). A -1 ends the ballot.
    ended = np.cumsum(rk < 0, axis=1) > 0
    pos = np.full((n_rows, m + 1), width, dtype=np.int16 if width < 32_000 else np.int32)
    cols = np.where(ended, m, rk)  # everything after the end goes to a spare column
    ranks = np.broadcast_to(np.arange(width, dtype=pos.dtype), (n_rows, width))
    np.put_along_axis(pos, cols.astype(np.intp), ranks, axis=1)
    pos_t = np.ascontiguousarray(pos[:, :m].T)  # one contiguous row per candidate
    # Only the upper triangle is counted: a ballot that ranks i or j orders them strictly,
    # so d[j, i] = (weight of ballots ranking i or j) - d[i, j].
    d = np.zeros((m, m), dtype=np.float64)
    weights, group = np.unique(counts, return_inverse=True)
    if len(weights) <= 64:
        # Few distinct ballot weights (the usual case: small whole counts): count the
        # rows where i is above j with count_nonzero, one weight class at a time. This is
        # an order of magnitude faster than a weighted matrix product over booleans.
        order = np.argsort(group, kind="stable")
        bounds = np.searchsorted(group[order], np.arange(len(weights) + 1))
        for g, wt in enumerate(weights):
            if wt == 0:
                continue
            block = pos_t[:, order[bounds[g] : bounds[g + 1]]]
            for i in range(m - 1):
                d[i, i + 1 :] += wt * np.count_nonzero(block[i][None, :] < block[i + 1 :], axis=1)
    else:
        w = counts.astype(np.float64)
        for i in range(m - 1):
            d[i, i + 1 :] = (pos_t[i][None, :] < pos_t[i + 1 :]).astype(np.float64) @ w
    either = np.full((m, m), float(counts.sum()))
    unranked = pos_t == width
    if unranked.any():
        u = unranked.astype(np.float64)
        either -= (u * counts[None, :]) @ u.T
    upper = np.triu(np.ones((m, m), dtype=np.bool_), 1)
    d.T[upper] = (either - d)[upper]
    return d


def _rank(
    beats: BoolArray,
    names: Sequence[str],
    seats: int,
    seed: str | int | None,
    method: str,
    ties: list[TieBreak],
) -> list[int]:
    """Top ``seats`` of the order given by ``beats[i, j]`` ("i is ranked above j").

    Repeatedly take the candidates that nobody left beats; if several, the seeded step
    picks which comes first (and the tie is recorded).
    """
    left = list(range(len(names)))
    order: list[int] = []
    while len(order) < seats:
        sub = beats[np.ix_(left, left)]
        top = [left[i] for i in np.flatnonzero(~sub.any(axis=0))]
        if not top:  # a cycle cannot happen for these relations; be safe anyway
            top = list(left)
        if len(top) == 1:
            pick = top[0]
        else:
            chosen = _tie([names[c] for c in top], seed, f"{method}: place {len(order) + 1}", ties)
            pick = list(names).index(chosen)
        order.append(pick)
        left.remove(pick)
    return order


def schulze(
    profile: Profile,
    *,
    seats: int = 1,
    seed: str | int | None = None,
    strength: str = "winning",
) -> Result:
    """The Schulze method (beatpath): strongest paths by the widest-path algorithm.

    ``strength`` measures a pairwise defeat: ``"winning"`` (the votes of the winning
    side, Schulze's recommendation) or ``"margin"`` (winning minus losing votes). Candidate
    ``i`` is ranked above ``j`` when the strongest path from ``i`` to ``j`` is stronger than
    the one back. The round's counts show how many candidates each one is ranked above.

    >>> p = Profile.from_rankings(
    ...     [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2,
    ...     candidates=["a", "b", "c"])
    >>> schulze(p).winners
    ('a',)

    Complexity: O(R · m² + m³): the pairwise matrix, then m vectorised O(m²) steps.
    """
    _, _, m = _checked(profile)
    _check_seats(seats, m, method="schulze")
    if strength not in ("winning", "margin"):
        raise ValueError(f"schulze: strength must be 'winning' or 'margin', not {strength!r}")
    d = pairwise_matrix(profile)
    wins = d > d.T
    p = np.where(wins, d if strength == "winning" else d - d.T, 0.0)
    for k in range(m):
        p = np.maximum(p, np.minimum(p[:, k, None], p[None, k, :]))
    np.fill_diagonal(p, 0.0)
    beats = p > p.T
    ties: list[TieBreak] = []
    names = profile.candidates
    order = _rank(beats, names, seats, seed, "schulze", ties)
    rnd = Round(
        1,
        {names[c]: int(beats[c].sum()) for c in range(m)},
        elected=tuple(names[c] for c in order),
        note="counts: how many candidates each is ranked above by strongest paths",
    )
    return Result("schulze", tuple(names[c] for c in order), (rnd,), tuple(ties))


def ranked_pairs(profile: Profile, *, seats: int = 1, seed: str | int | None = None) -> Result:
    """Ranked pairs (Tideman): lock pairwise victories from the largest margin down,
    skipping any that would make a cycle; the locked graph gives the ranking.

    Victories with equal margins are taken in a tie-breaking order of candidates (a
    permutation drawn by the seeded step, recorded in ``tie_breaks`` when such equal
    margins exist): the pair whose winner comes first in it, then the pair whose loser
    comes last (Tideman's rule).

    >>> p = Profile.from_rankings(
    ...     [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2,
    ...     candidates=["a", "b", "c"])
    >>> ranked_pairs(p, seats=3).winners
    ('a', 'b', 'c')

    Complexity: O(R · m² + m⁴) worst case: the pairwise matrix, then an O(m²) update of
    the reachability matrix for each of the m² pairs (numpy vectorised).
    """
    _, _, m = _checked(profile)
    _check_seats(seats, m, method="ranked_pairs")
    names = profile.candidates
    d = pairwise_matrix(profile)
    margin = d - d.T
    ii, jj = np.nonzero(margin > 0)
    mg = margin[ii, jj]
    ties: list[TieBreak] = []
    rank_of = {c: i for i, c in enumerate(range(m))}
    if len(mg) != len(np.unique(mg)):
        order_names = seeded_order(names, seed)
        index = {n: i for i, n in enumerate(names)}
        rank_of = {index[n]: i for i, n in enumerate(order_names)}
        involved = sorted(
            {
                names[int(c)]
                for v in np.unique(mg)
                if (mg == v).sum() > 1
                for c in np.concatenate([ii[mg == v], jj[mg == v]])
            }
        )
        ties.append(
            TieBreak(
                "ranked_pairs: order of victories with equal margins",
                tuple(involved),
                order_names,
                "seeded-random",
            )
        )
    pairs = sorted(
        zip(mg.tolist(), ii.tolist(), jj.tolist(), strict=True),
        key=lambda t: (-t[0], rank_of[t[1]], -rank_of[t[2]]),
    )
    reach = np.zeros((m, m), dtype=np.bool_)  # reach[a, b]: a path of locked pairs a -> b
    for _, a, b in pairs:
        if a == b or reach[b, a]:
            continue
        src = reach[:, a].copy()
        src[a] = True
        dst = reach[b].copy()
        dst[b] = True
        reach |= np.outer(src, dst)
    order = _rank(reach, names, seats, seed, "ranked_pairs", ties)
    rnd = Round(
        1,
        {names[c]: int(reach[c].sum()) for c in range(m)},
        elected=tuple(names[c] for c in order),
        note="counts: how many candidates each is locked above",
    )
    return Result("ranked_pairs", tuple(names[c] for c in order), (rnd,), tuple(ties))


def copeland(profile: Profile, *, seats: int = 1, seed: str | int | None = None) -> Result:
    """Copeland: 1 point per pairwise victory, 1/2 per pairwise tie; most points wins.

    >>> p = Profile.from_rankings(
    ...     [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 2,
    ...     candidates=["a", "b", "c"])
    >>> r = copeland(p)
    >>> r.rounds[0].counts, len(r.tie_breaks)
    ({'a': 1, 'b': 1, 'c': 1}, 1)

    Complexity: O(R · m² + m²).
    """
    _, _, m = _checked(profile)
    _check_seats(seats, m, method="copeland")
    names = profile.candidates
    d = pairwise_matrix(profile)
    score = (d > d.T).sum(axis=1) + 0.5 * ((d == d.T).sum(axis=1) - 1)
    beats = score[:, None] > score[None, :]
    ties: list[TieBreak] = []
    order = _rank(beats, names, seats, seed, "copeland", ties)
    rnd = Round(
        1,
        {names[c]: _num(score[c]) for c in range(m)},
        elected=tuple(names[c] for c in order),
        note="counts: Copeland scores",
    )
    return Result("copeland", tuple(names[c] for c in order), (rnd,), tuple(ties))
