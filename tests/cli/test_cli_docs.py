"""docs/cli.md shows the `--help` of every command; this test keeps it from drifting.

Refresh it after changing the CLI with ``UPDATE_SNAPSHOTS=1 uv run pytest tests/cli``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dualpower.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
BLOCK = re.compile(
    r"(<!-- help: (?P<command>[a-z ]+) -->\n```text\n)(?P<text>.*?)(```\n<!-- end help -->)",
    re.DOTALL,
)
COMMANDS = [
    "dualpower",
    "dualpower demo",
    "dualpower serve",
    "dualpower worker",
    "dualpower migrate",
    "dualpower journal",
    "dualpower journal verify",
    "dualpower journal export",
    "dualpower ledger",
    "dualpower tally",
]


def _help(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main([*command.split()[1:], "--help"]) == 0
    return capsys.readouterr().out


def test_docs_cli_md_shows_the_current_help_of_every_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "90")  # argparse's width for parsers that don't fix one
    text = DOC.read_text()
    documented = [m["command"] for m in BLOCK.finditer(text)]
    assert documented == COMMANDS, "docs/cli.md must show every command, in this order"
    current = BLOCK.sub(lambda m: m[1] + _help(m["command"], capsys) + m[4], text)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        DOC.write_text(current)
    assert current == text, "docs/cli.md is out of date: UPDATE_SNAPSHOTS=1 uv run pytest tests/cli"
