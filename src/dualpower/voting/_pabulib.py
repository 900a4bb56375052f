"""Reading Pabulib ``.pb`` files into a :class:`BudgetInstance`.

A Pabulib file has three sections, each a line with its name (``META``, ``PROJECTS``,
``VOTES``) followed by a ``;``-separated table whose first row names the columns; fields
may be quoted with ``"``. META holds ``key;value`` rows (``budget`` and ``vote_type`` are
needed), PROJECTS one row per project (``project_id`` and ``cost`` needed; ``selected``,
when present, is the official outcome), VOTES one row per voter (``vote`` lists project
ids separated by commas; cumulative and scoring ballots add a ``points`` column in the
same order; an ordinal ballot lists the projects most preferred first).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator

import numpy as np

from ._budget import BudgetInstance
from ._errors import FileFormatError

SECTIONS = ("META", "PROJECTS", "VOTES")


def _number(text: str, path: str, line: int, what: str) -> float:
    raw = text.strip()
    try:
        value = float(raw)
    except ValueError:
        try:  # a decimal comma ("1000,50"), as some Pabulib files write money
            value = float(raw.replace(",", ".")) if raw.count(",") == 1 else math.nan
        except ValueError:
            value = math.nan
    if not math.isfinite(value):
        raise FileFormatError(path, line, f"{what} is not a number: {text!r}")
    return value


def _rows(path: str) -> Iterator[tuple[int, list[str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=";", quotechar='"')
            try:
                for row in reader:
                    yield reader.line_num, row
            except csv.Error as e:
                raise FileFormatError(path, reader.line_num, f"bad CSV: {e}") from None
    except OSError as e:
        raise FileFormatError(path, 0, f"cannot read the file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise FileFormatError(path, 0, "the file is not UTF-8 text") from None


def read_pabulib(path: str | os.PathLike[str]) -> BudgetInstance:
    """Read a Pabulib ``.pb`` file.

    Approval, cumulative and scoring ballots become a values matrix (1/0 or points);
    ordinal ballots are read as the approval of the projects they rank, their order kept
    in ``ranks``. The ``selected`` column, if any, becomes ``instance.selected``.
    A malformed file raises :class:`FileFormatError` naming the file, line and problem.

    >>> import tempfile, pathlib
    >>> text = "META\\nkey;value\\nbudget;100\\nvote_type;approval\\n"
    >>> text += "PROJECTS\\nproject_id;cost;selected\\np1;60;1\\np2;50;0\\n"
    >>> text += "VOTES\\nvoter_id;vote\\n1;p1,p2\\n2;p1\\n3;p1,p2\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d) / "x.pb"
    ...     _ = f.write_text(text)
    ...     inst = read_pabulib(f)
    >>> inst.projects, inst.budget, inst.n_voters, inst.selected
    (('p1', 'p2'), 100.0, 3, ('p1',))

    Complexity: O(n k) for n voters approving k projects each, plus the deduplication.
    """
    name = os.fspath(path)
    section: str | None = None
    header: list[str] | None = None
    meta: dict[str, str] = {}
    projects: list[str] = []
    costs: list[float] = []
    selected: list[str] = []
    has_selected = False
    index: dict[str, int] = {}
    ballots: dict[tuple[tuple[int, float], ...], float] = {}
    seen: set[str] = set()
    vote_col = points_col = -1
    vote_type = "approval"
    last = 0
    for line, row in _rows(name):
        last = line
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip()
        if len(row) == 1 and first in SECTIONS:
            if first in seen:
                raise FileFormatError(name, line, f"section {first} appears twice")
            expected = SECTIONS[len(seen)]
            if first != expected:
                raise FileFormatError(
                    name, line, f"section {first} found where {expected} was expected"
                )
            seen.add(first)
            section, header = first, None
            if section == "PROJECTS":
                vote_type = meta.get("vote_type", "approval").strip().lower()
                if vote_type not in ("approval", "cumulative", "scoring", "ordinal"):
                    raise FileFormatError(name, line, f"unsupported vote_type {vote_type!r}")
            continue
        if section is None:
            raise FileFormatError(name, line, "the file must start with a META section")
        if header is None:
            header = [h.strip().lower() for h in row]
            if section == "PROJECTS":
                for needed in ("project_id", "cost"):
                    if needed not in header:
                        raise FileFormatError(name, line, f"PROJECTS has no {needed} column")
                has_selected = "selected" in header
            elif section == "VOTES":
                if "vote" not in header:
                    raise FileFormatError(name, line, "VOTES has no vote column")
                vote_col = header.index("vote")
                points_col = header.index("points") if "points" in header else -1
                if vote_type in ("cumulative", "scoring") and points_col < 0:
                    raise FileFormatError(name, line, f"{vote_type} ballots need a points column")
            continue
        if len(row) != len(header):
            raise FileFormatError(
                name, line, f"{len(row)} fields where the header has {len(header)}"
            )
        if section == "META":
            meta[row[0].strip()] = row[1].strip() if len(row) > 1 else ""
        elif section == "PROJECTS":
            rec = dict(zip(header, row, strict=True))
            pid = rec["project_id"].strip()
            if not pid:
                raise FileFormatError(name, line, "a project has an empty project_id")
            if pid in index:
                raise FileFormatError(name, line, f"project {pid!r} is listed twice")
            cost = _number(rec["cost"], name, line, f"the cost of project {pid!r}")
            if cost < 0:
                raise FileFormatError(name, line, f"project {pid!r} has a negative cost")
            index[pid] = len(projects)
            projects.append(pid)
            costs.append(cost)
            if has_selected:
                flag = rec["selected"].strip()
                if flag not in ("0", "1", ""):
                    raise FileFormatError(name, line, f"selected must be 0 or 1, not {flag!r}")
                if flag == "1":
                    selected.append(pid)
        else:
            ballots_key = _ballot(row, vote_col, points_col, vote_type, index, name, line)
            ballots[ballots_key] = ballots.get(ballots_key, 0.0) + 1.0
    for needed_section in SECTIONS:
        if needed_section not in seen:
            raise FileFormatError(name, last, f"the file has no {needed_section} section")
    if "budget" not in meta:
        raise FileFormatError(name, 1, "META has no budget")
    budget = _number(meta["budget"], name, 1, "the budget")
    if budget < 0:
        raise FileFormatError(name, 1, "the budget is negative")
    p = len(projects)
    values = np.zeros((len(ballots), p), dtype=np.float64)
    ranks = np.zeros((len(ballots), p), dtype=np.int32) if vote_type == "ordinal" else None
    for i, key in enumerate(ballots):
        for pos, (j, v) in enumerate(key):
            values[i, j] = v
            if ranks is not None:
                ranks[i, j] = pos + 1
    return BudgetInstance(
        projects=tuple(projects),
        costs=np.asarray(costs, dtype=np.float64),
        budget=budget,
        values=values,
        counts=np.fromiter(ballots.values(), dtype=np.float64, count=len(ballots)),
        vote_type=vote_type,
        meta=meta,
        selected=tuple(selected) if has_selected else None,
        ranks=ranks,
    )


def _ballot(
    row: list[str],
    vote_col: int,
    points_col: int,
    vote_type: str,
    index: dict[str, int],
    name: str,
    line: int,
) -> tuple[tuple[int, float], ...]:
    """One voter's ballot as ``((project index, value), ...)``: sorted, except ordinal."""
    raw = row[vote_col].strip()
    ids = [t.strip() for t in raw.split(",")] if raw else []
    js: list[int] = []
    for pid in ids:
        j = index.get(pid)
        if j is None:
            raise FileFormatError(name, line, f"the vote names an unknown project {pid!r}")
        js.append(j)
    if len(set(js)) != len(js):
        raise FileFormatError(name, line, "the vote names a project twice")
    if points_col >= 0 and vote_type in ("cumulative", "scoring"):
        praw = row[points_col].strip()
        pts = [_number(t, name, line, "a point value") for t in praw.split(",")] if praw else []
        if len(pts) != len(js):
            raise FileFormatError(
                name, line, f"{len(js)} projects in vote but {len(pts)} values in points"
            )
        if any(v < 0 for v in pts):
            raise FileFormatError(name, line, "points must not be negative")
        pairs = [(j, v) for j, v in zip(js, pts, strict=True) if v > 0]
    else:
        pairs = [(j, 1.0) for j in js]
    if vote_type == "ordinal":
        return tuple(pairs)
    return tuple(sorted(pairs))
