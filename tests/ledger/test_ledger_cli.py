"""``dualpower ledger verify`` and ``dualpower ledger statement`` (ledger/cli.py)."""

from __future__ import annotations

import os
import sys

import pytest
from ledger_helpers import account

from dualpower.accounts.models import Person
from dualpower.ledger import services
from dualpower.ledger.cli import main
from dualpower.ledger.models import Account, Currency


@pytest.fixture
def paid(acorns: Currency, alice: Person, bob: Person) -> Currency:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=4_20, memo="jam", client_key="k",
    )  # fmt: skip
    return acorns


def test_verify_says_the_ledger_holds(paid: Currency, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", paid.body.slug]) == 0
    out = capsys.readouterr().out
    assert "acorn: 3 accounts, 1 transfers, balances equal entries and sum to zero" in out


def test_verify_exits_1_on_a_broken_ledger(
    paid: Currency, bob: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    Account.objects.filter(person=bob).update(balance=1)
    assert main(["verify", paid.body.slug]) == 1
    assert "but its entries sum to 420" in capsys.readouterr().out


def test_statement_as_csv(paid: Currency, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["statement", paid.body.slug, "BOB@example.org", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("date,transfer")
    assert lines[1].endswith(",payment,Alice,jam,4.20,4.20,")


def test_statement_as_text(paid: Currency, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["statement", paid.body.slug, "alice@example.org"]) == 0
    out = capsys.readouterr().out
    assert "-4.20" in out and "Bob  jam" in out and "balance -4.20 acorn" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "nope"], "no such body: nope"),
        (["statement", "acorn-network", "dave@example.org"], "has no account"),
        (["statement", "acorn-network", "bob@example.org", "--currency", "x"], "no currency x"),
        (["frobnicate"], "invalid choice"),
        (["verify"], "required"),
    ],
)
def test_refusals_are_one_line_and_exit_2(
    paid: Currency, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_memo_with_a_newline_tab_or_bidi_override_stays_on_its_line(
    acorns: Currency, alice: Person, bob: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=1_00, memo="jam\nand\ttea\x1b[2J\u202egnp", client_key="m",
    )  # fmt: skip
    assert main(["statement", acorns.body.slug, "bob@example.org"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1] == "balance 1.00 acorn"
    assert lines[0].endswith("Alice  jam\\nand\\ttea\\x1b[2J\\u202egnp")
    assert main(["statement", acorns.body.slug, "bob@example.org", "--csv"]) == 0
    assert '"jam\nand\ttea\x1b[2J\u202egnp"' in capsys.readouterr().out  # CSV quotes it as it is


@pytest.mark.parametrize("argv", [["statement", "acorn-network", "bob@example.org"],
                                  ["statement", "acorn-network", "bob@example.org", "--csv"],
                                  ["verify", "acorn-network"]])  # fmt: skip
def test_a_reader_that_stops_early_is_no_error(
    paid: Currency, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``dualpower ledger statement ... | head -0``: the pipe is closed."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "w") as closed_pipe, monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", closed_pipe)
        assert main(argv) == 0
