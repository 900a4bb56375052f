"""Tie-breaking: a separate, named, documented step that anyone can reproduce.

When a count reaches a tie that its own rules cannot resolve, dualpower draws a random
permutation of the tied candidates from a *published* seed (a decision passes its
journal's head hash). The rule, called ``"seeded-random"`` in every :class:`TieBreak`:

1. sort the tied names (so the order in which they were listed does not matter);
2. shuffle that sorted tuple with ``random.Random(seed).shuffle`` (Python's Mersenne
   Twister; a ``str`` seed is hashed with SHA-512 by ``random.seed`` version 2, so the
   draw is the same on every machine and every run);
3. the first name of the permutation is chosen (to win, or to be eliminated: the
   caller's ``step`` says which).

A seed of ``None`` means the fixed seed ``0``: a count is always reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from ._errors import VotingError
from ._result import TieBreak

RULE = "seeded-random"


def _rng(seed: str | int | None) -> random.Random:
    if seed is None:
        seed = 0
    if isinstance(seed, bool) or not isinstance(seed, str | int):
        raise VotingError(f"a tie-break seed must be a str or an int, not {type(seed).__name__}")
    return random.Random(seed)


def seeded_order(candidates: Iterable[str], seed: str | int | None) -> tuple[str, ...]:
    """Return the candidates in a random order drawn from ``seed``, reproducibly.

    The result depends only on the *set* of names and the seed, not on the order given.

    >>> seeded_order(["carol", "alice", "bob"], "9f86d081884c7d65")
    ('bob', 'carol', 'alice')
    >>> seeded_order(["bob", "alice", "carol"], "9f86d081884c7d65")
    ('bob', 'carol', 'alice')

    Complexity: O(k log k) for k candidates.
    """
    names = sorted(set(candidates))
    _rng(seed).shuffle(names)
    return tuple(names)


def break_tie(tied: Iterable[str], seed: str | int | None, step: str) -> tuple[str, TieBreak]:
    """Choose one of ``tied`` by the seeded random order and record the choice.

    ``step`` says what the choice is for (e.g. ``"round 3: eliminate"``); it is kept in
    the returned :class:`TieBreak` so a page can explain the count.

    >>> chosen, record = break_tie(["alice", "bob"], 7, "round 2: eliminate")
    >>> chosen, record.rule, record.tied
    ('alice', 'seeded-random', ('alice', 'bob'))

    Complexity: O(k log k) for k tied candidates.
    """
    order = seeded_order(tied, seed)
    if not order:
        raise VotingError("break_tie needs at least one tied candidate")
    return order[0], TieBreak(step=step, tied=tuple(sorted(order)), chosen=(order[0],), rule=RULE)


def break_tie_k(
    tied: Iterable[str], seed: str | int | None, step: str, k: int
) -> tuple[tuple[str, ...], TieBreak]:
    """Choose ``k`` of ``tied`` (the first ``k`` of the seeded order) and record it.

    >>> chosen, record = break_tie_k(["a", "b", "c"], "s", "last seats", 2)
    >>> chosen == seeded_order(["a", "b", "c"], "s")[:2], len(record.chosen)
    (True, 2)

    Complexity: O(k log k) for k tied candidates.
    """
    order = seeded_order(tied, seed)
    if not 0 <= k <= len(order):
        raise VotingError(f"cannot choose {k} of {len(order)} tied candidates")
    return order[:k], TieBreak(step=step, tied=tuple(sorted(order)), chosen=order[:k], rule=RULE)
