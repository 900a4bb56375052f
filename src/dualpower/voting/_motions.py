"""Motions (yes / no / abstain), consent and consensus.

Inputs are plain counts and member totals (:func:`count_choices` turns a list of
ballots into counts); every function returns a :class:`Result` with ``passed`` set and
an ``explanation`` a page can show as is.

Rules, exactly:

- *threshold* ``"majority"``: more than half (``yes * 2 > base``); a fraction ``f``
  (``Fraction(2, 3)``, ``"2/3"``, ``0.6``): at least that share (``yes >= f * base``).
  The base is the votes cast, yes + no (``of="cast"``: abstentions are not votes cast),
  or the number of members (``of="members"``: "absolute majority" is
  ``threshold="majority", of="members"``). A motion with no yes vote never passes.
- *quorum*: an ``int`` is a number of participants; a ``float``/``Fraction``/``"1/3"``
  is a share of the members (participants >= share * members). Participants are everyone
  who took part, abstentions and stand-asides included. A motion without quorum fails.
- *consent* passes unless an objection stands.
- *consensus* passes when nobody blocks. After a failed round, a body's charter may name
  a ``fallback`` supermajority: then the proposal passes when agree >= fallback * (agree +
  block) (stand-asides, like abstentions, are not counted).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Literal

from ._errors import BallotError, VotingError
from ._result import Result, Round

Threshold = Literal["majority"] | Fraction | float | str
Quorum = int | float | Fraction | str | None


def count_choices(ballots: Iterable[str], choices: Sequence[str]) -> dict[str, int]:
    """Count ballots that each name one of ``choices`` (an unknown choice is refused).

    >>> count_choices(["yes", "no", "yes", "abstain"], ["yes", "no", "abstain"])
    {'yes': 2, 'no': 1, 'abstain': 1}

    Complexity: O(n) for n ballots.
    """
    counts = dict.fromkeys(choices, 0)
    for i, b in enumerate(ballots):
        if b not in counts:
            raise BallotError(f"ballot {i + 1}: {b!r} is not one of {', '.join(choices)}")
        counts[b] += 1
    return counts


def _fraction(value: Fraction | float | str, what: str) -> Fraction:
    try:
        f = Fraction(value) if not isinstance(value, float) else Fraction(str(value))
    except (ValueError, ZeroDivisionError, TypeError):
        raise VotingError(f"{what} must be a fraction such as 2/3, not {value!r}") from None
    if not 0 < f <= 1:
        raise VotingError(f"{what} must be above 0 and at most 1, not {value!r}")
    return f


def _check_counts(members: int | None, **counts: int) -> int:
    for name, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise BallotError(f"{name} must be a whole number >= 0, not {n!r}")
    total = sum(counts.values())
    if members is not None:
        if isinstance(members, bool) or not isinstance(members, int) or members < 1:
            raise VotingError(f"members must be a whole number >= 1, not {members!r}")
        if total > members:
            raise BallotError(f"{total} took part but the body has only {members} members")
    return total


def _quorum(quorum: Quorum, participants: int, members: int | None) -> tuple[bool, str]:
    if quorum is None:
        return True, ""
    if isinstance(quorum, bool):
        raise VotingError("quorum must be a number of members or a fraction of them")
    if isinstance(quorum, int):
        if quorum < 0:
            raise VotingError(f"quorum must be >= 0, not {quorum}")
        need = quorum
        ok = participants >= quorum
        return ok, f"quorum {need}: {participants} took part"
    share = _fraction(quorum, "quorum")
    if members is None:
        raise VotingError("a quorum given as a fraction needs the number of members")
    ok = participants >= share * members
    return ok, f"quorum {share} of {members} members: {participants} took part"


def _meets(yes: int, base: int, threshold: Threshold) -> tuple[bool, str]:
    if threshold == "majority":
        return yes > 0 and 2 * yes > base, f"more than half of {base}"
    if isinstance(threshold, str) and "/" not in threshold:
        try:
            float(threshold)
        except ValueError:
            raise VotingError(
                f"threshold must be 'majority' or a fraction, not {threshold!r}"
            ) from None
    f = _fraction(threshold, "threshold")
    return yes > 0 and yes >= f * base, f"at least {f} of {base}"


def motion(
    yes: int,
    no: int,
    abstain: int = 0,
    *,
    members: int | None = None,
    threshold: Threshold = "majority",
    of: Literal["cast", "members"] = "cast",
    quorum: Quorum = None,
) -> Result:
    """Decide a yes/no/abstain motion.

    >>> motion(7, 5, 3).passed
    True
    >>> motion(7, 5, 3, members=20, of="members").passed   # absolute majority: 11 needed
    False
    >>> motion(8, 4, threshold="2/3").passed, motion(8, 5, threshold="2/3").passed
    (True, False)
    >>> r = motion(6, 1, members=30, quorum=0.25)
    >>> r.passed, r.explanation
    (False, 'Fails: no quorum (quorum 1/4 of 30 members: 7 took part).')

    Complexity: O(1).
    """
    participants = _check_counts(members, yes=yes, no=no, abstain=abstain)
    counts = {"yes": float(yes), "no": float(no), "abstain": float(abstain)}
    has_quorum, qtext = _quorum(quorum, participants, members)
    if of == "cast":
        base = yes + no
    elif of == "members":
        if members is None:
            raise VotingError("a threshold of the members needs the number of members")
        base = members
    else:
        raise VotingError(f"of must be 'cast' or 'members', not {of!r}")
    ok, ttext = _meets(yes, base, threshold)
    base_name = "votes cast" if of == "cast" else "members"
    if not has_quorum:
        passed, text = False, f"Fails: no quorum ({qtext})."
    else:
        passed = ok
        verdict = "Passes" if ok else "Fails"
        text = (
            f"{verdict}: {yes} yes; needed {ttext} {base_name}"
            + (f"; {qtext}" if qtext else "")
            + "."
        )
    rnd = Round(number=1, counts=counts, note=text)
    return Result(method="motion", winners=(), rounds=(rnd,), passed=passed, explanation=text)


def consent(
    objections: int,
    *,
    consents: int = 0,
    members: int | None = None,
    quorum: Quorum = None,
) -> Result:
    """Consent: the proposal passes unless an objection stands.

    ``objections`` counts the objections still standing at the close (withdrawn ones
    are not counted); ``consents`` counts those who consented, for the quorum.

    >>> consent(0, consents=12).passed, consent(1, consents=11).passed
    (True, False)

    Complexity: O(1).
    """
    participants = _check_counts(members, objections=objections, consents=consents)
    has_quorum, qtext = _quorum(quorum, participants, members)
    if not has_quorum:
        passed, text = False, f"Fails: no quorum ({qtext})."
    elif objections:
        passed, text = (
            False,
            f"Fails: {objections} objection{'s' * (objections != 1)} stand{'s' * (objections == 1)}.",
        )
    else:
        passed, text = True, "Passes: no objection stands" + (f" ({qtext})." if qtext else ".")
    rnd = Round(
        number=1, counts={"consent": float(consents), "object": float(objections)}, note=text
    )
    return Result(method="consent", winners=(), rounds=(rnd,), passed=passed, explanation=text)


def consensus(
    agree: int,
    stand_aside: int = 0,
    block: int = 0,
    *,
    members: int | None = None,
    quorum: Quorum = None,
    fallback: Fraction | float | str | None = None,
    after_failed_round: bool = False,
) -> Result:
    """Consensus with agree / stand aside / block: any block fails it.

    If ``fallback`` is set and ``after_failed_round`` is true (consensus was sought and
    failed before), a block no longer vetoes: the proposal passes when
    agree >= fallback * (agree + block).

    >>> consensus(9, 2, 0).passed, consensus(9, 2, 1).passed
    (True, False)
    >>> consensus(9, 2, 1, fallback="3/4", after_failed_round=True).passed
    True

    Complexity: O(1).
    """
    participants = _check_counts(members, agree=agree, stand_aside=stand_aside, block=block)
    has_quorum, qtext = _quorum(quorum, participants, members)
    counts = {"agree": float(agree), "stand aside": float(stand_aside), "block": float(block)}
    use_fallback = fallback is not None and after_failed_round
    if not has_quorum:
        passed, text = False, f"Fails: no quorum ({qtext})."
    elif use_fallback:
        assert fallback is not None
        f = _fraction(fallback, "fallback")
        passed = agree > 0 and agree >= f * (agree + block)
        verdict = "Passes" if passed else "Fails"
        text = (
            f"{verdict} by the fallback after a failed round: {agree} agree of "
            f"{agree + block} (agree + block), needed at least {f}."
        )
    elif block:
        passed, text = False, f"Fails: {block} block{'s' * (block != 1)}."
    elif agree == 0:
        passed, text = False, "Fails: nobody agrees."
    else:
        passed = True
        text = f"Passes by consensus: {agree} agree, {stand_aside} stand aside, no block."
    rnd = Round(number=1, counts=counts, note=text)
    return Result(method="consensus", winners=(), rounds=(rnd,), passed=passed, explanation=text)
