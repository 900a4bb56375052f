"""Instant-runoff voting, and the helpers the ranked methods share.

Every ranked method reads a :class:`~dualpower.voting.Profile`: row ``i`` of
``profile.rankings`` is one distinct ranking (candidate indices, most preferred first,
padded with ``-1``) cast by ``profile.counts[i]`` voters. A ``-1`` ends a ballot: anything
after it is ignored. The counts work on that deduplicated matrix with numpy, so a million
ballots with a few thousand distinct rankings cost a few thousand rows, not a million.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from ._errors import BallotError, VotingError
from ._profile import Profile
from ._result import Result, Round, TieBreak
from ._tiebreak import break_tie

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


def _checked(profile: Profile) -> tuple[IntArray, FloatArray, int]:
    """Return ``(rankings, counts, n_candidates)`` after checking the profile's shape."""
    m = len(profile.candidates)
    if m == 0:
        raise BallotError("a ranked count needs at least one candidate")
    rk = profile.rankings
    if rk.size and (int(rk.min()) < -1 or int(rk.max()) >= m):
        raise BallotError("a ranking refers to a candidate index that does not exist")
    counts = profile.counts
    if counts.size and float(counts.min()) < 0:
        raise BallotError("ballot counts must not be negative")
    if rk.shape[1] == 0:
        rk = np.full((rk.shape[0], 1), -1, dtype=np.int32)
    return rk, counts, m


def _check_seats(seats: int, m: int, *, method: str) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise VotingError(f"{method}: seats must be a positive whole number, not {seats!r}")
    if seats > m:
        raise VotingError(f"{method}: {seats} seats but only {m} candidates")


def _tie(tied: Iterable[str], seed: str | int | None, step: str, log: list[TieBreak]) -> str:
    """Break a tie by the seeded random step and record it in ``log``.

    One place for the rule (``_tiebreak.break_tie``: a permutation of the sorted names
    drawn from ``random.Random(seed)``, first name chosen), so every method agrees.
    """
    chosen, record = break_tie(tied, seed, step)
    log.append(record)
    return chosen


def _num(x: float) -> float:
    """A tally for a :class:`Round`: whole numbers as ints, others rounded for display."""
    r = round(float(x), 9)
    return int(r) if r.is_integer() else r


def _first_continuing(
    rk: IntArray, ptr: npt.NDArray[np.intp], rows: npt.NDArray[np.intp], stop: npt.NDArray[np.bool_]
) -> IntArray:
    """Advance ``ptr[rows]`` to the first preference at or after it for which ``stop`` holds.

    ``stop`` has ``m + 1`` entries; its last entry stands for ``-1`` (the ballot ended) and
    must be ``True``. Returns the candidate (or ``-1``) now at each row's pointer. The loop
    runs at most once per column, each time on the rows that still need to move.
    """
    width = rk.shape[1]
    out = np.empty(rows.shape[0], dtype=np.int32)
    todo = np.arange(rows.shape[0])
    while todo.size:
        r = rows[todo]
        p = ptr[r]
        inside = p < width
        cand = np.full(r.shape[0], -1, dtype=np.int32)
        cand[inside] = rk[r[inside], p[inside]]
        done = stop[cand]
        out[todo[done]] = cand[done]
        todo = todo[~done]
        ptr[r[~done]] += 1
    return out


def irv(profile: Profile, *, seats: int = 1, seed: str | int | None = None) -> Result:
    """Instant-runoff voting: drop the candidate with the fewest votes until one has a
    majority of the ballots still in play.

    Truncated ballots are allowed: a ballot whose ranked candidates are all eliminated is
    *exhausted* and stops counting; each round reports the exhausted weight so far. A tie
    for the fewest votes is broken by the seeded random step (``tie_breaks`` shows it).
    Blank ballots (nothing ranked) are not valid votes and are not counted at all.

    >>> p = Profile.from_rankings(
    ...     [["a"]] * 4 + [["b", "c"]] * 3 + [["c", "b"]] * 2, candidates=["a", "b", "c"])
    >>> r = irv(p)
    >>> r.winners, [rd.eliminated for rd in r.rounds]
    (('b',), [('c',), ()])
    >>> r.rounds[-1].counts
    {'a': 4, 'b': 5}

    Complexity: O(R · m) time for R distinct rankings and m candidates (one vectorised
    pass over the rows per round, plus each row's pointer moving at most m places).
    """
    rk, counts, m = _checked(profile)
    if seats != 1:
        raise VotingError(
            "irv elects one candidate; use stv_scottish or stv_meek for several seats"
        )
    names = profile.candidates
    width = rk.shape[1]
    n_rows = rk.shape[0]
    valid = float(counts[rk[:, 0] >= 0].sum()) if n_rows else 0.0

    continuing = np.ones(m + 1, dtype=np.bool_)  # index m stands for -1: "exhausted"
    ptr = np.zeros(n_rows, dtype=np.intp)
    top = rk[:, 0].copy() if n_rows else np.empty(0, dtype=np.int32)
    votes = np.bincount(top[top >= 0], weights=counts[top >= 0], minlength=m).astype(np.float64)
    exhausted = 0.0
    transfers: dict[str, float] = {}
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    alive = list(range(m))
    number = 1
    while True:
        in_play = float(votes[alive].sum())
        counts_now = {names[c]: _num(votes[c]) for c in alive}
        best = max(alive, key=lambda c: votes[c])
        if len(alive) == 1 or votes[best] * 2 > in_play:
            rounds.append(
                Round(
                    number,
                    counts_now,
                    elected=(names[best],),
                    transfers=transfers,
                    exhausted=_num(exhausted),
                )
            )
            return Result("irv", (names[best],), tuple(rounds), tuple(ties))
        low = min(float(votes[c]) for c in alive)
        lowest = [c for c in alive if votes[c] == low]
        if len(lowest) == 1:
            out = lowest[0]
        else:
            chosen = _tie([names[c] for c in lowest], seed, f"round {number}: eliminate", ties)
            out = names.index(chosen)
        rounds.append(
            Round(
                number,
                counts_now,
                eliminated=(names[out],),
                transfers=transfers,
                exhausted=_num(exhausted),
            )
        )
        # Move the eliminated candidate's ballots to their next continuing preference.
        continuing[out] = False
        alive.remove(out)
        rows = np.flatnonzero(top == out)
        ptr[rows] += 1
        if width:
            new_top = _first_continuing(rk, ptr, rows, continuing)
        else:  # pragma: no cover - _checked gives every profile a column
            new_top = np.full(rows.shape[0], -1, dtype=np.int32)
        top[rows] = new_top
        moved = np.bincount(new_top + 1, weights=counts[rows], minlength=m + 1)
        votes[out] = 0.0
        votes += moved[1:]
        exhausted = max(valid - float(votes[alive].sum()), 0.0)
        transfers = {names[c]: _num(moved[c + 1]) for c in alive if moved[c + 1]}
        number += 1
