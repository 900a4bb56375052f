"""Bad arguments, refusals, `tally` and the passthrough to Django, called through main()."""

from __future__ import annotations

import sys

import pytest
from pytest_django import Settings

from dualpower import cli
from dualpower.core.errors import Conflict
from dualpower.voting import _cli as tally_cli


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["--bogus", "migrate"], "unrecognized arguments: --bogus"),
        (["demo", "--port", "eighty"], "argument --port: not a whole number: 'eighty'"),
        (["demo", "--port", "70000"], "argument --port: not a port: '70000'"),
        (["serve", "--workers", "0"], "argument --workers: must be at least 1: '0'"),
        (["serve", "--threads", "0"], "argument --threads: must be at least 1: '0'"),
        (["journal"], "the following arguments are required: ACTION"),
        (["journal", "rewrite"], "argument ACTION: invalid choice: 'rewrite'"),
        (["journal", "export"], "the following arguments are required: BODY"),
        (["migrate", "bodies"], "unrecognized arguments: bodies"),
    ],
)
def test_bad_arguments_are_exit_2_with_exactly_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert says in captured.err
    assert captured.err.startswith("dualpower")


def test_a_body_and_a_file_together_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["journal", "verify", "some-body", "--file", "x.jsonl"]) == 2
    assert capsys.readouterr().err == "dualpower: error: give a BODY or --file, not both\n"


def test_an_unknown_command_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["frobnicate"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "dualpower: error: unknown command 'frobnicate'; see `dualpower --help`\n"
    )


def test_help_is_exit_0_and_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in cli.OWN_COMMANDS:
        assert f"    {command}" in out


def test_help_before_a_command_shows_that_command_s_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["help", "journal", "verify"]) == 0
    assert capsys.readouterr().out.startswith("usage: dualpower journal verify")


def test_a_domain_error_from_a_service_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    def refuse() -> None:
        raise Conflict("the neighbourhood\nis already there")

    monkeypatch.setattr("dualpower.demo.seed", refuse)
    assert cli.main(["demo", "--no-serve"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "dualpower: error: the neighbourhood is already there\n"


def test_the_demo_refuses_production_mode(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    settings.PRODUCTION = True
    assert cli.main(["demo", "--no-serve"]) == 2
    assert "refuses DUALPOWER_MODE=production" in capsys.readouterr().err


def test_tally_is_handed_to_the_voting_library(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr(tally_cli, "main", fake_main)
    assert cli.main(["tally", "irv", "ballots.blt", "--json"]) == 0
    assert seen == [["irv", "ballots.blt", "--json"]]


def test_ledger_is_handed_to_the_ledger_module(
    capsys: pytest.CaptureFixture[str], db: None
) -> None:
    assert cli.main(["ledger", "verify", "atlantis"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "no such body: atlantis" in err[0]


def test_tally_with_a_bad_method_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["tally", "no-such-method", "ballots.blt"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_tally_says_so_in_one_line_when_the_library_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dualpower.voting._cli", None)
    assert cli.main(["tally", "irv", "ballots.blt"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("dualpower: error: tally is not available")


def test_other_commands_are_handed_to_django(capsys: pytest.CaptureFixture[str], db: None) -> None:
    assert cli.main(["showmigrations", "bodies"]) == 0
    out = capsys.readouterr().out
    assert "0002_journal_is_append_only_on_postgresql" in out


def test_migrate_check_passes_on_a_migrated_database(
    capsys: pytest.CaptureFixture[str], db: None
) -> None:
    assert cli.main(["migrate", "--check"]) == 0
