"""dualpower.voting: a pure counting library (numpy its only dependency).

The exact public surface is ``__all__``; a test pins it.
"""

from ._errors import BallotError, FileFormatError, VotingError
from ._profile import CardinalProfile, Profile
from ._result import Result, Round, TieBreak

__all__ = [
    "BallotError",
    "CardinalProfile",
    "FileFormatError",
    "Profile",
    "Result",
    "Round",
    "TieBreak",
    "VotingError",
]
