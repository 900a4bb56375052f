"""dualpower.voting: a pure counting library (numpy its only dependency).

The exact public surface is ``__all__``; a test pins it.
"""

from ._budget import BudgetInstance
from ._errors import BallotError, FileFormatError, VotingError
from ._motions import consensus, consent, count_choices, motion
from ._pabulib import read_pabulib
from ._pb import mes, mes_plain, pb_greedy, phragmen
from ._profile import CardinalProfile, Profile
from ._quadratic import quadratic, quadratic_cost
from ._ranked import copeland, irv, ranked_pairs, schulze, stv_meek, stv_scottish
from ._readers import (
    Election,
    read_blt,
    read_csv_rankings,
    read_csv_scores,
    read_preflib,
    write_blt,
)
from ._result import Result, Round, TieBreak
from ._simple import approval, borda, plurality, score, star
from ._tiebreak import break_tie, seeded_order

__all__ = [
    "BallotError",
    "BudgetInstance",
    "CardinalProfile",
    "Election",
    "FileFormatError",
    "Profile",
    "Result",
    "Round",
    "TieBreak",
    "VotingError",
    "approval",
    "borda",
    "break_tie",
    "consensus",
    "consent",
    "copeland",
    "count_choices",
    "irv",
    "mes",
    "mes_plain",
    "motion",
    "pb_greedy",
    "phragmen",
    "plurality",
    "quadratic",
    "quadratic_cost",
    "ranked_pairs",
    "read_blt",
    "read_csv_rankings",
    "read_csv_scores",
    "read_pabulib",
    "read_preflib",
    "schulze",
    "score",
    "seeded_order",
    "star",
    "stv_meek",
    "stv_scottish",
    "write_blt",
]
