"""The ``dualpower`` command.

Its own commands are ``demo``, ``serve``, ``worker``, ``migrate``, ``journal``,
``ledger`` and ``tally``; any other first word is handed to Django's management commands
(``dualpower createsuperuser``, ``dualpower shell``...). Django is set up only for the
commands that need it, so ``dualpower tally`` and ``--help`` stay fast.

Exit status: 0 done; 1 a journal chain (or a ledger) does not hold; 2 bad arguments, a refused request
(any ``DomainError``) or a missing body, always with exactly one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from dualpower.bodies.journal import ChainReport
    from dualpower.bodies.models import Body

PROG = "dualpower"
OWN_COMMANDS = ("demo", "serve", "worker", "migrate", "journal", "ledger", "tally")
# Commands that live with their module, imported only when asked for: ``tally`` needs no
# Django at all, ``ledger`` sets Django up itself.
DELEGATED = {"tally": "dualpower.voting._cli", "ledger": "dualpower.ledger.cli"}
EXPORT_FORMAT = "dualpower-journal"
EXPORT_VERSION = 1


class CommandFailed(Exception):
    """A refusal to report as one line on stderr with exit status 2."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    # A fixed width keeps ``--help`` identical everywhere, so docs/cli.md can be checked.
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=88, max_help_position=32)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, not usage followed by the error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="dualpower: self-governing bodies, their charters, mandates and journals.",
        epilog=(
            "Any other command is handed to Django's management commands,\n"
            "e.g. `dualpower createsuperuser`, `dualpower shell`, `dualpower check`."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="seed a demo neighbourhood in a local database and serve it",
        description=(
            "Migrate the database (SQLite in DUALPOWER_DATA_DIR, default ./data, unless\n"
            "DATABASE_URL is set), seed a demo neighbourhood once, print its logins and\n"
            "serve it with gunicorn at http://127.0.0.1:PORT/."
        ),
    )
    demo.add_argument("--no-serve", action="store_true", help="seed and print, do not serve")
    demo.add_argument("--port", type=_port, default=8000, help="port to serve on (8000)")

    serve = sub.add_parser(
        "serve",
        help="serve the web app and API with gunicorn (production)",
        description=(
            "Serve dualpower with gunicorn. In production mode (DUALPOWER_MODE=production)\n"
            "static files are collected into DUALPOWER_DATA_DIR/static first."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (8000)")
    serve.add_argument("--workers", type=_positive, default=2, help="worker processes (2)")
    serve.add_argument(
        "--threads",
        type=_positive,
        default=4,
        help="threads per worker (4); concurrent transfers in one worker share a commit",
    )

    worker = sub.add_parser(
        "worker",
        help="run background tasks (closing votes, e-mail)",
        description="Run the django-tasks database worker (django_tasks_db's db_worker).",
    )
    worker.add_argument("--queue", default="default", help="queues to process, comma-separated")
    worker.add_argument(
        "--batch", action="store_true", help="process every waiting task, then exit"
    )

    migrate = sub.add_parser(
        "migrate",
        help="create or update the database tables",
        description="Apply every pending migration (Django's migrate, non-interactive).",
    )
    migrate.add_argument("--check", action="store_true", help="exit 1 if any are unapplied")

    journal = sub.add_parser(
        "journal",
        help="verify or export the hash-chained journals of bodies",
        description="Verify or export the per-body, hash-chained journals.",
    )
    jsub = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    verify = jsub.add_parser(
        "verify",
        help="recompute journal chains",
        description=(
            "Recompute the hash chain of one body's journal, or of every body's, or of an\n"
            "export file. Prints one line per body; exits 0 when every chain holds and 1\n"
            "when one is broken, naming its first broken entry."
        ),
    )
    verify.add_argument("body", nargs="?", metavar="BODY", help="a body's slug (default: all)")
    verify.add_argument(
        "--file",
        metavar="EXPORT.jsonl",
        help="verify an export offline instead of the database ('-' reads stdin)",
    )
    export = jsub.add_parser(
        "export",
        help="print one body's journal as JSON lines",
        description=(
            "Print BODY's journal as JSON lines: a header line naming the body, then one\n"
            "entry per line. `dualpower journal verify --file` checks such a file."
        ),
    )
    export.add_argument("body", metavar="BODY", help="a body's slug")

    sub.add_parser(
        "ledger",
        add_help=False,
        help="check a body's ledger or print a statement (see `dualpower ledger --help`)",
    )
    sub.add_parser(
        "tally",
        add_help=False,
        help="count a ballot file (see `dualpower tally --help`)",
    )
    return parser


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dualpower``; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["help"]:  # `dualpower help journal` is `dualpower journal --help`
        args = [*args[1:], "--help"]
    if args and args[0] in DELEGATED:
        return _delegate(args[0], args[1:])
    if args and not args[0].startswith("-") and args[0] not in OWN_COMMANDS:
        return _passthrough(args)
    try:
        ns = _parser().parse_args(args)
    except SystemExit as e:  # --help, or a bad argument already reported in one line
        return e.code if isinstance(e.code, int) else 2
    try:
        return _run(ns)
    except KeyboardInterrupt:
        return 130
    except CommandFailed as e:
        return _fail(str(e))
    except Exception as e:  # only DomainError and the database's errors are reported here
        from django.db import DatabaseError

        from dualpower.core.errors import DomainError

        if isinstance(e, DomainError):
            return _fail(e.message)
        if isinstance(e, DatabaseError):
            return _fail(f"database error: {e} (did you run `dualpower migrate`?)")
        raise


def _fail(message: str) -> int:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _run(ns: argparse.Namespace) -> int:
    match ns.command:
        case "demo":
            return _demo(no_serve=ns.no_serve, port=ns.port)
        case "serve":
            return _serve(host=ns.host, port=ns.port, workers=ns.workers, threads=ns.threads)
        case "worker":
            _setup_django()
            from django.core.management import call_command

            call_command("db_worker", queue_name=ns.queue, batch=ns.batch)
            return 0
        case "migrate":
            return _migrate(check=ns.check)
        case _:  # journal
            if ns.journal_command == "export":
                return _journal_export(ns.body)
            return _journal_verify(ns.body, ns.file)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as e:
        raise CommandFailed(str(e)) from None


def _delegate(command: str, argv: list[str]) -> int:
    try:
        module = importlib.import_module(DELEGATED[command])
    except ImportError as e:
        return _fail(f"{command} is not available: {e}")
    status: int = module.main(argv)
    return status


def _passthrough(argv: list[str]) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line, get_commands

    if argv[0] not in get_commands():
        return _fail(f"unknown command {argv[0]!r}; see `{PROG} --help`")
    try:
        execute_from_command_line([PROG, *argv])
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    return 0


def _migrate(*, check: bool) -> int:
    _setup_django()
    from django.core.management import call_command

    try:
        call_command("migrate", interactive=False, check_unapplied=check)
    except SystemExit as e:  # --check with unapplied migrations
        return e.code if isinstance(e.code, int) else 1
    return 0


def _demo(*, no_serve: bool, port: int) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from dualpower import demo

    if settings.PRODUCTION:
        raise CommandFailed("the demo seeds known passwords; it refuses DUALPOWER_MODE=production")
    call_command("migrate", interactive=False, verbosity=0)
    seeded = demo.seed()
    print(demo.describe(seeded, url=f"http://127.0.0.1:{port}/"))
    if no_serve:
        return 0
    return _gunicorn(host="127.0.0.1", port=port, workers=2, threads=4)


def _serve(*, host: str, port: int, workers: int, threads: int) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if settings.PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    return _gunicorn(host=host, port=port, workers=workers, threads=threads)


def _gunicorn(*, host: str, port: int, workers: int, threads: int) -> int:
    """Replace this process with gunicorn serving ``dualpower.wsgi``."""
    from django.conf import settings

    # WhiteNoise warns at every start while the collected-files folder does not exist;
    # in development it serves from the apps' folders and that one stays empty.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "dualpower.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)


def _body(slug: str) -> Body:
    # The CLI is the server operator's tool: it reads every body, hidden ones included,
    # and changes none (policy governs what people do inside bodies, not the operator's
    # read-only integrity check).
    from dualpower.bodies.models import Body

    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise CommandFailed(f"no such body: {slug}")
    return body


def _journal_verify(slug: str | None, file: str | None) -> int:
    if file is not None and slug is not None:
        raise CommandFailed("give a BODY or --file, not both")
    _setup_django()
    from dualpower.bodies.journal import journal_verify
    from dualpower.bodies.models import Body

    if file is not None:
        reports = [_verify_export(file)]
    else:
        bodies = [_body(slug)] if slug is not None else list(Body.objects.order_by("slug"))
        if not bodies:
            print("no bodies yet")
            return 0
        reports = [journal_verify(body=body) for body in bodies]
    for report in reports:
        print(report.line())
    return 0 if all(r.ok for r in reports) else 1


def _verify_export(file: str) -> ChainReport:
    from dualpower.bodies.journal import ChainReport, verify_records

    lines = list(_read_lines(file))
    if not lines:
        raise CommandFailed(f"{file}: empty, not a journal export")
    header = _json_line(file, 1, lines[0])
    if header.get("format") != EXPORT_FORMAT or not isinstance(header.get("body"), str):
        raise CommandFailed(f"{file} line 1: not a {EXPORT_FORMAT} header")
    slug: str = header["body"]
    records = [_json_line(file, n, text) for n, text in enumerate(lines[1:], start=2)]
    report = verify_records(slug, records)
    if not report.ok:
        return report
    # A chain cut short still links; the header's count and head catch a truncated file.
    head = records[-1]["hash"] if records else None
    if header.get("entries") != len(records) or header.get("head") != head:
        return ChainReport(
            slug,
            len(records),
            False,
            len(records) + 1,
            f"the file is cut short: its header names {header.get('entries')} entries",
        )
    return report


def _read_lines(file: str) -> Iterator[str]:
    if file == "-":
        yield from _nonblank(file, sys.stdin)
        return
    try:
        stream = Path(file).open(encoding="utf-8")
    except OSError as e:
        raise CommandFailed(f"{file}: {e.strerror}") from None
    with stream:
        yield from _nonblank(file, stream)


def _nonblank(file: str, stream: IO[str]) -> Iterator[str]:
    try:
        for line in stream:
            if line.strip():
                yield line
    except UnicodeDecodeError:
        raise CommandFailed(f"{file}: not UTF-8 text") from None


def _json_line(file: str, number: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise CommandFailed(f"{file} line {number}: not JSON ({e.msg})") from None
    if not isinstance(value, dict):
        raise CommandFailed(f"{file} line {number}: not a JSON object")
    return value


def _journal_export(slug: str) -> int:
    _setup_django()
    from dualpower.bodies.journal import canonical_json
    from dualpower.bodies.models import JournalEntry

    body = _body(slug)
    # Entries appended while exporting are left out, so the header always fits the file.
    last = (
        JournalEntry.objects.filter(body=body).order_by("-seq").values_list("seq", "hash").first()
    )
    count, head = last if last else (0, None)
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "body": body.slug,
        "entries": count,
        "head": head,
    }
    out = sys.stdout
    out.write(canonical_json(header) + "\n")
    entries = JournalEntry.objects.filter(body=body, seq__lte=count).order_by("seq")
    for entry in entries.iterator():
        out.write(canonical_json(entry.as_record()) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
