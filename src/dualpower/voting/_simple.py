"""Single-round methods: plurality, approval (one or k winners), score/range, STAR, Borda.

Every method has the library's one signature, ``f(profile, *, seats=1, seed=None)``,
and returns a :class:`Result` whose rounds show each candidate's tally. When candidates
tie for the last seat, ``break_ties=True`` (the default) settles it by the seeded random
order of :mod:`._tiebreak` and records a :class:`TieBreak`; ``break_ties=False`` leaves the
seat open and lists the tied candidates in ``Result.tied``. Scores are compared exactly
(integral ballot counts make every tally exact).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._errors import BallotError, VotingError
from ._profile import CardinalProfile, Profile
from ._result import Result, Round, TieBreak
from ._tiebreak import break_tie, break_tie_k

Seed = str | int | None


def _check_seats(seats: int, n_candidates: int) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= n_candidates:
        raise VotingError(f"seats must be a whole number from 1 to {n_candidates}, not {seats!r}")


def select_top(
    scores: npt.NDArray[np.float64],
    candidates: Sequence[str],
    seats: int,
    *,
    seed: Seed,
    step: str,
    break_ties: bool,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[TieBreak, ...]]:
    """The ``seats`` highest scorers, highest first: (winners, still tied, tie-breaks)."""
    order = sorted(range(len(candidates)), key=lambda j: (-scores[j], j))
    cutoff = scores[order[seats - 1]]
    sure = [candidates[j] for j in order if scores[j] > cutoff]
    group = [candidates[j] for j in order if scores[j] == cutoff]
    need = seats - len(sure)
    if need == len(group):
        return tuple(sure + group), (), ()
    if not break_ties:
        return tuple(sure), tuple(group), ()
    chosen, record = break_tie_k(group, seed, step, need)
    return tuple(sure) + chosen, (), (record,)


def _first_preferences(profile: Profile) -> tuple[npt.NDArray[np.float64], float]:
    m = len(profile.candidates)
    if profile.rankings.shape[1] == 0:
        return np.zeros(m), float(profile.counts.sum())
    first = profile.rankings[:, 0]
    ok = first >= 0
    tally = np.bincount(first[ok], weights=profile.counts[ok], minlength=m)
    return tally.astype(np.float64), float(profile.counts[~ok].sum())


def _single_round(
    method: str,
    scores: npt.NDArray[np.float64],
    candidates: Sequence[str],
    seats: int,
    seed: Seed,
    break_ties: bool,
    *,
    exhausted: float = 0.0,
    note: str = "",
) -> Result:
    winners, tied, tbs = select_top(
        scores, candidates, seats, seed=seed, step=f"{method}: last seat", break_ties=break_ties
    )
    rnd = Round(
        number=1,
        counts={c: float(s) for c, s in zip(candidates, scores.tolist(), strict=True)},
        elected=winners,
        exhausted=exhausted,
        note=note,
    )
    return Result(method=method, winners=winners, rounds=(rnd,), tie_breaks=tbs, tied=tied)


def plurality(
    profile: Profile, *, seats: int = 1, seed: Seed = None, break_ties: bool = True
) -> Result:
    """Plurality (first past the post; with ``seats`` > 1, single non-transferable vote
    counted as the ``seats`` candidates with most first preferences).

    >>> p = Profile.from_rankings([["a", "b"], ["b"], ["a"], ["c", "b"]])
    >>> r = plurality(p)
    >>> r.winners, r.rounds[0].counts
    (('a',), {'a': 2.0, 'b': 1.0, 'c': 1.0})

    Complexity: O(u + m) for u distinct ballots and m candidates.
    """
    if not isinstance(profile, Profile):
        raise BallotError("plurality needs ranked ballots (a Profile)")
    _check_seats(seats, len(profile.candidates))
    tally, empty = _first_preferences(profile)
    return _single_round(
        "plurality",
        tally,
        profile.candidates,
        seats,
        seed,
        break_ties,
        exhausted=empty,
        note="first preferences",
    )


def _approval_scores(profile: Profile | CardinalProfile) -> npt.NDArray[np.float64]:
    m = len(profile.candidates)
    if isinstance(profile, CardinalProfile):
        return np.asarray(profile.counts @ (profile.values > 0).astype(np.float64))
    mat = profile.rankings
    ok = mat >= 0
    weights = np.broadcast_to(profile.counts[:, None], mat.shape)[ok]
    return np.bincount(mat[ok], weights=weights, minlength=m).astype(np.float64)


def approval(
    profile: Profile | CardinalProfile,
    *,
    seats: int = 1,
    seed: Seed = None,
    break_ties: bool = True,
) -> Result:
    """Approval voting: the ``seats`` candidates approved by most voters win.

    A :class:`CardinalProfile` approves every candidate given a value > 0; a ranked
    :class:`Profile` approves every candidate its ballot ranks.

    >>> import numpy as np
    >>> p = CardinalProfile(["a", "b", "c"], np.array([[1, 1, 0], [0, 1, 1]]), np.array([2, 1]))
    >>> approval(p).winners, approval(p, seats=2).winners
    (('b',), ('b', 'a'))

    Complexity: O(u * m) for u distinct ballots and m candidates.
    """
    _check_seats(seats, len(profile.candidates))
    scores = _approval_scores(profile)
    return _single_round(
        "approval", scores, profile.candidates, seats, seed, break_ties, note="approvals"
    )


def _cardinal(profile: object, method: str) -> CardinalProfile:
    if not isinstance(profile, CardinalProfile):
        raise BallotError(f"{method} needs score ballots (a CardinalProfile)")
    if profile.values.size and not np.isfinite(profile.values).all():
        raise BallotError(f"{method}: every score must be a finite number")
    return profile


def score(
    profile: CardinalProfile,
    *,
    seats: int = 1,
    seed: Seed = None,
    break_ties: bool = True,
    min_score: float | None = None,
    max_score: float | None = None,
) -> Result:
    """Score (range) voting: the ``seats`` candidates with the highest total score win.

    ``min_score``/``max_score``, when given, are the allowed range: a ballot outside it
    raises :class:`BallotError`.

    >>> import numpy as np
    >>> p = CardinalProfile(["a", "b"], np.array([[5, 0], [2, 4]]), np.array([1, 2]))
    >>> r = score(p, max_score=5)
    >>> r.winners, r.rounds[0].counts
    (('a',), {'a': 9.0, 'b': 8.0})

    Complexity: O(u * m) for u distinct ballots and m candidates.
    """
    p = _cardinal(profile, "score")
    _check_seats(seats, len(p.candidates))
    if min_score is not None and p.values.size and p.values.min() < min_score:
        raise BallotError(f"a ballot gives a score below the minimum {min_score}")
    if max_score is not None and p.values.size and p.values.max() > max_score:
        raise BallotError(f"a ballot gives a score above the maximum {max_score}")
    totals = np.asarray(p.counts @ p.values, dtype=np.float64)
    return _single_round(
        "score", totals, p.candidates, seats, seed, break_ties, note="total scores"
    )


def star(profile: CardinalProfile, *, seats: int = 1, seed: Seed = None) -> Result:
    """STAR voting (Score Then Automatic Runoff).

    Scoring round: the two highest totals are the finalists. Runoff: each ballot counts
    for the finalist it scores higher (equal scores: no preference); the finalist
    preferred on more ballots wins. A runoff tie goes to the higher total score, then to
    the seeded random order; a tie for a finalist place goes to the seeded random order.
    With ``seats`` > 1 the count repeats without the candidates already elected (bloc
    STAR).

    >>> import numpy as np
    >>> p = CardinalProfile(["a", "b", "c"],
    ...                     np.array([[5, 4, 0], [0, 5, 1], [5, 0, 3]]), np.array([3, 2, 2]))
    >>> r = star(p)
    >>> r.winners, r.rounds[1].counts
    (('a',), {'a': 5.0, 'b': 2.0})

    Complexity: O(seats * u * m) for u distinct ballots and m candidates.
    """
    p = _cardinal(profile, "star")
    names = p.candidates
    _check_seats(seats, len(names))
    totals = np.asarray(p.counts @ p.values, dtype=np.float64)
    remaining = list(range(len(names)))
    winners: list[str] = []
    rounds: list[Round] = []
    tbs: list[TieBreak] = []
    for seat in range(1, seats + 1):
        tag = f"seat {seat}: " if seats > 1 else ""
        counts = {names[j]: float(totals[j]) for j in remaining}
        if len(remaining) == 1:
            winners.append(names[remaining[0]])
            rounds.append(
                Round(
                    len(rounds) + 1,
                    counts,
                    elected=(winners[-1],),
                    note=f"{tag}only candidate left",
                )
            )
            break
        sub = totals[remaining]
        finalists, _, tb = select_top(
            sub,
            [names[j] for j in remaining],
            2,
            seed=seed,
            step=f"star {tag}finalist place",
            break_ties=True,
        )
        tbs.extend(tb)
        rounds.append(
            Round(
                len(rounds) + 1,
                counts,
                note=f"{tag}scoring round: finalists {', '.join(finalists)}",
            )
        )
        a, b = (names.index(f) for f in finalists)
        va, vb = p.values[:, a], p.values[:, b]
        pa = float(p.counts[va > vb].sum())
        pb = float(p.counts[vb > va].sum())
        equal = float(p.counts[va == vb].sum())
        if pa != pb:
            win = a if pa > pb else b
            why = "more ballots prefer"
        elif totals[a] != totals[b]:
            win = a if totals[a] > totals[b] else b
            why = "runoff tied; higher score"
        else:
            chosen, record = break_tie([names[a], names[b]], seed, f"star {tag}runoff")
            tbs.append(record)
            win = names.index(chosen)
            why = "runoff and scores tied; seeded random order"
        winners.append(names[win])
        rounds.append(
            Round(
                len(rounds) + 1,
                {names[a]: pa, names[b]: pb},
                elected=(names[win],),
                exhausted=equal,
                note=f"{tag}automatic runoff ({why}); {float(equal):g} ballots score both equally",
            )
        )
        remaining.remove(win)
    return Result(
        method="star", winners=tuple(winners), rounds=tuple(rounds), tie_breaks=tuple(tbs)
    )


def borda_scores(profile: Profile) -> npt.NDArray[np.float64]:
    """Borda points per candidate: ``m - 1 - i`` for rank ``i`` (0-based), 0 if unranked.

    >>> borda_scores(Profile.from_rankings([["a", "b", "c"], ["b", "a"]])).tolist()
    [3.0, 3.0, 0.0]

    Complexity: O(u * w) for u distinct ballots of width w.
    """
    m = len(profile.candidates)
    out = np.zeros(m, dtype=np.float64)
    for i in range(min(profile.rankings.shape[1], m)):
        col = profile.rankings[:, i]
        ok = col >= 0
        out += np.bincount(col[ok], weights=profile.counts[ok] * (m - 1 - i), minlength=m)
    return out


def borda(
    profile: Profile, *, seats: int = 1, seed: Seed = None, break_ties: bool = True
) -> Result:
    """Borda count: rank ``i`` (0-based) earns ``m - 1 - i`` points; unranked earn 0.

    >>> p = Profile.from_rankings([["a", "b", "c"], ["b", "c", "a"], ["b", "a", "c"]])
    >>> r = borda(p)
    >>> r.winners, r.rounds[0].counts
    (('b',), {'a': 3.0, 'b': 5.0, 'c': 1.0})

    Complexity: O(u * w + m) for u distinct ballots of width w and m candidates.
    """
    if not isinstance(profile, Profile):
        raise BallotError("borda needs ranked ballots (a Profile)")
    _check_seats(seats, len(profile.candidates))
    return _single_round(
        "borda",
        borda_scores(profile),
        profile.candidates,
        seats,
        seed,
        break_ties,
        note="Borda points (m-1 for a first preference, 0 if unranked)",
    )
