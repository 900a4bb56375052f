"""Turn a proposal's ballots into a count by the counting library.

Each method's ballot shape, how it is validated, and how the ballots become a profile
live here; the counting itself is ``dualpower.voting``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from dualpower import voting
from dualpower.bodies.charter import DecisionRule
from dualpower.core.errors import Invalid

CHOICE_METHODS = frozenset({"approval", "score", "irv", "stv", "schulze", "quadratic"})
RANKED_METHODS = frozenset({"irv", "stv", "schulze"})
MOTION_CHOICES = {
    "motion": ("yes", "no", "abstain"),
    "consent": ("consent", "object"),
    "consensus": ("agree", "stand_aside", "block"),
}
REASON_NEEDED = {"object": "an objection", "block": "a block"}


def ballot_validate(rule: DecisionRule, options: Sequence[str], content: Any) -> dict[str, Any]:
    """Check a ballot against the method and return its normalised form, or raise
    Invalid naming the problem."""
    if not isinstance(content, dict):
        raise Invalid("a ballot is an object")
    method = rule.method
    if method in MOTION_CHOICES:
        choice = content.get("choice")
        if choice not in MOTION_CHOICES[method]:
            raise Invalid(f"choose one of {', '.join(MOTION_CHOICES[method])}")
        reason = str(content.get("reason") or "").strip()
        if choice in REASON_NEEDED and not reason:
            raise Invalid(f"{REASON_NEEDED[choice]} needs a reason")
        if len(reason) > 2000:
            raise Invalid("the reason is longer than 2000 characters")
        return {"choice": choice, "reason": reason} if reason else {"choice": choice}
    known = set(options)
    if method == "approval":
        approved = content.get("approve")
        if not isinstance(approved, list) or not all(isinstance(a, str) for a in approved):
            raise Invalid("an approval ballot lists the options it approves")
        unknown = [a for a in approved if a not in known]
        if unknown:
            raise Invalid(f"unknown option {unknown[0]!r}")
        return {"approve": sorted(set(approved), key=list(options).index)}
    if method in ("score", "quadratic"):
        field = "scores" if method == "score" else "votes"
        values = content.get(field)
        if not isinstance(values, dict):
            raise Invalid(f"a {method} ballot gives {field} per option")
        clean: dict[str, int] = {}
        for key, value in values.items():
            if key not in known:
                raise Invalid(f"unknown option {key!r}")
            if isinstance(value, bool) or not isinstance(value, int):
                raise Invalid(f"the value for {key!r} must be a whole number")
            if method == "score" and not 0 <= value <= rule.score_max:
                raise Invalid(f"scores run from 0 to {rule.score_max}")
            clean[key] = value
        if method == "quadratic":
            cost = voting.quadratic_cost(clean.values())
            if cost > rule.credits:
                raise Invalid(
                    f"this ballot costs {cost:g} credits, over the budget of {rule.credits}"
                )
        return {field: clean}
    ranking = content.get("ranking")
    if not isinstance(ranking, list) or not all(isinstance(r, str) for r in ranking):
        raise Invalid("a ranked ballot lists options, most preferred first")
    unknown = [r for r in ranking if r not in known]
    if unknown:
        raise Invalid(f"unknown option {unknown[0]!r}")
    if len(set(ranking)) != len(ranking):
        raise Invalid("a ranked ballot names each option once")
    return {"ranking": ranking}


def _quorum(rule: DecisionRule) -> float | Fraction | int | None:
    if not rule.quorum:
        return None
    if rule.quorum < 1:
        return Fraction(rule.quorum).limit_denominator(1000)
    return int(rule.quorum)


def _threshold(rule: DecisionRule) -> str | Fraction:
    return "majority" if rule.threshold == 0.5 else Fraction(rule.threshold).limit_denominator(1000)


def quorum_met(rule: DecisionRule, participants: int, members: int) -> bool:
    if not rule.quorum:
        return True
    if rule.quorum < 1:
        return participants >= Fraction(rule.quorum).limit_denominator(1000) * members
    return participants >= rule.quorum


def count(
    *,
    rule: DecisionRule,
    options: Sequence[str],
    ballots: Sequence[dict[str, Any]],
    members: int,
    seed: str,
    second_round: bool = False,
) -> voting.Result:
    """Count normalised ballots under ``rule``; ``passed`` is set on every result.
    ``second_round``: a blocked consensus put again, decided by the charter's fallback."""
    method = rule.method
    if method in MOTION_CHOICES:
        tally = Counter(b["choice"] for b in ballots)
        if method == "motion":
            return voting.motion(
                tally["yes"], tally["no"], tally["abstain"],
                members=members, threshold=_threshold(rule), of=rule.of, quorum=_quorum(rule),
            )  # fmt: skip
        if method == "consent":
            return voting.consent(
                tally["object"], consents=tally["consent"], members=members, quorum=_quorum(rule)
            )
        return voting.consensus(
            tally["agree"], tally["stand_aside"], tally["block"],
            members=members, quorum=_quorum(rule), fallback=rule.consensus_fallback,
            after_failed_round=second_round,
        )  # fmt: skip
    if not ballots or not options:
        return voting.Result(
            method=method, winners=(), passed=False, explanation="Fails: no ballots were cast."
        )
    seats = min(rule.seats, len(options))
    result: voting.Result
    if method in RANKED_METHODS:
        profile = voting.Profile.from_rankings(
            [b["ranking"] for b in ballots if b["ranking"]], candidates=options
        )
        if profile.rankings.shape[0] == 0:
            return voting.Result(
                method=method,
                winners=(),
                passed=False,
                explanation="Fails: every ballot was empty.",
            )
        if method == "irv":
            result = voting.irv(profile, seed=seed)
        elif method == "stv":
            result = voting.stv_scottish(profile, seats=seats, seed=seed)
        else:
            result = voting.schulze(profile, seats=seats, seed=seed)
    else:
        index = {o: i for i, o in enumerate(options)}
        values = np.zeros((len(ballots), len(options)), dtype=np.float64)
        for row, b in enumerate(ballots):
            if method == "approval":
                for o in b["approve"]:
                    values[row, index[o]] = 1.0
            else:
                for o, v in b["scores" if method == "score" else "votes"].items():
                    values[row, index[o]] = float(v)
        profile_c = voting.CardinalProfile(options, values, np.ones(len(ballots)))
        if method == "approval":
            result = voting.approval(profile_c, seats=seats, seed=seed)
        elif method == "score":
            result = voting.score(
                profile_c, seats=seats, seed=seed, min_score=0, max_score=rule.score_max
            )
        else:
            result = voting.quadratic(profile_c, credits=rule.credits, seats=seats, seed=seed)
    return voting.Result(
        method=result.method,
        winners=result.winners,
        rounds=result.rounds,
        tie_breaks=result.tie_breaks,
        tied=result.tied,
        passed=bool(result.winners),
        explanation=result.explanation,
    )
