"""Errors raised by the counting library."""


class VotingError(ValueError):
    """Base of every error the counting library raises."""


class BallotError(VotingError):
    """A ballot or profile is malformed (unknown candidate, duplicate rank, over budget)."""


class FileFormatError(VotingError):
    """A ballot file could not be read; the message names the file, line and problem."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem
