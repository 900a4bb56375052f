"""The one result type every counting method returns.

A result names the winners (or whether a motion passed), keeps ties visible and
records every round so that a page can explain the count to a member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TieBreak:
    """One tie that had to be broken, and how.

    ``rule`` names the documented rule used: ``"seeded-random"`` (a permutation drawn
    from ``random.Random(seed)``), ``"backwards"`` (Scottish STV: the candidate with the
    fewest votes at the most recent earlier stage where they differed), ``"lot"``...
    """

    step: str
    tied: tuple[str, ...]
    chosen: tuple[str, ...]
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "tied": list(self.tied),
            "chosen": list(self.chosen),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Round:
    """One stage of a count.

    ``counts`` maps each candidate (or option, or project) still in play to its tally at
    this stage. ``transfers`` maps candidates to the value they received in this stage.
    """

    number: int
    counts: dict[str, float]
    elected: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()
    transfers: dict[str, float] = field(default_factory=dict)
    exhausted: float = 0.0
    quota: float | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"round": self.number, "counts": dict(self.counts)}
        if self.elected:
            out["elected"] = list(self.elected)
        if self.eliminated:
            out["eliminated"] = list(self.eliminated)
        if self.transfers:
            out["transfers"] = dict(self.transfers)
        if self.exhausted:
            out["exhausted"] = self.exhausted
        if self.quota is not None:
            out["quota"] = self.quota
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Result:
    """What every method returns.

    ``winners`` are in order of election (or of rank, for single-winner methods).
    ``passed`` is set by motions, consent and consensus, and ``None`` elsewhere.
    ``tied`` lists candidates still tied for the last place when ``break_ties`` is off.
    """

    method: str
    winners: tuple[str, ...]
    rounds: tuple[Round, ...] = ()
    tie_breaks: tuple[TieBreak, ...] = ()
    tied: tuple[str, ...] = ()
    passed: bool | None = None
    explanation: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "winners": list(self.winners),
            "rounds": [r.to_json() for r in self.rounds],
            "tie_breaks": [t.to_json() for t in self.tie_breaks],
        }
        if self.passed is not None:
            out["passed"] = self.passed
        if self.tied:
            out["tied"] = list(self.tied)
        if self.explanation:
            out["explanation"] = self.explanation
        return out
