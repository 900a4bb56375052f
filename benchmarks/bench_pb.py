"""Participatory budgeting: dualpower.voting side by side with pabutools on real Pabulib files.

    uv run python benchmarks/bench_pb.py [--peer-lodz] [--peer-add1] [--write-docs]

Files (from ../shared/data/pabulib): Poland_Lodz_2022.pb, the largest (160 projects,
90,494 voters), and Netherlands_Amsterdam_621.pb (60 projects, 10,081 voters). Methods:
greedy by votes, the Method of Equal Shares with cost utilities (plain) and MES completed
by the add-one rule (one unit more per voter per step; pabutools:
``exhaustion_by_budget_increase`` with ``budget_step`` = the number of voters).

Our times are the best of three runs (one for add1 on the largest file); pabutools is run
once (it takes minutes on the large file), each on a profile it reads itself
(``parse_pabulib``, then ``as_multiprofile()`` so identical ballots are stored once, as
ours are). Winners are asserted to agree. pabutools on Łódź runs only with
``--peer-lodz``, and its add1 only with ``--peer-add1`` (on Amsterdam; on Łódź it would be
59 runs of its MES, hours: not run). ``--write-docs`` replaces the
"## Participatory budgeting" section of docs/performance.md (re-read right before writing).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dualpower.voting._pabulib import read_pabulib
from dualpower.voting._pb import mes, mes_plain, pb_greedy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".." / "shared" / "data" / "pabulib"
DOCS = ROOT / "docs" / "performance.md"
HEADING = "## Participatory budgeting"
FILES = ["Poland_Lodz_2022.pb", "Netherlands_Amsterdam_621.pb"]


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "not run"
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.1f} s"


def peer_methods(instance: Any, profile: Any, *, add1: bool) -> dict[str, Callable[[], Any]]:
    from pabutools.election import Cost_Sat
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    peer: dict[str, Callable[[], Any]] = {
        "greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
        "MES (plain)": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
    }
    if add1:
        peer["MES + add1"] = lambda: exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat},
            budget_step=profile.num_ballots(),  # one unit more for every voter
        )
    return peer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-lodz", action="store_true", help="run pabutools on Łódź 2022")
    parser.add_argument("--peer-add1", action="store_true", help="run pabutools' add1 on Amsterdam")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    from pabutools.election import parse_pabulib

    rows: list[tuple[str, str, str, str, str, str]] = []
    for name in FILES:
        big = name == "Poland_Lodz_2022.pb"
        t_read, inst = timed(lambda name=name: read_pabulib(DATA / name))
        label = (
            f"{name.removesuffix('.pb')} ({len(inst.projects)} projects, {inst.n_voters:,} voters)"
        )
        ours: dict[str, tuple[float, Any]] = {
            "greedy": timed(lambda inst=inst: pb_greedy(inst), 3),
            "MES (plain)": timed(lambda inst=inst: mes_plain(inst), 3),
            "MES + add1": timed(lambda inst=inst: mes(inst), 1 if big else 3),
        }
        theirs: dict[str, float | None] = dict.fromkeys(ours)
        t_parse: float | None = None
        if not big or args.peer_lodz:
            t_parse, (instance, raw) = timed(lambda name=name: parse_pabulib(str(DATA / name)))
            peer = peer_methods(instance, raw.as_multiprofile(), add1=args.peer_add1 and not big)
            for method, fn in peer.items():
                seconds, outcome = timed(fn)
                theirs[method] = seconds
                got = {str(p) for p in outcome}
                assert got == set(ours[method][1].winners), (name, method)
                print(f"  {name} {method}: pabutools {fmt(seconds)}, same winners", flush=True)
        rows.append((label, "read the file", fmt(t_read), fmt(t_parse), "", ""))
        for method, (seconds, result) in ours.items():
            other = theirs[method]
            ratio = f"{other / seconds:,.0f}x" if other is not None else ""
            rows.append((label, method, fmt(seconds), fmt(other), ratio, str(len(result.winners))))
        print(f"  {name}: done", flush=True)

    lines = [
        "| file | step | dualpower | pabutools | speed-up | projects selected |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        command = "uv run python benchmarks/bench_pb.py " + " ".join(
            flag
            for flag, on in (
                ("--peer-lodz", args.peer_lodz),
                ("--peer-add1", args.peer_add1),
                ("--write-docs", True),
            )
            if on
        )
        section = "\n".join(
            [
                HEADING,
                "",
                "Real Pabulib files from `../shared/data/pabulib`; pabutools 1.2.3 with exact",
                "fractions (gmpy2), its profile deduplicated (`as_multiprofile()`). Same winner",
                "sets asserted for every peer time shown. Ours: best of 3 (add1 on Łódź: 1 run).",
                "",
                f"Command: `{command.strip()}`",
                "",
                table,
                "",
            ]
        )
        text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n\n"
        pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(lambda _m: section + "\n", text)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
