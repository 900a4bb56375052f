"""Single-round methods and ballot files: dualpower.voting side by side with pref_voting.

    uv run python benchmarks/bench_simple_methods.py [--ballots 1000000] [--write-docs]

Ranked methods (plurality, Borda, approval of ranked candidates) on ``--ballots`` complete
rankings of 10 candidates drawn from 5,000 ballot types with Zipf-like frequencies (real
elections repeat ballots; both libraries get the same deduplicated profile, pref_voting as
``Profile(rankings, rcounts)``). Cardinal methods (score, STAR, approval) on 100,000
ballots of 0-5 scores (few repeats: the full matrix), pref_voting as a ``GradeProfile``.
Reading: the same ranked ballots written as a BLT file with one line per ballot (the
worst case: nothing merged in the file), then read with ``read_blt``.

Each time is the best of three runs (pref_voting's first call, which compiles with numba,
is excluded by a warm-up). Winners are checked to agree. ``--write-docs`` replaces the
"## Single-round methods and ballot files" section of docs/performance.md (re-read right
before writing: others own other sections).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dualpower.voting import (
    CardinalProfile,
    Profile,
    approval,
    borda,
    plurality,
    read_blt,
    score,
    star,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
HEADING = "## Single-round methods and ballot files"
M = 10


def best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def ranked_ballots(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n ballots drawn from 5,000 distinct types: (the ballots, the type of each)."""
    types = np.argsort(rng.random((5000, M)), axis=1).astype(np.int32)
    weights = 1.0 / np.arange(1, 5001) ** 0.8
    pick = rng.choice(5000, size=n, p=weights / weights.sum())
    return types[pick], pick


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballots", type=int, default=1_000_000)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    n = args.ballots
    load = os.getloadavg()[0]

    from pref_voting.grade_methods import approval as pv_approval
    from pref_voting.grade_methods import score_voting as pv_score
    from pref_voting.grade_methods import star as pv_star
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.profiles import Profile as PVProfile
    from pref_voting.scoring_methods import borda as pv_borda
    from pref_voting.scoring_methods import plurality as pv_plurality

    rows: list[tuple[str, str, float, float, str]] = []

    # ---- ranked: deduplicate once (both libraries take a deduplicated profile)
    ballots, pick = ranked_ballots(n, rng)
    kinds, counts = np.unique(pick, return_counts=True)
    order = np.argsort(pick, kind="stable")
    first = order[np.searchsorted(pick[order], kinds)]
    uniq = ballots[first]
    names = [f"c{i}" for i in range(M)]
    ours_p = Profile(names, uniq, counts.astype(np.float64))
    warm = PVProfile([[0, 1], [1, 0]], [1, 1])
    pv_plurality(warm), pv_borda(warm)
    t_pvp, pv_p = best(lambda: PVProfile(uniq.tolist(), counts.tolist()), 1)
    label = f"{n:,} rankings ({len(uniq):,} distinct), {M} candidates"
    for name, ours_f, pv_f in (("plurality", plurality, pv_plurality), ("borda", borda, pv_borda)):
        t_ours, r = best(lambda f=ours_f: f(ours_p, break_ties=False))  # type: ignore[misc]
        t_pv, w = best(lambda f=pv_f: f(pv_p))  # type: ignore[misc]
        assert {int(c[1:]) for c in (*r.winners, *r.tied)} == set(w), name
        rows.append((name, label, t_ours, t_pv, "same winners"))
    t_ours, _ = best(lambda: approval(ours_p, break_ties=False))
    rows.append(("approval of ranked candidates", label, t_ours, float("nan"), "no peer method"))

    # ---- cardinal
    nc = min(n, 100_000)
    vals = rng.integers(0, 6, size=(nc, M))
    ours_c = CardinalProfile(names, vals.astype(np.float64), np.ones(nc))
    appr = (vals >= 3).astype(np.float64)
    ours_a = CardinalProfile(names, appr, np.ones(nc))
    t_gp, gp = best(
        lambda: GradeProfile([dict(enumerate(v)) for v in vals.tolist()], [0, 1, 2, 3, 4, 5]), 1
    )
    gpa = GradeProfile([dict(enumerate(v)) for v in appr.astype(int).tolist()], [0, 1])
    clabel = f"{nc:,} score ballots, {M} candidates"
    for name, ours_f, pv_f, ours_in, pv_in in (
        ("score", score, pv_score, ours_c, gp),
        ("approval", approval, pv_approval, ours_a, gpa),
    ):
        t_ours, r = best(lambda f=ours_f, i=ours_in: f(i, break_ties=False))  # type: ignore[misc]
        t_pv, w = best(lambda f=pv_f, i=pv_in: f(i))  # type: ignore[misc]
        assert {int(c[1:]) for c in (*r.winners, *r.tied)} == set(w), name
        rows.append((name, clabel, t_ours, t_pv, "same winners"))
    t_ours, r = best(lambda: star(ours_c))
    t_pv, w = best(lambda: pv_star(gp))
    assert int(r.winners[0][1:]) in set(w)
    rows.append(("star", clabel, t_ours, t_pv, "our winner among theirs"))

    # ---- reading a BLT file of one line per ballot
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "ballots.blt"
        with path.open("w") as fh:
            fh.write(f"{M} 1\n")
            fh.writelines(
                "1 " + " ".join(str(c + 1) for c in row) + " 0\n" for row in ballots.tolist()
            )
            fh.write("0\n" + "".join(f'"c{i}"\n' for i in range(M)) + '"bench"\n')
        size = path.stat().st_size
        t_read, e = best(lambda: read_blt(path), 1)
        assert e.profile.n_voters == n
    rows.append(
        (
            "read_blt",
            f"{n:,} ballot lines ({size / 1e6:.0f} MB)",
            t_read,
            float("nan"),
            "no peer reader",
        )
    )

    lines = [
        "| step | input | dualpower | pref_voting | speed-up | check |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, inp, ours, theirs, check in rows:
        speed = f"{theirs / ours:,.0f}x" if theirs == theirs and ours > 0 else "-"
        peer = f"{theirs * 1000:,.1f} ms" if theirs == theirs else "-"
        lines.append(f"| {name} | {inp} | {ours * 1000:,.2f} ms | {peer} | {speed} | {check} |")
    lines.append("")
    lines.append(
        "Building the profiles (not in the times above): pref_voting `Profile` from the distinct rankings "
        f"{t_pvp:.2f} s; pref_voting `GradeProfile` of {nc:,} ballots {t_gp:.2f} s. "
        f"Load average when the run started: {load:.1f} on {os.cpu_count()} cores "
        "(other work shared the machine; both libraries ran under the same load)."
    )
    report = "\n".join(lines)
    print(report)
    if args.write_docs:
        section = "\n".join(
            [
                HEADING,
                "",
                "Plurality, Borda, approval, score and STAR against pref_voting on the same "
                "profiles (best of three; pref_voting's numba warm-up excluded), and reading "
                "a BLT file of one line per ballot.",
                "",
                f"Command: `uv run python benchmarks/bench_simple_methods.py --ballots {n} --write-docs`",
                "",
                report,
                "",
            ]
        )
        text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n\n"
        pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(lambda _: section + "\n", text)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        DOCS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
