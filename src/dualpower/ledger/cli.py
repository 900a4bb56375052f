"""``dualpower ledger ...``: the server operator's read-only checks of a body's ledger.

    dualpower ledger verify BODY                     exit 0 if it holds, 1 if not
    dualpower ledger statement BODY EMAIL [--currency CODE] [--csv]

Like ``dualpower journal``, these read any body (they change nothing). Exit 2 with one
line on stderr for bad arguments, a missing body, person or currency. Piped into a reader
that stops early (``| head``), they stop quietly, as ``dualpower tally`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any, NoReturn

PROG = "dualpower ledger"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Check and print the ledgers of bodies.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = sub.add_parser(
        "verify",
        help="check that balances equal their entries and sum to zero",
        description="Check every currency of BODY: each balance equals the sum of its\n"
        "entries, each transfer has one debit and one credit, balances sum to zero.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("body", metavar="BODY", help="a body's slug")
    statement = sub.add_parser(
        "statement",
        help="print a member's statement",
        description="Print the statement of the member with e-mail EMAIL in BODY.",
    )
    statement.add_argument("body", metavar="BODY", help="a body's slug")
    statement.add_argument("email", metavar="EMAIL", help="the member's e-mail address")
    statement.add_argument(
        "--currency", metavar="CODE", help="the currency (default: the only one)"
    )
    statement.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    return parser


def main(argv: list[str]) -> int:
    """Run ``dualpower ledger ARGV``; return the exit status."""
    try:
        ns = _parser().parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
    import django

    django.setup()
    from django.db import DatabaseError

    from dualpower.core.errors import DomainError

    try:
        return _verify(ns.body) if ns.action == "verify" else _statement(ns)
    except DomainError as e:
        return _fail(e.message)
    except DatabaseError as e:
        return _fail(f"database error: {e} (did you run `dualpower migrate`?)")


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _out(lines: Iterable[str]) -> None:
    """Print ``lines``; if the reader has gone (e.g. piped into ``head``), stop quietly:
    that is not an error of the ledger."""
    try:
        for line in lines:
            sys.stdout.write(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # What is still buffered goes nowhere, rather than fail again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _shown(text: str) -> str:
    """``text`` on one line of the statement: a newline, tab or other control character
    in it (a memo is written by members) is shown escaped, as ``\\n``."""
    return "".join(
        repr(c)[1:-1] if unicodedata.category(c) in _BREAKS or c in _BIDI else c for c in text
    )


_BREAKS = ("Cc", "Zl", "Zp")  # control characters, line and paragraph separators
# Bidirectional embeddings, overrides and isolates: they would reorder the rest of the line.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _gives_back(line: Any) -> str:
    """What a give-back undoes, as the statement page says it."""
    undone = line.entry.transfer.reverses
    return f" (gives back the transfer of {undone.created_at.date()})" if undone else ""


def _body(slug: str) -> Any:
    from dualpower.bodies.models import Body
    from dualpower.core.errors import NotFound

    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise NotFound(f"no such body: {slug}")
    return body


def _verify(slug: str) -> int:
    from .services import ledger_verify

    report = ledger_verify(body=_body(slug))
    _out(f"{line}\n" for line in report.lines())
    return 0 if report.ok else 1


def _statement(ns: argparse.Namespace) -> int:
    from dualpower.core.errors import Invalid, NotFound

    from .models import Account
    from .selectors import body_currencies, statement, statement_csv
    from .units import amount_format

    body = _body(ns.body)
    currencies = list(body_currencies(body=body))
    if ns.currency:
        currencies = [c for c in currencies if c.code == ns.currency]
    if not currencies:
        raise NotFound(f"{body.slug} has no currency {ns.currency or ''}".strip())
    if len(currencies) > 1:
        codes = ", ".join(c.code for c in currencies)
        raise Invalid(f"{body.slug} has several currencies ({codes}); choose one with --currency")
    currency = currencies[0]
    account = (
        Account.objects.filter(currency=currency, person__email=ns.email.strip().lower())
        .select_related("person", "currency")
        .first()
    )
    if account is None:
        raise NotFound(f"{ns.email} has no account in {body.slug} {currency.code}")
    if ns.csv:
        _out([statement_csv(account=account)])
        return 0
    rows = [
        f"{ln.entry.created_at.date().isoformat()}  {ln.amount:>12}  {ln.balance:>12}  "
        f"{_shown(ln.counterpart)}  {_shown(ln.entry.transfer.memo)}{_gives_back(ln)}".rstrip()
        for ln in statement(account=account)
    ]
    rows.append(f"balance {amount_format(account.balance, currency.decimals)} {currency.code}")
    _out(f"{row}\n" for row in rows)
    return 0
