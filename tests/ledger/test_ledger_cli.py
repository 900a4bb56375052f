"""``dualpower ledger verify`` and ``dualpower ledger statement`` (ledger/cli.py)."""

from __future__ import annotations

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
    assert lines[1].endswith(",payment,Alice,jam,4.20,4.20")


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
