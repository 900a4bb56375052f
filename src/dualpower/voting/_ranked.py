"""Ranked methods, gathered in one place: instant-runoff, STV (Scottish, Meek) and the
Condorcet methods (Schulze, ranked pairs, Copeland).

Every method has the signature
``f(profile: Profile, *, seats: int = 1, seed: str | int | None = None) -> Result``.
"""

from ._condorcet import copeland, pairwise_matrix, ranked_pairs, schulze
from ._irv import irv
from ._stv import stv_meek, stv_scottish

__all__ = [
    "copeland",
    "irv",
    "pairwise_matrix",
    "ranked_pairs",
    "schulze",
    "stv_meek",
    "stv_scottish",
]
