"""Tie-breaking: a named, seeded, reproducible step."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import TieBreak, VotingError, break_tie, seeded_order
from dualpower.voting._tiebreak import break_tie_k

NAMES = ["alice", "bob", "carol", "dave", "erin"]
seeds = st.one_of(st.integers(), st.text(max_size=64))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=5), unique=True, max_size=8), seeds, st.randoms())
def test_the_order_is_a_permutation_that_ignores_the_order_given(
    names: list[str], seed: int | str, rnd: object
) -> None:
    shuffled = list(names)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    order = seeded_order(names, seed)
    assert sorted(order) == sorted(names)
    assert seeded_order(shuffled, seed) == order


def test_the_same_seed_gives_the_same_order_and_a_journal_hash_is_a_seed() -> None:
    head = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert seeded_order(NAMES, head) == seeded_order(reversed(NAMES), head)
    assert seeded_order(NAMES, 42) == seeded_order(NAMES, 42)


def test_no_seed_means_the_fixed_seed_zero() -> None:
    assert seeded_order(NAMES, None) == seeded_order(NAMES, 0)


@pytest.mark.parametrize("bad", [True, 1.5, b"x", ("a",)])
def test_a_seed_must_be_a_string_or_an_integer(bad: object) -> None:
    with pytest.raises(VotingError, match="seed"):
        seeded_order(NAMES, bad)  # type: ignore[arg-type]


def test_every_order_is_drawn_about_equally_often() -> None:
    # 6 orders of 3 names over 1200 seeds: each expected 200 times (sd ~ 12.9).
    seen = Counter(seeded_order(["a", "b", "c"], f"seed-{i}") for i in range(1200))
    assert set(seen) == set(itertools.permutations(["a", "b", "c"]))
    assert all(140 <= n <= 260 for n in seen.values()), seen


def test_the_draw_does_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "from dualpower.voting import seeded_order; print(seeded_order(['x','y','z','w'], 'head'))"
    )
    outs = set()
    for hash_seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outs.add(run.stdout)
    assert outs == {str(seeded_order(["x", "y", "z", "w"], "head")) + "\n"}


def test_break_tie_chooses_the_first_of_the_seeded_order_and_records_it() -> None:
    chosen, record = break_tie(["carol", "alice", "bob"], "abc123", "round 2: eliminate")
    assert chosen == seeded_order(["alice", "bob", "carol"], "abc123")[0]
    assert record == TieBreak(
        step="round 2: eliminate",
        tied=("alice", "bob", "carol"),
        chosen=(chosen,),
        rule="seeded-random",
    )
    assert record.to_json()["rule"] == "seeded-random"


def test_break_tie_needs_a_tie() -> None:
    with pytest.raises(VotingError):
        break_tie([], 1, "nothing")


def test_break_tie_k_chooses_a_prefix_of_the_order() -> None:
    chosen, record = break_tie_k(NAMES, 9, "last two seats", 2)
    assert chosen == seeded_order(NAMES, 9)[:2]
    assert record.chosen == chosen
    with pytest.raises(VotingError):
        break_tie_k(NAMES, 9, "too many", 6)
