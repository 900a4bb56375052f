"""Motions, consent and consensus."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import BallotError, VotingError, consensus, consent, count_choices, motion


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [(7, 5, 3, True), (5, 5, 0, False), (6, 5, 100, True), (0, 0, 4, False), (1, 0, 0, True)],
)
def test_a_simple_majority_counts_only_votes_cast(
    yes: int, no: int, abstain: int, passed: bool
) -> None:
    r = motion(yes, no, abstain)
    assert r.passed is passed
    assert r.method == "motion" and r.winners == ()
    assert r.rounds[0].counts == {"yes": yes, "no": no, "abstain": abstain}
    assert r.explanation.startswith("Passes" if passed else "Fails")


@pytest.mark.parametrize(("yes", "passed"), [(10, False), (11, True)])
def test_an_absolute_majority_counts_the_members(yes: int, passed: bool) -> None:
    assert motion(yes, 0, 2, members=20, of="members").passed is passed


@pytest.mark.parametrize(
    ("threshold", "yes", "no", "passed"),
    [
        ("2/3", 8, 4, True),  # exactly two thirds is enough
        ("2/3", 8, 5, False),
        (Fraction(2, 3), 20, 10, True),
        (0.6, 3, 2, True),
        (0.6, 5, 4, False),
        ("3/4", 3, 1, True),
        (1, 10, 0, True),
        (1, 10, 1, False),
    ],
)
def test_a_supermajority_needs_at_least_its_fraction(
    threshold: str | float | Fraction, yes: int, no: int, passed: bool
) -> None:
    assert motion(yes, no, threshold=threshold).passed is passed


def test_a_supermajority_of_the_members() -> None:
    assert motion(20, 0, members=30, threshold="2/3", of="members").passed is True
    assert motion(19, 0, members=30, threshold="2/3", of="members").passed is False


@pytest.mark.parametrize(
    ("quorum", "yes", "no", "abstain", "passed"),
    [
        (10, 5, 2, 3, True),  # abstentions count towards the quorum
        (10, 5, 2, 2, False),
        (0.5, 10, 4, 1, True),  # 15 of 30 members
        (0.5, 10, 4, 0, False),
        ("1/3", 9, 1, 0, True),
        (Fraction(1, 3), 8, 1, 0, False),
    ],
)
def test_without_quorum_a_motion_fails(
    quorum: int | float | str | Fraction, yes: int, no: int, abstain: int, passed: bool
) -> None:
    r = motion(yes, no, abstain, members=30, quorum=quorum)
    assert r.passed is passed
    if not passed:
        assert "no quorum" in r.explanation


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"yes": -1, "no": 0}, BallotError),
        ({"yes": 1.5, "no": 0}, BallotError),
        ({"yes": 5, "no": 5, "members": 9}, BallotError),
        ({"yes": 1, "no": 0, "members": 0}, VotingError),
        ({"yes": 1, "no": 0, "of": "members"}, VotingError),
        ({"yes": 1, "no": 0, "of": "everyone"}, VotingError),
        ({"yes": 1, "no": 0, "threshold": "most"}, VotingError),
        ({"yes": 1, "no": 0, "threshold": "3/2"}, VotingError),
        ({"yes": 1, "no": 0, "threshold": 0}, VotingError),
        ({"yes": 1, "no": 0, "quorum": 0.5}, VotingError),
        ({"yes": 1, "no": 0, "quorum": -1}, VotingError),
        ({"yes": 1, "no": 0, "quorum": True}, VotingError),
    ],
)
def test_it_refuses_impossible_motions(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        motion(**kwargs)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_the_simple_majority_is_exactly_more_yes_than_no(yes: int, no: int, abstain: int) -> None:
    assert motion(yes, no, abstain).passed is (yes > no)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from(["majority", "2/3", "3/5", 0.75]),
    st.sampled_from(["cast", "members"]),
    st.one_of(st.none(), st.integers(0, 60), st.sampled_from([0.25, "1/2"])),
)
def test_one_more_yes_never_turns_a_pass_into_a_fail(
    yes: int,
    no: int,
    abstain: int,
    threshold: str | float,
    of: str,
    quorum: int | float | str | None,
) -> None:
    members = 130
    before = motion(yes, no, abstain, members=members, threshold=threshold, of=of, quorum=quorum)  # type: ignore[arg-type]
    after = motion(yes + 1, no, abstain, members=members, threshold=threshold, of=of, quorum=quorum)  # type: ignore[arg-type]
    assert not (before.passed and not after.passed)
    if no:  # and one fewer no never hurts either
        fewer = motion(
            yes, no - 1, abstain, members=members, threshold=threshold, of=of, quorum=quorum
        )  # type: ignore[arg-type]
        assert not (before.passed and not fewer.passed) or quorum is not None


def test_consent_passes_unless_an_objection_stands() -> None:
    assert consent(0, consents=12).passed is True
    r = consent(2, consents=10)
    assert r.passed is False and "2 objections stand" in r.explanation
    assert consent(1).explanation == "Fails: 1 objection stands."


def test_consent_can_need_a_quorum() -> None:
    assert consent(0, consents=4, members=10, quorum=0.5).passed is False
    assert consent(0, consents=5, members=10, quorum=0.5).passed is True


def test_consensus_fails_on_any_block() -> None:
    assert consensus(9, 2, 0).passed is True
    r = consensus(30, 0, 1)
    assert r.passed is False and r.explanation == "Fails: 1 block."
    assert consensus(0, 5, 0).passed is False  # everyone standing aside is not consensus


def test_consensus_falls_back_to_a_supermajority_only_after_a_failed_round() -> None:
    assert consensus(9, 2, 1, fallback="3/4").passed is False  # first round: a block stands
    r = consensus(9, 2, 3, fallback="3/4", after_failed_round=True)
    assert r.passed is True and "fallback" in r.explanation  # 9 of 12 = 3/4
    assert consensus(8, 2, 3, fallback="3/4", after_failed_round=True).passed is False


def test_consensus_can_need_a_quorum() -> None:
    assert consensus(3, 0, 0, members=10, quorum=4).passed is False


def test_count_choices_turns_ballots_into_counts() -> None:
    ballots = ["agree", "block", "agree", "stand aside"]
    counts = count_choices(ballots, ["agree", "stand aside", "block"])
    assert counts == {"agree": 2, "stand aside": 1, "block": 1}
    assert consensus(counts["agree"], counts["stand aside"], counts["block"]).passed is False
    with pytest.raises(BallotError, match="ballot 2"):
        count_choices(["yes", "maybe"], ["yes", "no"])
