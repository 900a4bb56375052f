"""Quadratic voting: casting ``v`` votes on one option costs ``v**2`` credits.

Each voter holds the same budget of credits. A ballot gives each candidate a whole
number of votes (negative votes count against it, at the same cost); a ballot whose
total cost exceeds the budget is refused with :class:`BallotError` before anything is
counted. The ``seats`` candidates with the most net votes win.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._errors import BallotError, VotingError
from ._profile import CardinalProfile
from ._result import Result
from ._simple import _check_seats, _single_round


def quadratic_cost(votes: Iterable[float]) -> float:
    """The credits a ballot spends: the sum of the squares of its votes.

    >>> quadratic_cost([3, -1, 0])
    10.0

    Complexity: O(m) for m candidates.
    """
    return float(sum(float(v) * float(v) for v in votes))


def quadratic(
    profile: CardinalProfile,
    *,
    credits: float,
    seats: int = 1,
    seed: str | int | None = None,
    break_ties: bool = True,
) -> Result:
    """Quadratic voting with a per-voter budget of ``credits``.

    >>> import numpy as np
    >>> p = CardinalProfile(["park", "pool"], np.array([[3, 1], [0, 4]]), np.array([3, 1]))
    >>> r = quadratic(p, credits=16)
    >>> r.winners, r.rounds[0].counts
    (('park',), {'park': 9.0, 'pool': 7.0})
    >>> quadratic(p, credits=9)
    Traceback (most recent call last):
    ...
    dualpower.voting._errors.BallotError: a ballot {'park': 3, 'pool': 1} costs 10 credits, over the budget of 9

    Complexity: O(u * m) for u distinct ballots and m candidates.
    """
    if not isinstance(profile, CardinalProfile):
        raise BallotError("quadratic voting needs vote ballots (a CardinalProfile)")
    if isinstance(credits, bool) or not isinstance(credits, int | float) or not credits >= 0:
        raise VotingError(f"credits must be a number >= 0, not {credits!r}")
    _check_seats(seats, len(profile.candidates))
    values = profile.values
    if values.size and not (np.isfinite(values).all() and (values == np.round(values)).all()):
        raise BallotError("quadratic votes must be whole numbers")
    if (profile.counts < 0).any():
        raise BallotError("ballot counts must be >= 0")
    costs = (values * values).sum(axis=1)
    over = np.flatnonzero(costs > credits)
    if over.size:
        row = int(over[0])
        shown = {
            c: int(v) for c, v in zip(profile.candidates, values[row].tolist(), strict=True) if v
        }
        raise BallotError(
            f"a ballot {shown} costs {costs[row]:g} credits, over the budget of {credits:g}"
        )
    totals = np.asarray(profile.counts @ values, dtype=np.float64)
    result = _single_round(
        "quadratic",
        totals,
        profile.candidates,
        seats,
        seed,
        break_ties,
        note=f"net votes (each voter's budget: {credits:g} credits, a vote costs votes squared)",
    )
    return result
