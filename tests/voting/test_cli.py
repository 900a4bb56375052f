"""`dualpower tally METHOD FILE [--seats N] [--seed S] [--json]`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dualpower.voting import _cli, seeded_order
from dualpower.voting._cli import main

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ROOT = Path(__file__).resolve().parents[2]
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="real election data ../shared/data/ is absent"
)

BLT = '3 2\n4 1 2 0\n3 2 1 0\n2 3 2 0\n0\n"Ann"\n"Bo"\n"Cy"\n"Board"\n'
RANKS_CSV = "count,rank1,rank2,rank3\n4,ann,bo,\n3,bo,ann,cy\n2,cy,bo,\n"
SCORES_CSV = "count,ann,bo,cy\n4,5,2,0\n3,1,5,2\n2,0,3,5\n"
VOTES_CSV = "ann,bo,cy\n3,1,0\n0,2,-1\n1,0,2\n"
PB = (
    "META\nkey;value\ndescription;tiny\nnum_projects;3\nnum_votes;4\nbudget;100\n"
    "vote_type;approval\nPROJECTS\nproject_id;cost;name\np1;60;Park\np2;50;Pool\np3;40;Path\n"
    "VOTES\nvoter_id;vote\n1;p1\n2;p1,p3\n3;p2\n4;p1\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (
        ("board.blt", BLT),
        ("ranks.csv", RANKS_CSV),
        ("scores.csv", SCORES_CSV),
        ("votes.csv", VOTES_CSV),
        ("budget.pb", PB),
    ):
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str) -> None:
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("dualpower tally: error: ")
    assert "Traceback" not in err


def test_it_prints_a_round_by_round_table(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["tally", "plurality", str(files["board.blt"]), "--seats", "1"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"plurality: Board ({files['board.blt']})")
    assert "Round 1" in out
    assert re.search(r"^  Ann +4  elected$", out, re.MULTILINE)
    assert re.search(r"^  Cy +2$", out, re.MULTILINE)
    assert out.rstrip().endswith("Winners: Ann")


def test_the_blt_seats_are_the_default(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["tally", "plurality", str(files["board.blt"]), "--json"], capsys)
    assert code == 0 and json.loads(out)["winners"] == ["Ann", "Bo"]


def test_the_word_tally_is_optional(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["borda", str(files["ranks.csv"]), "--json"], capsys)
    assert code == 0 and json.loads(out)["winners"] == ["bo"]


def test_json_holds_exactly_method_winners_rounds_and_tie_breaks(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["tally", "plurality", str(files["ranks.csv"]), "--json"], capsys)
    doc = json.loads(out)
    assert code == 0
    assert set(doc) == {"method", "winners", "rounds", "tie_breaks"}
    assert doc["method"] == "plurality"
    assert doc["winners"] == ["ann"]
    assert doc["rounds"][0]["counts"] == {"ann": 4, "bo": 3, "cy": 2}
    assert doc["tie_breaks"] == []


def test_the_seed_is_passed_to_the_tie_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "tie.csv"
    f.write_text("ann\nbo\ncy\n", encoding="utf-8")
    for seed in ("abc", "9f86d081"):
        code, out, _ = run(["tally", "plurality", str(f), "--seed", seed, "--json"], capsys)
        doc = json.loads(out)
        expected = seeded_order(["ann", "bo", "cy"], seed)[0]
        assert code == 0 and doc["winners"] == [expected]
        assert doc["tie_breaks"][0]["chosen"] == [expected]
        assert doc["tie_breaks"][0]["rule"] == "seeded-random"
    code, out, _ = run(["tally", "plurality", str(f)], capsys)
    assert "Tie-breaks" in out and "seeded-random" in out


@pytest.mark.parametrize(
    ("method", "file", "extra", "winners"),
    [
        ("plurality", "ranks.csv", [], ["ann"]),
        ("approval", "ranks.csv", ["--seats", "2"], ["bo", "ann"]),
        ("approval", "scores.csv", [], ["bo"]),
        ("score", "scores.csv", [], ["bo"]),
        ("star", "scores.csv", [], ["bo"]),
        ("borda", "board.blt", ["--seats", "1"], ["Bo"]),
        ("quadratic", "votes.csv", ["--credits", "10"], ["ann"]),
        ("irv", "ranks.csv", [], None),
        ("stv-scottish", "board.blt", [], None),
        ("stv-meek", "board.blt", [], None),
        ("schulze", "ranks.csv", [], None),
        ("ranked-pairs", "ranks.csv", [], None),
        ("copeland", "ranks.csv", [], None),
        ("pb-greedy", "budget.pb", [], None),
        ("mes", "budget.pb", [], None),
        ("mes-plain", "budget.pb", [], None),
        ("phragmen", "budget.pb", [], None),
    ],
)
def test_every_method_can_be_tallied(
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    method: str,
    file: str,
    extra: list[str],
    winners: list[str] | None,
) -> None:
    code, out, err = run(["tally", method, str(files[file]), "--json", *extra], capsys)
    if code == 2 and "not available" in err:
        pytest.skip(f"{method} is not implemented yet")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["method"] == method
    assert doc["winners"]
    if winners is not None:
        assert doc["winners"] == winners
    code, table, err = run(["tally", method, str(files[file]), *extra], capsys)
    assert code == 0 and "Winners: " in table


def test_an_unavailable_method_exits_2_with_one_line(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(_cli.METHODS, "irv", ("_not_written_yet", "irv", "ranked"))
    code, out, err = run(["tally", "irv", str(files["ranks.csv"])], capsys)
    assert_one_line_error(code, out, err)
    assert "'irv' is not available" in err


def test_a_malformed_file_exits_2_naming_file_line_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "bad.blt"
    f.write_text('2 1\n1 1 0\n1 1 7 0\n0\n"a"\n"b"\n', encoding="utf-8")
    code, out, err = run(["tally", "plurality", str(f)], capsys)
    assert_one_line_error(code, out, err)
    assert f"{f}:3: bad candidate number '7'" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required"),
        (["tally"], "the following arguments are required"),
        (["tally", "dictator", "{ranks.csv}"], "unknown method 'dictator'"),
        (["tally", "irv", "{absent}"], "cannot read the file"),
        (["tally", "irv", "{ranks.csv}", "--seats", "x"], "invalid int value"),
        (["tally", "irv", "{ranks.csv}", "--seats", "0"], "--seats must be at least 1"),
        (["tally", "plurality", "{ranks.csv}", "--seats", "4"], "the file has 3 candidates"),
        (["tally", "irv", "{ranks.csv}", "--bogus"], "unrecognized arguments"),
        (["tally", "irv", "{budget.pb}"], "irv does not count a Pabulib .pb file"),
        (["tally", "mes", "{board.blt}"], "counts a Pabulib .pb file"),
        (["tally", "mes", "{budget.pb}", "--seats", "2"], "--seats does not apply"),
        (["tally", "score", "{board.blt}"], "score needs scores"),
        (["tally", "quadratic", "{votes.csv}"], "quadratic needs --credits"),
        (["tally", "quadratic", "{votes.csv}", "--credits", "4"], "over the budget of 4"),
        (
            ["tally", "plurality", "{ranks.csv}", "--credits", "4"],
            "--credits applies to quadratic only",
        ),
        (["tally", "plurality", "{scores.txt}"], "unknown file type '.txt'"),
        (["tally", "irv", "{scores.csv}"], "holds scores, but irv counts rankings"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    names = {
        **{k: str(v) for k, v in files.items()},
        "absent": str(tmp_path / "absent.blt"),
        "scores.txt": str(tmp_path / "scores.txt"),
    }
    code, out, err = run([names[a[1:-1]] if a.startswith("{") else a for a in argv], capsys)
    assert_one_line_error(code, out, err)
    assert message in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["tally", "--help"], capsys)
    assert code == 0 and "usage: dualpower tally" in out and "stv-scottish" in out


@needs_data
def test_irv_on_ballina_2015_elects_the_official_winner(capsys: pytest.CaptureFixture[str]) -> None:
    f = DATA / "preflib" / "nswla" / "00058-00000003.soi"
    code, out, err = run(["tally", "irv", str(f), "--json"], capsys)
    if code == 2 and "not available" in err:
        pytest.skip("irv is not implemented yet")
    assert code == 0 and json.loads(out)["winners"] == ["SMITH Tamara"]


@needs_data
def test_stv_scottish_on_glasgow_2017_elects_the_official_four(
    capsys: pytest.CaptureFixture[str],
) -> None:
    f = DATA / "preflib" / "scotland-blt" / "glasgow_2017_ward13.blt"
    code, out, err = run(["tally", "stv-scottish", str(f), "--json"], capsys)
    if code == 2 and "not available" in err:
        pytest.skip("stv-scottish is not implemented yet")
    assert code == 0
    assert set(json.loads(out)["winners"]) == {
        "Bill BUTLER (Lab)",
        "Eva MURRAY (Lab)",
        "Michael CULLEN (SNP)",
        "Chris CUNNINGHAM (SNP)",
    }


@needs_data
def test_mes_on_swiecie_2023_selects_the_official_projects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    f = DATA / "pabulib" / "Poland_Swiecie_2023.pb"
    code, out, err = run(["tally", "mes", str(f), "--json"], capsys)
    if code == 2 and "not available" in err:
        pytest.skip("mes is not implemented yet")
    assert code == 0
    selected = set()
    section = ""
    header: list[str] = []
    for line in f.read_text(encoding="utf-8").splitlines():
        if line in ("META", "PROJECTS", "VOTES"):
            section, header = line, []
            continue
        if section == "PROJECTS":
            cells = line.split(";")
            if not header:
                header = cells
            elif cells[header.index("selected")] == "1":
                selected.add(cells[0])
    assert selected and set(json.loads(out)["winners"]) == selected


# ---------------------------------------------------------------- as a subprocess


def test_python_m_dualpower_voting_counts(files: dict[str, Path]) -> None:
    run_ = subprocess.run(
        [
            sys.executable,
            "-m",
            "dualpower.voting",
            "tally",
            "plurality",
            str(files["ranks.csv"]),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run_.returncode == 0, run_.stderr
    assert json.loads(run_.stdout)["winners"] == ["ann"]


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")
def test_uv_run_python_m_dualpower_voting_reports_a_malformed_file_in_one_line(
    tmp_path: Path,
) -> None:
    f = tmp_path / "bad.soi"
    f.write_text("# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 1: a\n1: 2\n", encoding="utf-8")
    run_ = subprocess.run(
        ["uv", "run", "python", "-m", "dualpower.voting", "tally", "irv", str(f)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run_.returncode == 2
    assert run_.stdout == ""
    lines = [
        ln
        for ln in run_.stderr.splitlines()
        if not ln.startswith(
            (
                "warning:",
                "Resolved",
                "Audited",
                "Installed",
                "Uninstalled",
                "Prepared",
                "Built",
                "Building",
                "Downloading",
            )
        )
    ]
    assert lines == [f"dualpower tally: error: {f}:3: bad alternative '2' (there are 1)"]
