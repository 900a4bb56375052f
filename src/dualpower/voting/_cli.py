"""``dualpower tally METHOD FILE [--seats N] [--seed S] [--json]``: count a ballot file.

Also ``python -m dualpower.voting [tally] METHOD FILE ...``. Without ``--json`` it prints a
readable round-by-round table; with ``--json``, one JSON object
``{"method", "winners", "rounds", "tie_breaks"}``. Exit status: 0 when counted; 2, with one
line on stderr, for bad arguments, an unknown method, an unreadable or malformed file
(the line names the file, the line and the problem) or ballots the method refuses.

Files by extension: ``.blt`` (its seats are the default ``--seats``), PrefLib ``.soc
.soi .toc .toi``, ``.csv`` (rankings, or for score/STAR/quadratic/approval a header of
candidate names over rows of numbers) and Pabulib ``.pb`` (participatory budgeting).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._errors import VotingError
from ._profile import CardinalProfile, Profile
from ._readers import (
    Election,
    looks_like_scores,
    read_blt,
    read_csv_rankings,
    read_csv_scores,
    read_preflib_election,
)
from ._result import Result

# METHOD name -> (module, function, kind of ballots it needs)
METHODS: dict[str, tuple[str, str, str]] = {
    "plurality": ("_simple", "plurality", "ranked"),
    "approval": ("_simple", "approval", "approval"),
    "score": ("_simple", "score", "cardinal"),
    "star": ("_simple", "star", "cardinal"),
    "borda": ("_simple", "borda", "ranked"),
    "irv": ("_ranked", "irv", "ranked"),
    "stv-scottish": ("_ranked", "stv_scottish", "ranked"),
    "stv-meek": ("_ranked", "stv_meek", "ranked"),
    "schulze": ("_ranked", "schulze", "ranked"),
    "ranked-pairs": ("_ranked", "ranked_pairs", "ranked"),
    "copeland": ("_ranked", "copeland", "ranked"),
    "quadratic": ("_quadratic", "quadratic", "cardinal"),
    "pb-greedy": ("_pb", "pb_greedy", "pb"),
    "mes": ("_pb", "mes", "pb"),
    "mes-plain": ("_pb", "mes_plain", "pb"),
    "phragmen": ("_pb", "phragmen", "pb"),
}
RANKED_EXTENSIONS = (".blt", ".soc", ".soi", ".toc", ".toi", ".csv")


class UsageError(Exception):
    """A bad command line or an input the chosen method cannot count."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="dualpower tally",
        description="Count a ballot file and explain the count round by round.",
        epilog="Methods: " + ", ".join(METHODS),
    )
    p.add_argument("method", metavar="METHOD", help="one of: " + ", ".join(METHODS))
    p.add_argument("file", metavar="FILE", help=".blt .soc .soi .toc .toi .csv or .pb")
    p.add_argument(
        "--seats", type=int, default=None, help="seats to fill (default: the file's, or 1)"
    )
    p.add_argument(
        "--seed", default=None, help="published tie-break seed, e.g. a journal head hash"
    )
    p.add_argument("--credits", type=float, default=None, help="per-voter credits (quadratic)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def _function(method: str) -> Callable[..., Result]:
    module_name, func_name, _ = METHODS[method]
    try:
        module = importlib.import_module(f"{__package__}.{module_name}")
        func: Callable[..., Result] = getattr(module, func_name)
    except (ImportError, AttributeError):
        raise UsageError(f"method {method!r} is not available in this installation") from None
    return func


def _load(method: str, path: str, kind: str) -> tuple[Any, Election | None]:
    ext = os.path.splitext(path)[1].lower()
    if kind == "pb":
        if ext != ".pb":
            raise UsageError(f"{method} counts a Pabulib .pb file, not {path!r}")
        try:
            reader = importlib.import_module(f"{__package__}._pabulib").read_pabulib
        except (ImportError, AttributeError):
            raise UsageError("reading .pb files is not available in this installation") from None
        return reader(path), None
    if ext == ".pb":
        raise UsageError(
            f"{method} does not count a Pabulib .pb file; use pb-greedy, mes, mes-plain or phragmen"
        )
    if ext not in RANKED_EXTENSIONS:
        raise UsageError(
            f"{path}: unknown file type {ext or '(none)'!r}; expected .blt, .soc, .soi, .toc,"
            " .toi, .csv or .pb"
        )
    if ext == ".csv":
        scores = kind == "cardinal" or looks_like_scores(path)
        if scores and kind == "ranked":
            raise UsageError(f"{path} holds scores, but {method} counts rankings")
        return (read_csv_scores(path) if scores else read_csv_rankings(path)), None
    if kind == "cardinal":
        raise UsageError(f"{method} needs scores: a .csv with a header of candidate names")
    election = read_blt(path) if ext == ".blt" else read_preflib_election(path)
    return election.profile, election


def _fmt(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.5f}".rstrip("0").rstrip(".")


def _table(method: str, path: str, result: Result, title: str) -> str:
    lines = [f"{method}: {title} ({path})" if title else f"{method}: {path}"]
    for rnd in result.rounds:
        head = f"Round {rnd.number}"
        if rnd.quota is not None:
            head += f"  (quota {_fmt(rnd.quota)})"
        lines.append("")
        lines.append(head)
        if rnd.note:
            lines.append(f"  {rnd.note}")
        names = list(rnd.counts)
        for extra in (*rnd.elected, *rnd.eliminated, *rnd.transfers):
            if extra not in rnd.counts and extra not in names:
                names.append(extra)
        width = max((len(n) for n in names), default=0)
        width = max(width, len("exhausted"))
        for name in names:
            count = _fmt(rnd.counts[name]) if name in rnd.counts else ""
            row = f"  {name:<{width}}  {count:>12}"
            if rnd.transfers:
                t = rnd.transfers.get(name)
                shown = "" if t is None else ("+" if t >= 0 else "") + _fmt(t)
                row += f"  {shown:>12}"
            if name in rnd.elected:
                row += "  elected"
            elif name in rnd.eliminated:
                row += "  eliminated"
            lines.append(row.rstrip())
        if rnd.exhausted:
            lines.append(f"  {'exhausted':<{width}}  {_fmt(rnd.exhausted):>12}")
    if result.tie_breaks:
        lines.append("")
        lines.append("Tie-breaks")
        for tb in result.tie_breaks:
            lines.append(
                f"  {tb.step}: tied {', '.join(tb.tied)}; chose {', '.join(tb.chosen)} ({tb.rule})"
            )
    lines.append("")
    if result.tied:
        lines.append("Still tied: " + ", ".join(result.tied))
    lines.append("Winners: " + (", ".join(result.winners) if result.winners else "(none)"))
    if result.explanation:
        lines.append(result.explanation)
    return "\n".join(lines) + "\n"


def _run(args: argparse.Namespace) -> tuple[Result, str]:
    method: str = args.method
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    kind = METHODS[method][2]
    if args.seats is not None and args.seats < 1:
        raise UsageError(f"--seats must be at least 1, not {args.seats}")
    if kind == "pb" and args.seats is not None:
        raise UsageError(f"--seats does not apply to {method} (the budget decides)")
    if method == "quadratic" and args.credits is None:
        raise UsageError("quadratic needs --credits (each voter's budget)")
    if method != "quadratic" and args.credits is not None:
        raise UsageError(f"--credits applies to quadratic only, not {method}")
    func = _function(method)
    data, election = _load(method, args.file, kind)
    kwargs: dict[str, Any] = {"seed": args.seed}
    if kind != "pb":
        # A file's seats are the default for methods that fill several; IRV fills one.
        file_seats = election.seats if election and method != "irv" else 1
        kwargs["seats"] = args.seats or file_seats
        n_cand = len(data.candidates)
        if kwargs["seats"] > n_cand:
            raise UsageError(f"--seats {kwargs['seats']} but the file has {n_cand} candidates")
        if kind == "ranked" and not isinstance(data, Profile):
            raise UsageError(f"{method} needs ranked ballots")
        if kind == "cardinal" and not isinstance(data, CardinalProfile):
            raise UsageError(f"{method} needs scores")
    if method == "quadratic":
        kwargs["credits"] = args.credits
    result = func(data, **kwargs)
    return result, election.title if election else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dualpower tally``; return the exit status (0 counted, 2 refused).

    >>> main(["tally", "no-such-method", "x.blt"])
    2

    Complexity: that of reading the file and of the chosen method.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "tally":
        args_list = args_list[1:]
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
        result, title = _run(args)
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else 0
    except (UsageError, VotingError, OSError, ValueError) as e:
        message = " ".join(str(e).split()) or type(e).__name__
        print(f"dualpower tally: error: {message}", file=sys.stderr)
        return 2
    try:
        _print(args, result, title)
    except BrokenPipeError:  # e.g. piped into `head`: not an error of the count
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _print(args: argparse.Namespace, result: Result, title: str) -> None:
    if args.json:
        full = result.to_json()
        out = {
            "method": args.method,
            "winners": full["winners"],
            "rounds": full["rounds"],
            "tie_breaks": full["tie_breaks"],
        }
        print(json.dumps(out, ensure_ascii=False))
    else:
        sys.stdout.write(_table(args.method, args.file, result, title))
    sys.stdout.flush()
