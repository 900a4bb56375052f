"""Single transferable vote: the Scottish statutory rules and Meek's method.

Both counts follow identical ballots as one row: every paper of a distinct ranking takes
the same path through the count (same transfers, same values), so the state of the count
is one pile, one pointer and one value per row, and a stage is a few numpy operations on
the rows of the pile that moves. Values are kept as whole numbers of the smallest unit the
rules use (1/100,000 of a vote for Scottish STV, 1/1,000,000,000 for Meek), so the
statutory truncation and rounding are exact, not floating-point approximations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._errors import BallotError
from ._irv import _check_seats, _checked, _first_continuing, _num, _tie
from ._profile import Profile
from ._result import Result, Round, TieBreak

_SCOT = 100_000  # Scottish values are truncated to 5 decimal places
_NZ = 1_000_000_000  # New Zealand's Meek rules round to 9 decimal places
Int64Array = npt.NDArray[np.int64]


def _whole_counts(counts: npt.NDArray[np.float64], method: str) -> Int64Array:
    whole = np.rint(counts)
    if not np.array_equal(whole, counts):
        raise BallotError(f"{method} counts whole ballot papers: every count must be an integer")
    return whole.astype(np.int64)


def _backwards(tied: Sequence[int], history: Sequence[Int64Array], *, lowest: bool) -> list[int]:
    """Narrow a tie by the statutory backwards rule.

    Walk back from the most recent stage to the first; at the first stage where the tied
    candidates' votes differ, keep those with the fewest (``lowest``) or the most votes.
    Returns the candidates still tied after every stage was consulted (one, if it settled).
    """
    group = list(tied)
    for stage in reversed(history):
        vals = [int(stage[c]) for c in group]
        if len(set(vals)) > 1:
            target = min(vals) if lowest else max(vals)
            group = [c for c, v in zip(group, vals, strict=True) if v == target]
            if len(group) == 1:
                break
    return group


def _resolve(
    tied: list[int],
    history: Sequence[Int64Array],
    *,
    lowest: bool,
    names: Sequence[str],
    seed: str | int | None,
    step: str,
    ties: list[TieBreak],
) -> int:
    """Pick one of ``tied``: the backwards rule first, then lot (the seeded step)."""
    if len(tied) == 1:
        return tied[0]
    group = _backwards(tied, history, lowest=lowest)
    if len(group) == 1:
        ties.append(
            TieBreak(step, tuple(sorted(names[c] for c in tied)), (names[group[0]],), "backwards")
        )
        return group[0]
    chosen = _tie([names[c] for c in group], seed, step, ties)
    return list(names).index(chosen)


def stv_scottish(profile: Profile, *, seats: int = 1, seed: str | int | None = None) -> Result:
    """STV under the Scottish Local Government Elections Order 2007 (SSI 2007/42, rules 45-52).

    - Quota (rule 46): ``floor(valid / (seats + 1)) + 1``, valid = papers with a first
      preference.
    - A candidate with at least the quota is elected (rule 47).
    - Surplus (rule 48): *every* paper the candidate holds moves on to its next continuing
      preference with transfer value ``surplus * value when received / votes credited``,
      truncated to 5 decimal places; papers with no further preference are
      non-transferable. The largest surplus is transferred first (rule 49).
    - Exclusion (rule 50): with no surplus to transfer, the continuing candidate with the
      fewest votes is excluded and each of their papers moves on at its current value.
    - Ties for a surplus or an exclusion: the backwards rule (the candidate with the most,
      resp. fewest, votes at the most recent stage where the tied candidates differed),
      then lot, drawn by the seeded step.
    - Last vacancies (rule 52): when the continuing candidates are as many as the vacancies
      they are elected; with one vacancy left, a candidate holding at least all the other
      continuing votes plus the untransferred surpluses is elected.

    Every stage is one :class:`Round`: its counts (elected and continuing candidates) at
    the end of the stage, the candidates elected at it, the candidate excluded by it, the
    votes transferred, the non-transferable value so far (``exhausted``) and the quota; the
    note names the stage and the value lost to truncation so far, so that
    ``sum(counts) + exhausted + lost == valid``.

    >>> p = Profile.from_rankings(
    ...     [["a", "b"]] * 6 + [["c"]] * 3 + [["b", "c"]] * 2, candidates=["a", "b", "c"])
    >>> r = stv_scottish(p, seats=2)
    >>> r.winners, r.rounds[0].quota, r.rounds[1].counts
    (('a', 'b'), 4, {'a': 4, 'b': 3.99998, 'c': 3})

    Complexity: O(S · R · m) worst case for S stages and R distinct rankings; a stage
    touches only the rows of the pile that moves, plus one pass to find them.
    """
    rk, counts_f, m = _checked(profile)
    _check_seats(seats, m, method="stv_scottish")
    n = _whole_counts(counts_f, "stv_scottish")
    names = profile.candidates
    rows_all = rk.shape[0]

    pile = rk[:, 0].copy().astype(np.int32)
    ptr = np.zeros(rows_all, dtype=np.intp)
    value = np.full(rows_all, _SCOT, dtype=np.int64)
    first = pile >= 0
    valid = int(n[first].sum())
    quota = valid // (seats + 1) + 1
    q = quota * _SCOT
    votes = np.bincount(pile[first], weights=(n[first] * _SCOT).astype(np.float64), minlength=m)
    votes_i = np.rint(votes).astype(np.int64)

    continuing = np.ones(m + 1, dtype=np.bool_)  # index m stands for "no further preference"
    elected: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    excluded: list[int] = []
    history: list[Int64Array] = []
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    exhausted = 0
    lost = 0
    stage = 1
    note = "first preferences"
    out: tuple[str, ...] = ()
    transfers: dict[str, float] = {}

    while True:
        history.append(votes_i.copy())
        # Rule 47: who reached the quota at this stage (most votes first).
        reached = [c for c in range(m) if continuing[c] and votes_i[c] >= q]
        reached.sort(key=lambda c: (-int(votes_i[c]), names[c]))
        newly: list[int] = []
        for c in reached:
            if len(elected) < seats:
                elected.append(c)
                newly.append(c)
                continuing[c] = False
                if votes_i[c] > q:
                    pending.append(c)
        vacancies = seats - len(elected)
        alive = [c for c in range(m) if continuing[c]]
        # Rule 52: filling the last vacancies.
        if vacancies and len(alive) <= vacancies:
            alive.sort(key=lambda c: (-int(votes_i[c]), names[c]))
            for c in alive:
                elected.append(c)
                newly.append(c)
                continuing[c] = False
            vacancies = 0
        elif vacancies == 1:
            untransferred = sum(int(votes_i[c]) - q for c in pending)
            total_alive = sum(int(votes_i[c]) for c in alive)
            lead = max(alive, key=lambda c: int(votes_i[c]))
            if 2 * int(votes_i[lead]) >= total_alive + untransferred and (
                sum(1 for c in alive if votes_i[c] == votes_i[lead]) == 1
            ):
                elected.append(lead)
                newly.append(lead)
                continuing[lead] = False
                vacancies = 0
        shown = [c for c in range(m) if c not in excluded]
        rounds.append(
            Round(
                stage,
                {names[c]: _num(votes_i[c] / _SCOT) for c in shown},
                elected=tuple(names[c] for c in newly),
                eliminated=out,
                transfers=transfers,
                exhausted=_num(exhausted / _SCOT),
                quota=quota,
                note=note + (f"; lost to truncation so far {_num(lost / _SCOT)}" if lost else ""),
            )
        )
        if vacancies == 0:
            return Result(
                "stv_scottish", tuple(names[c] for c in elected), tuple(rounds), tuple(ties)
            )

        stage += 1
        out = ()
        if pending:
            # Rules 48-49: transfer the largest surplus (ties: backwards rule, then lot).
            biggest = max(int(votes_i[c]) for c in pending)
            tied = [c for c in pending if votes_i[c] == biggest]
            src = _resolve(
                tied,
                history,
                lowest=False,
                names=names,
                seed=seed,
                step=f"stage {stage}: surplus to transfer",
                ties=ties,
            )
            pending.remove(src)
            surplus = int(votes_i[src]) - q
            rows = np.flatnonzero(pile == src)
            tv = (surplus * value[rows]) // int(votes_i[src])
            value[rows] = tv
            votes_i[src] = q
            note = f"surplus of {names[src]} ({_num(surplus / _SCOT)})"
            moved_total = surplus
        else:
            # Rule 50: exclude the continuing candidate with the fewest votes.
            low = min(int(votes_i[c]) for c in alive)
            tied = [c for c in alive if votes_i[c] == low]
            src = _resolve(
                tied,
                history,
                lowest=True,
                names=names,
                seed=seed,
                step=f"stage {stage}: exclusion",
                ties=ties,
            )
            continuing[src] = False
            excluded.append(src)
            rows = np.flatnonzero(pile == src)
            moved_total = int(votes_i[src])
            votes_i[src] = 0
            out = (names[src],)
            note = f"exclusion of {names[src]}"
        ptr[rows] += 1
        nxt = _first_continuing(rk, ptr, rows, continuing)
        pile[rows] = nxt
        weight = n[rows] * value[rows]
        gone = nxt < 0
        non_transferable = int(weight[gone].sum())
        got = np.zeros(m, dtype=np.int64)
        np.add.at(got, nxt[~gone], weight[~gone])
        votes_i += got
        exhausted += non_transferable
        lost += moved_total - non_transferable - int(got.sum())
        transfers = {names[c]: _num(got[c] / _SCOT) for c in range(m) if got[c]}


def _ceil_div(a: Int64Array, b: int) -> Int64Array:
    return -((-a) // b)


def stv_meek(
    profile: Profile,
    *,
    seats: int = 1,
    seed: str | int | None = None,
    omega: float = 0.000001,
    max_iterations: int = 10_000,
) -> Result:
    """Meek STV, with the New Zealand rules (Local Electoral Regulations 2001, Schedule 1A)
    for rounding.

    Every candidate has a *keep value*: 1 while hopeful, 0 once excluded, and for an
    elected candidate the share of each vote reaching them that they keep. A vote gives
    each candidate in its order the keep value times what is left of it (rounded up to 9
    decimal places) and passes the rest on; what passes the last preference is excess.
    The quota is ``(total votes - excess) / (seats + 1)``, truncated to 9 decimals plus
    0.000000001. Keep values of the elected are updated to ``kv · quota / votes`` (rounded
    up to 9 decimals) until the total surplus is below ``omega`` (or stops falling); then
    hopefuls at the quota are elected, or, if none, the hopeful with the fewest votes is
    excluded (ties: the seeded step). Each :class:`Round` is one converged stage.

    >>> p = Profile.from_rankings(
    ...     [["a", "b"]] * 6 + [["c"]] * 3 + [["b", "c"]] * 2, candidates=["a", "b", "c"])
    >>> stv_meek(p, seats=2).winners
    ('a', 'b')

    Complexity: O(I · R · w) for I iterations in all, R distinct rankings and w the longest
    ranking; each iteration is w vectorised passes over the rows.
    """
    rk, counts, m = _checked(profile)
    _check_seats(seats, m, method="stv_meek")
    names = profile.candidates
    valid = float(counts[rk[:, 0] >= 0].sum())
    total_units = valid * _NZ
    omega_units = omega * _NZ

    kv = np.full(m + 1, _NZ, dtype=np.int64)  # kv[m]: the end of a ballot keeps nothing
    kv[m] = 0
    hopeful = np.ones(m, dtype=np.bool_)
    elected: list[int] = []
    excluded: list[int] = []
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    cols = [np.where(rk[:, j] >= 0, rk[:, j], m) for j in range(rk.shape[1])]

    def distribute() -> tuple[npt.NDArray[np.float64], float]:
        left = np.full(rk.shape[0], _NZ, dtype=np.int64)
        votes = np.zeros(m + 1, dtype=np.float64)
        for col in cols:
            k = kv[col]
            keep = np.minimum(_ceil_div(left * k, _NZ), left)
            votes += np.bincount(col, weights=keep * counts, minlength=m + 1)
            left -= keep
        excess = total_units - float(votes[:m].sum())
        return votes[:m], excess

    stage = 0
    out: tuple[str, ...] = ()
    while True:
        stage += 1
        iterations = 0
        prev_surplus = float("inf")
        while True:
            votes, excess = distribute()
            quota = float((total_units - excess) // (seats + 1) + 1)
            iterations += 1
            if any(votes[c] >= quota for c in range(m) if hopeful[c]):
                break
            surplus = sum(max(float(votes[c]) - quota, 0.0) for c in elected)
            if not elected or surplus < omega_units or surplus >= prev_surplus:
                break
            if iterations >= max_iterations:
                break
            prev_surplus = surplus
            for c in elected:
                new = -((-int(kv[c]) * int(quota)) // max(round(float(votes[c])), 1))
                kv[c] = min(new, _NZ)
        newly = [c for c in range(m) if hopeful[c] and votes[c] >= quota]
        newly.sort(key=lambda c: (-float(votes[c]), names[c]))
        newly = newly[: seats - len(elected)]
        for c in newly:
            elected.append(c)
            hopeful[c] = False
        alive = [c for c in range(m) if hopeful[c]]
        vacancies = seats - len(elected)
        if vacancies and len(alive) <= vacancies:
            alive.sort(key=lambda c: (-float(votes[c]), names[c]))
            newly += alive
            elected += alive
            for c in alive:
                hopeful[c] = False
            vacancies = 0
        rounds.append(
            Round(
                stage,
                {names[c]: _num(votes[c] / _NZ) for c in range(m) if c not in excluded},
                elected=tuple(names[c] for c in newly),
                eliminated=out,
                exhausted=_num(excess / _NZ),
                quota=_num(quota / _NZ),
                note=f"{iterations} iteration(s); keep values "
                + ", ".join(f"{names[c]} {_num(kv[c] / _NZ)}" for c in elected),
            )
        )
        out = ()
        if vacancies == 0:
            return Result("stv_meek", tuple(names[c] for c in elected), tuple(rounds), tuple(ties))
        if newly:
            continue
        low = min(float(votes[c]) for c in alive)
        tied = [c for c in alive if votes[c] == low]
        if len(tied) == 1:
            loser = tied[0]
        else:
            loser = list(names).index(
                _tie([names[c] for c in tied], seed, f"stage {stage + 1}: exclusion", ties)
            )
        hopeful[loser] = False
        kv[loser] = 0
        excluded.append(loser)
        out = (names[loser],)
