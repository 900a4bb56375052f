"""Reading Pabulib ``.pb`` files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import BudgetInstance, FileFormatError, read_pabulib

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"

APPROVAL = """META
key;value
description;"A ""quoted"" description; with a semicolon"
budget;100
vote_type;approval
PROJECTS
project_id;cost;votes;name;selected
p1;60;2;"Park; with benches";1
p2;50;2;Library;0
p3;10;1;Bench;1
VOTES
voter_id;vote
v1;p1,p2
v2;p2,p1
v3;p3
v4;
"""


def write(tmp_path: Path, text: str, newline: str = "\n") -> Path:
    f = tmp_path / "budget.pb"
    f.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return f


def test_it_reads_an_approval_file_with_quoted_fields(tmp_path: Path) -> None:
    inst = read_pabulib(write(tmp_path, APPROVAL))
    assert inst.projects == ("p1", "p2", "p3")
    assert inst.costs.tolist() == [60.0, 50.0, 10.0]
    assert inst.budget == 100.0
    assert inst.vote_type == "approval"
    assert inst.n_voters == 4  # the empty ballot counts: it holds a share under MES
    assert inst.values.shape[0] == 3  # p1,p2 and p2,p1 are one ballot, cast twice
    assert inst.scores().tolist() == [2.0, 2.0, 1.0]
    assert inst.selected == ("p1", "p3")
    assert inst.meta["description"] == 'A "quoted" description; with a semicolon'


def test_it_reads_windows_line_endings_and_a_byte_order_mark(tmp_path: Path) -> None:
    inst = read_pabulib(write(tmp_path, "\ufeff" + APPROVAL, newline="\r\n"))
    assert inst.projects == ("p1", "p2", "p3") and inst.n_voters == 4


def test_it_reads_cumulative_points(tmp_path: Path) -> None:
    text = APPROVAL.replace("vote_type;approval", "vote_type;cumulative")
    text = text.replace("voter_id;vote\n", "voter_id;vote;points\n")
    text = text.replace("v1;p1,p2\n", "v1;p1,p2;3,1\n").replace("v2;p2,p1\n", "v2;p2,p1;1,3\n")
    text = text.replace("v3;p3\n", "v3;p3;2\n").replace("v4;\n", "v4;;\n")
    inst = read_pabulib(write(tmp_path, text))
    assert inst.vote_type == "cumulative"
    assert inst.scores().tolist() == [6.0, 2.0, 2.0]
    assert inst.values.shape[0] == 3


def test_it_reads_ordinal_ballots_as_approvals_and_keeps_the_ranks(tmp_path: Path) -> None:
    text = APPROVAL.replace("vote_type;approval", "vote_type;ordinal")
    inst = read_pabulib(write(tmp_path, text))
    assert inst.vote_type == "ordinal"
    assert inst.values.shape[0] == 4  # p1,p2 and p2,p1 are different rankings
    assert inst.scores().tolist() == [2.0, 2.0, 1.0]
    assert inst.ranks is not None
    row = int(np.flatnonzero((inst.values[:, 0] > 0) & (inst.ranks[:, 1] == 1))[0])
    assert inst.ranks[row].tolist() == [2, 1, 0]


@pytest.mark.parametrize(
    ("change", "line", "problem"),
    [
        (("META\n", ""), 1, "must start with a META"),
        (("PROJECTS\n", "VOTES\n"), 6, "section VOTES found where PROJECTS"),
        (("budget;100\n", ""), 1, "no budget"),
        (("budget;100", "budget;lots"), 1, "the budget is not a number"),
        (("p2;50;2", "p2;fifty;2"), 9, "cost of project 'p2' is not a number"),
        (("p2;50;2", "p1;50;2"), 9, "listed twice"),
        (("p2;50;2", "p2;-5;2"), 9, "negative cost"),
        (("Library;0", "Library;yes"), 9, "selected must be 0 or 1"),
        (("project_id;cost", "project_id;price"), 7, "no cost column"),
        (("v3;p3", "v3;p9"), 15, "unknown project 'p9'"),
        (("v3;p3", "v3;p3,p3"), 15, "names a project twice"),
        (("v3;p3", "v3;p3;extra"), 15, "3 fields where the header has 2"),
        (("vote_type;approval", "vote_type;guesswork"), 6, "unsupported vote_type"),
        (("voter_id;vote", "voter_id;ballot"), 12, "no vote column"),
    ],
)
def test_a_malformed_file_names_the_file_line_and_problem(
    tmp_path: Path, change: tuple[str, str], line: int, problem: str
) -> None:
    f = write(tmp_path, APPROVAL.replace(*change, 1))
    with pytest.raises(FileFormatError) as info:
        read_pabulib(f)
    assert info.value.path == str(f)
    assert info.value.line == line
    assert problem in info.value.problem


def test_points_must_match_the_projects_of_the_vote(tmp_path: Path) -> None:
    text = APPROVAL.replace("vote_type;approval", "vote_type;cumulative")
    text = text.replace("voter_id;vote\n", "voter_id;vote;points\n")
    text = text.replace("v1;p1,p2\n", "v1;p1,p2;3\n")
    with pytest.raises(FileFormatError, match="2 projects in vote but 1 values in points"):
        read_pabulib(write(tmp_path, text))


def test_a_missing_section_and_a_missing_file_are_reported(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no VOTES section"):
        read_pabulib(write(tmp_path, APPROVAL.split("VOTES")[0]))
    with pytest.raises(FileFormatError, match="cannot read"):
        read_pabulib(tmp_path / "absent.pb")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "latin1.pb"
    f.write_bytes(APPROVAL.replace("Library", "Biblioth\u00e8que").encode("latin-1"))
    with pytest.raises(FileFormatError, match="not UTF-8"):
        read_pabulib(f)


def to_pb(inst: BudgetInstance) -> str:
    lines = [
        "META",
        "key;value",
        f"budget;{inst.budget:g}",
        f"vote_type;{inst.vote_type}",
        "PROJECTS",
    ]
    lines.append("project_id;cost")
    lines += [f"{p};{c:g}" for p, c in zip(inst.projects, inst.costs, strict=True)]
    lines += [
        "VOTES",
        "voter_id;vote;points" if inst.vote_type == "cumulative" else "voter_id;vote",
    ]
    voter = 0
    for row, count in zip(inst.values, inst.counts, strict=True):
        js = np.flatnonzero(row)
        vote = ",".join(inst.projects[j] for j in js)
        points = ",".join(f"{row[j]:g}" for j in js)
        for _ in range(int(count)):
            voter += 1
            lines.append(
                f"{voter};{vote};{points}" if inst.vote_type == "cumulative" else f"{voter};{vote}"
            )
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.integers(0, 10**6), min_size=1, max_size=6),
    ballots=st.lists(st.lists(st.integers(0, 5), max_size=6), min_size=1, max_size=10),
    cumulative=st.booleans(),
)
def test_writing_and_reading_back_keeps_every_vote(
    tmp_path_factory: pytest.TempPathFactory,
    costs: list[int],
    ballots: list[list[int]],
    cumulative: bool,
) -> None:
    names = {f"id {j}": c for j, c in enumerate(costs)}
    chosen = [sorted({f"id {j % len(costs)}" for j in b}) for b in ballots]
    votes: list[list[str] | dict[str, float]] = (
        [{p: float(len(p) + k) for k, p in enumerate(b)} for b in chosen]
        if cumulative
        else list(chosen)
    )
    inst = BudgetInstance.from_ballots(names, sum(costs), votes)
    f = tmp_path_factory.mktemp("pb") / "x.pb"
    f.write_text(to_pb(inst), encoding="utf-8")
    back = read_pabulib(f)
    assert back.projects == inst.projects
    assert back.costs.tolist() == inst.costs.tolist()
    assert back.n_voters == inst.n_voters
    assert back.scores().tolist() == inst.scores().tolist()


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/pabulib is absent")
def test_it_reads_every_pabulib_file_in_the_shared_data() -> None:
    # Łódź 2022 (3.8 MB, the largest) is read by test_pb_real.py; every other file here.
    files = [f for f in sorted(DATA.glob("*.pb")) if f.name != "Poland_Lodz_2022.pb"]
    assert len(files) >= 10
    for f in files:
        inst = read_pabulib(f)
        assert inst.n_voters == int(inst.meta["num_votes"]), f.name
        assert len(inst.projects) == int(inst.meta["num_projects"]), f.name
        assert inst.budget == float(inst.meta["budget"]), f.name
