"""The public surface of dualpower.voting is exactly ``__all__``, and it stays Django-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dualpower.voting

EXPECTED = [
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


def test_all_is_pinned_exactly() -> None:
    assert dualpower.voting.__all__ == EXPECTED


def test_all_is_sorted() -> None:
    assert dualpower.voting.__all__ == sorted(dualpower.voting.__all__)


def test_every_public_name_is_in_all_and_every_name_in_all_exists() -> None:
    public = sorted(
        name
        for name, value in vars(dualpower.voting).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("dualpower.voting")
    )
    assert public == EXPECTED
    for name in EXPECTED:
        assert getattr(dualpower.voting, name).__module__.startswith("dualpower.voting._")


def test_the_package_is_typed() -> None:
    assert (Path(dualpower.voting.__file__).parent / "py.typed").is_file()


def test_importing_it_imports_neither_django_nor_any_third_party_library_but_numpy() -> None:
    code = (
        "import sys\n"
        "import dualpower.voting\n"
        "import dualpower.voting._cli\n"
        "roots = {m.split('.')[0] for m in sys.modules}\n"
        "extra = sorted(r for r in roots if r not in sys.stdlib_module_names"
        " and not r.startswith('_') and r not in {'numpy', 'dualpower'})\n"
        "print('django' in roots, extra)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False []", run.stdout
