"""Ballot files: BLT (read and write), PrefLib ``.soc .soi .toc .toi``, CSV of rankings
and CSV of scores.

Every reader returns deduplicated ballots (a :class:`Profile`, or for BLT an
:class:`Election` that also carries the number of seats and the title). A malformed file
raises :class:`FileFormatError` naming the file, the line (1-based; 0 when the whole file
is at fault) and the problem.

Ballots that keep no preference (a blank BLT ballot, or a PrefLib ballot whose first
rank is a tie and is therefore truncated away) are not part of the profile: they are
not valid votes, and would otherwise change a quota. Their number is kept in
``Election.blank``.

Files are decoded as UTF-8 (a byte-order mark is ignored); a file that is not valid
UTF-8 is decoded as Latin-1, the usual encoding of older BLT files.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ._errors import FileFormatError
from ._profile import CardinalProfile, Profile

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Election:
    """A ballot file's contents: the profile, the number of seats and the title.

    ``withdrawn`` names candidates the file withdrew (they are not in the profile);
    ``blank`` is the weight of ballots that kept no preference (not in the profile).
    """

    profile: Profile
    seats: int = 1
    title: str = ""
    withdrawn: tuple[str, ...] = ()
    blank: float = 0.0


def _read_text(path: PathLike) -> str:
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise FileFormatError(name, 0, f"cannot read the file: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _Builder:
    """Merges ballots given as tuples of candidate indices into a deduplicated profile."""

    def __init__(self) -> None:
        self.merged: dict[tuple[int, ...], float] = {}
        self.blank = 0.0

    def add(self, key: tuple[int, ...], weight: float) -> None:
        if not key:
            self.blank += weight
            return
        self.merged[key] = self.merged.get(key, 0.0) + weight

    def profile(self, candidates: Sequence[str]) -> Profile:
        width = max((len(k) for k in self.merged), default=0)
        mat = np.full((len(self.merged), width), -1, dtype=np.int32)
        for i, key in enumerate(self.merged):
            mat[i, : len(key)] = key
        counts = np.fromiter(self.merged.values(), dtype=np.float64, count=len(self.merged))
        return Profile(candidates, mat, counts)


def _number(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- BLT


def _blt_string(line: str) -> str:
    """A BLT name or title: bare text, or a double-quoted string with ``""`` escapes."""
    text = line.strip()
    if text.startswith('"'):
        row = next(csv.reader([text], delimiter=" ", quotechar='"', skipinitialspace=True))
        return " ".join(row)
    return text


def read_blt(path: PathLike) -> Election:
    """Read a BLT file (OpenSTV / ERS ballot format).

    Layout: ``candidates seats``; an optional line of withdrawn candidates as negative
    numbers (``-2 -5``); one ballot per line, ``weight c1 c2 ... 0`` (an optional
    ``(id)`` before the weight; ``c1=c2`` marks equal preferences, and the ballot is
    truncated before them, as an overvote is); a line ``0``; the candidates' names, one
    per line (bare or in double quotes); the title.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "e.blt").write_text('3 1\\n4 1 2 0\\n3 3 0\\n0\\n"Ann"\\n"Bo"\\n"Cy"\\n"Mayor"\\n')
    >>> e = read_blt(d / "e.blt")
    >>> e.profile.candidates, e.seats, e.title, e.profile.n_voters
    (('Ann', 'Bo', 'Cy'), 1, 'Mayor', 7)

    Complexity: O(total ballot length) plus O(u log u) hashing of u distinct ballots.
    """
    name = os.fspath(path)
    lines = _read_text(path).splitlines()

    def fail(line_no: int, problem: str) -> FileFormatError:
        return FileFormatError(name, line_no, problem)

    def next_line(i: int) -> tuple[int, str]:
        """The first non-blank line at or after index i: (its index, its text)."""
        while i < len(lines) and not lines[i].strip():
            i += 1
        return i, lines[i].strip() if i < len(lines) else ""

    pos, head = next_line(0)
    if pos >= len(lines):
        raise fail(0, "the file is empty")
    parts = head.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise fail(pos + 1, "the first line must be 'candidates seats' (two whole numbers)")
    n_cand, seats = int(parts[0]), int(parts[1])
    if n_cand < 1:
        raise fail(pos + 1, "there must be at least one candidate")
    if not 1 <= seats <= n_cand:
        raise fail(pos + 1, f"seats must be between 1 and {n_cand}, not {seats}")
    header_line = pos + 1
    pos, text = next_line(pos + 1)
    withdrawn_idx: set[int] = set()
    if text.startswith("-"):
        for tok in text.split():
            if not re.fullmatch(r"-\d+", tok) or not 1 <= -int(tok) <= n_cand:
                raise fail(pos + 1, f"bad withdrawn candidate {tok!r}")
            withdrawn_idx.add(-int(tok) - 1)
        pos += 1

    # The ballots end at a line "0". Identical ballot lines are counted in C (a file of a
    # million ballots usually holds a few thousand distinct ones), then each distinct
    # line is parsed once.
    try:
        end = lines.index("0", pos)
    except ValueError:
        end = len(lines)
    counted = Counter(lines[pos:end])
    odd = [line for line in counted if line.strip() == "0"]
    if odd:  # a terminator with spaces around it
        end = min(lines.index(line, pos) for line in odd)
        counted = Counter(lines[pos:end])
    elif end == len(lines):
        raise fail(len(lines), "the ballots are not ended by a line '0'")
    start = pos

    def line_of(line: str) -> int:
        return lines.index(line, start) + 1  # only on the error path: O(n)

    texts: dict[str, float] = {}
    example: dict[str, str] = {}  # a line holding this ballot, to name it in an error
    for line, times in counted.items():
        text = line.strip()
        if not text:
            continue
        head, *more = text.split(None, 1)
        if head.startswith("("):
            if not head.endswith(")") or not more:
                raise fail(line_of(line), "a ballot id must be '(id)' followed by the weight")
            head, *more = more[0].split(None, 1)
        try:
            weight = float(head)
        except ValueError:
            weight = -1.0
        if not 0 <= weight < math.inf:
            raise fail(line_of(line), f"the ballot weight {head!r} is not a non-negative number")
        rest = more[0] if more else ""
        if rest in texts:
            texts[rest] += weight * times
        else:
            texts[rest] = weight * times
            example[rest] = line

    raw: list[tuple[tuple[int, ...], float]] = []
    for rest, weight in texts.items():
        tokens = rest.split()
        if not tokens or tokens[-1] != "0":
            raise fail(line_of(example[rest]), "a ballot must end with 0")
        prefs: list[int] = []
        for tok in tokens[:-1]:
            if "=" in tok:  # equal preferences: truncate the ballot here (an overvote)
                for sub in tok.split("="):
                    if not sub.isdigit() or not 1 <= int(sub) <= n_cand:
                        raise fail(line_of(example[rest]), f"bad candidate number {sub!r}")
                break
            if tok == "-":  # a skipped rank
                continue
            if not tok.isdigit() or not 1 <= int(tok) <= n_cand:
                raise fail(
                    line_of(example[rest]), f"bad candidate number {tok!r} (there are {n_cand})"
                )
            c = int(tok) - 1
            if c in prefs:
                raise fail(line_of(example[rest]), f"candidate {tok} is ranked twice")
            prefs.append(c)
        raw.append((tuple(prefs), weight))

    numbered = [
        (i, t) for i, line in enumerate(lines[end + 1 :], start=end + 2) if (t := line.strip())
    ]
    pos = 0
    names: list[str] = []
    for _ in range(n_cand):
        if pos >= len(numbered):
            raise fail(len(lines), f"expected {n_cand} candidate names, found {len(names)}")
        line_no, text = numbered[pos]
        pos += 1
        try:
            names.append(_blt_string(text))
        except (csv.Error, StopIteration):
            raise fail(line_no, "a candidate name is not a valid quoted string") from None
        if names[-1] in names[:-1]:
            raise fail(line_no, f"candidate name {names[-1]!r} appears twice")
    title = ""
    if pos < len(numbered):
        line_no, text = numbered[pos]
        pos += 1
        title = _blt_string(text)
    if pos < len(numbered):
        raise fail(numbered[pos][0], "unexpected text after the title")

    # Re-index the candidates who stand (withdrawn ones leave the ballots).
    new_index: dict[int, int] = {}
    for c in range(n_cand):
        if c not in withdrawn_idx:
            new_index[c] = len(new_index)
    builder = _Builder()
    for prefs_t, weight in raw:
        key = tuple(new_index[c] for c in prefs_t if c in new_index)
        if weight:
            builder.add(key, weight)
    standing = [n for c, n in enumerate(names) if c in new_index]
    if seats > len(standing):
        raise fail(header_line, f"{seats} seats but only {len(standing)} candidates stand")
    return Election(
        profile=builder.profile(standing),
        seats=seats,
        title=title,
        withdrawn=tuple(n for c, n in enumerate(names) if c in withdrawn_idx),
        blank=builder.blank,
    )


def _blt_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _weight_text(w: float) -> str:
    return str(int(w)) if float(w).is_integer() else repr(float(w))


def format_blt(profile: Profile, *, seats: int = 1, title: str = "") -> str:
    """Return ``profile`` as BLT text (names and title double-quoted).

    >>> p = Profile.from_rankings([["a", "b"], ["b"], ["a", "b"]], candidates=["a", "b"])
    >>> print(format_blt(p, seats=1, title="Chair"), end="")
    2 1
    2 1 2 0
    1 2 0
    0
    "a"
    "b"
    "Chair"

    Complexity: O(size of the ranking matrix).
    """
    out = io.StringIO()
    out.write(f"{len(profile.candidates)} {seats}\n")
    for row, w in zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True):
        prefs = " ".join(str(c + 1) for c in row if c >= 0)
        out.write(f"{_weight_text(w)} {prefs} 0\n" if prefs else f"{_weight_text(w)} 0\n")
    out.write("0\n")
    for name in profile.candidates:
        out.write(_blt_quote(name) + "\n")
    out.write(_blt_quote(title) + "\n")
    return out.getvalue()


def write_blt(path: PathLike, profile: Profile, *, seats: int = 1, title: str = "") -> None:
    """Write ``profile`` to ``path`` as a BLT file that :func:`read_blt` reads back.

    >>> import tempfile, pathlib
    >>> p = Profile.from_rankings([["x", "y"], ["y", "x"]])
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "out.blt"
    >>> write_blt(f, p, seats=1, title="Test")
    >>> read_blt(f).profile.candidates
    ('x', 'y')

    Complexity: O(size of the ranking matrix).
    """
    with open(os.fspath(path), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(format_blt(profile, seats=seats, title=title))


# ----------------------------------------------------------------------- PrefLib

_PREFLIB_TYPES = ("soc", "soi", "toc", "toi")
_ORDER_TOKEN = re.compile(r"\s*(\{[^{}]*\}|[^,{}]+)\s*(,|$)")


def _parse_order(text: str) -> list[list[str]] | None:
    """Split ``1,{2,3},4`` into groups ``[["1"], ["2", "3"], ["4"]]``; None if malformed."""
    groups: list[list[str]] = []
    pos = 0
    text = text.strip()
    if not text:
        return groups
    if "{" not in text and "}" not in text:  # the common case: a strict order
        parts = [t.strip() for t in text.split(",")]
        return None if "" in parts else [[t] for t in parts]
    while pos < len(text):
        m = _ORDER_TOKEN.match(text, pos)
        if m is None:
            return None
        tok = m.group(1).strip()
        if tok.startswith("{"):
            groups.append([t.strip() for t in tok[1:-1].split(",")])
        else:
            groups.append([tok])
        pos = m.end()
        if m.group(2) == "," and pos >= len(text):
            return None  # a trailing comma
    return groups


def read_preflib_election(
    path: PathLike, *, ties: Literal["truncate", "error"] = "truncate"
) -> Election:
    """Read a PrefLib ``.soc .soi .toc .toi`` file into an :class:`Election` (one seat).

    Like :func:`read_preflib`, and also keeps the file's ``TITLE`` and the weight of
    ballots left blank by truncation.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.toi"
    >>> _ = f.write_text("# TITLE: Mayor\\n# NUMBER ALTERNATIVES: 2\\n"
    ...                  "# ALTERNATIVE NAME 1: Ann\\n# ALTERNATIVE NAME 2: Bo\\n"
    ...                  "3: 1,2\\n2: {1,2}\\n")
    >>> e = read_preflib_election(f)
    >>> e.title, e.profile.n_voters, e.blank
    ('Mayor', 3, 2.0)

    Complexity: O(file size) plus O(u log u) hashing of u distinct orders.
    """
    name = os.fspath(path)
    if ties not in ("truncate", "error"):
        raise ValueError("ties must be 'truncate' or 'error'")
    text = _read_text(path)
    meta: dict[str, str] = {}
    alt_names: dict[int, str] = {}
    data: list[tuple[int, str]] = []
    for i, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            field, sep, value = line[1:].partition(":")
            field = field.strip().upper()
            if not sep:
                continue
            m = re.fullmatch(r"ALTERNATIVE NAME (\d+)", field)
            if m:
                alt_names[int(m.group(1))] = value.strip()
            else:
                meta[field] = value.strip()
            continue
        data.append((i, line))

    dtype = meta.get("DATA TYPE", "").lower()
    ext = os.path.splitext(name)[1].lstrip(".").lower()
    if not dtype:
        dtype = ext
    if dtype not in _PREFLIB_TYPES:
        raise FileFormatError(
            name, 0, f"unsupported PrefLib data type {dtype!r} (expected soc, soi, toc or toi)"
        )
    if "NUMBER ALTERNATIVES" in meta:
        if not meta["NUMBER ALTERNATIVES"].isdigit():
            raise FileFormatError(name, 0, "NUMBER ALTERNATIVES is not a whole number")
        n_alt = int(meta["NUMBER ALTERNATIVES"])
    else:
        n_alt = max(alt_names, default=0)
    if n_alt < 1:
        raise FileFormatError(name, 0, "the header names no alternatives")
    missing = [k for k in range(1, n_alt + 1) if k not in alt_names]
    if missing:
        raise FileFormatError(name, 0, f"no ALTERNATIVE NAME for alternative {missing[0]}")
    if len(alt_names) != n_alt:
        extra = max(alt_names)
        raise FileFormatError(name, 0, f"ALTERNATIVE NAME {extra} is beyond NUMBER ALTERNATIVES")
    candidates = [alt_names[k] for k in range(1, n_alt + 1)]
    if len(set(candidates)) != n_alt:
        raise FileFormatError(name, 0, "two alternatives have the same name")

    strict = dtype in ("soc", "soi")
    complete = dtype in ("soc", "toc")
    builder = _Builder()
    total = 0.0
    for line_no, line in data:
        count_text, sep, order_text = line.partition(":")
        count = _number(count_text.strip())
        if not sep or count is None or count < 0:
            raise FileFormatError(name, line_no, "expected 'count: order' with a count >= 0")
        if "{" not in order_text:  # fast path for a well-formed strict order
            try:
                fast = [int(t) for t in order_text.split(",")]
            except ValueError:
                fast = []
            if fast and min(fast) >= 1 and max(fast) <= n_alt and len(set(fast)) == len(fast):
                if complete and len(fast) != n_alt:
                    raise FileFormatError(name, line_no, f"an incomplete order in a .{dtype} file")
                total += count
                if count:
                    builder.add(tuple(c - 1 for c in fast), count)
                continue
        groups = _parse_order(order_text)
        if groups is None:
            raise FileFormatError(name, line_no, "malformed order")
        seen: set[int] = set()
        key: list[int] = []
        truncated = False
        for group in groups:
            idx: list[int] = []
            for tok in group:
                if not tok.isdigit() or not 1 <= int(tok) <= n_alt:
                    raise FileFormatError(
                        name, line_no, f"bad alternative {tok!r} (there are {n_alt})"
                    )
                c = int(tok) - 1
                if c in seen:
                    raise FileFormatError(name, line_no, f"alternative {tok} appears twice")
                seen.add(c)
                idx.append(c)
            if len(idx) > 1:
                if strict:
                    raise FileFormatError(name, line_no, f"a tie in a strict-order .{dtype} file")
                if ties == "error":
                    raise FileFormatError(name, line_no, "a tie (overvote) in the order")
                truncated = True
            if not truncated:
                key.extend(idx)
        if complete and len(seen) != n_alt:
            raise FileFormatError(name, line_no, f"an incomplete order in a .{dtype} file")
        total += count
        if count:
            builder.add(tuple(key), count)

    for field, expected in (("NUMBER VOTERS", total), ("NUMBER UNIQUE ORDERS", len(data))):
        if field in meta:
            declared = _number(meta[field])
            if declared is None or declared != expected:
                raise FileFormatError(
                    name, 0, f"{field} says {meta[field]} but the file has {_weight_text(expected)}"
                )
    return Election(
        profile=builder.profile(candidates),
        seats=1,
        title=meta.get("TITLE", ""),
        blank=builder.blank,
    )


def read_preflib(path: PathLike, *, ties: Literal["truncate", "error"] = "truncate") -> Profile:
    """Read a PrefLib ``.soc .soi .toc .toi`` file (the 2022 format with ``#`` headers).

    In ``.toc``/``.toi`` files a tie is, in the US elections PrefLib holds, an overvote:
    by default (``ties="truncate"``) the ballot is truncated at its first tie, and a ballot
    left empty is dropped. ``ties="error"`` refuses any tie. A tie in a ``.soc``/``.soi``
    file, an incomplete order in a ``.soc``/``.toc`` file, or a header total that does not
    match the data is an error.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.soi"
    >>> _ = f.write_text("# NUMBER ALTERNATIVES: 3\\n# ALTERNATIVE NAME 1: Ann\\n"
    ...                  "# ALTERNATIVE NAME 2: Bo\\n# ALTERNATIVE NAME 3: Cy\\n"
    ...                  "5: 1,3\\n2: 2\\n")
    >>> p = read_preflib(f)
    >>> p.candidates, p.rankings.tolist(), p.counts.tolist()
    (('Ann', 'Bo', 'Cy'), [[0, 2], [1, -1]], [5.0, 2.0])

    Complexity: O(file size) plus O(u log u) hashing of u distinct orders.
    """
    return read_preflib_election(path, ties=ties).profile


# --------------------------------------------------------------------------- CSV

_COUNT_HEADERS = {"count", "counts", "weight", "weights", "votes", "ballots", "n"}
_RANK_HEADER = re.compile(
    r"(?:rank|choice|preference|pref)\s*[_#-]?\s*\d+"
    r"|\d+\s*(?:st|nd|rd|th)(?:\s*(?:choice|preference|pref|rank))?",
    re.IGNORECASE,
)


def _csv_rows(path: PathLike) -> list[tuple[int, list[str]]]:
    name = os.fspath(path)
    text = _read_text(path)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as e:
        raise FileFormatError(name, reader.line_num, f"malformed CSV: {e}") from None
    return rows


def read_csv_rankings(path: PathLike, *, candidates: Sequence[str] | None = None) -> Profile:
    """Read a CSV of rankings: one ballot per row, candidate names in preference order.

    Empty cells are skipped (so rows may be of any length). An optional header row is
    recognised when its first cell is ``count``/``weight``/``votes`` (then the first
    column of every row is the ballot's weight) or when its cells read like ``rank 1``,
    ``choice 2``, ``3rd``. Rows whose first cell starts with ``#`` are comments. The
    candidates are ``candidates`` if given (a name outside it is an error), else every name
    in order of first appearance.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = f.write_text("count,rank1,rank2\\n3,alice,bob\\n2,bob,\\n")
    >>> p = read_csv_rankings(f)
    >>> p.candidates, p.rankings.tolist(), p.counts.tolist()
    (('alice', 'bob'), [[0, 1], [1, -1]], [3.0, 2.0])

    Complexity: O(file size) plus O(u log u) hashing of u distinct ballots.
    """
    name = os.fspath(path)
    rows = _csv_rows(path)
    weighted = False
    if rows:
        first = [c for c in rows[0][1] if c]
        if first and first[0].lower() in _COUNT_HEADERS:
            weighted = True
            rows = rows[1:]
        elif first and all(_RANK_HEADER.fullmatch(c) for c in first):
            rows = rows[1:]
    index: dict[str, int] = {}
    fixed = candidates is not None
    if candidates is not None:
        index = {c: i for i, c in enumerate(candidates)}
        if len(index) != len(candidates):
            raise FileFormatError(name, 0, "candidate names must be unique")
    builder = _Builder()
    for line_no, cells in rows:
        weight = 1.0
        if weighted:
            w = _number(cells[0])
            if w is None or w < 0:
                raise FileFormatError(name, line_no, f"the count {cells[0]!r} is not a number >= 0")
            weight = w
            cells = cells[1:]
        key: list[int] = []
        for cell in cells:
            if not cell:
                continue
            if cell not in index:
                if fixed:
                    raise FileFormatError(name, line_no, f"unknown candidate {cell!r}")
                index[cell] = len(index)
            c = index[cell]
            if c in key:
                raise FileFormatError(name, line_no, f"candidate {cell!r} is ranked twice")
            key.append(c)
        if weight:
            builder.add(tuple(key), weight)
    if not index:
        raise FileFormatError(name, 0, "the file holds no candidates")
    return builder.profile(list(index))


def read_csv_scores(path: PathLike) -> CardinalProfile:
    """Read a CSV of scores: a header row of candidate names, then one ballot per row.

    Each cell is the ballot's score (approval 0/1, a range score, or quadratic votes) for
    the candidate of its column; an empty cell is 0. If the first header cell is
    ``count``/``weight``/``votes``, the first column is the ballot's weight. Identical
    ballots are merged.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = f.write_text("alice,bob,carol\\n5,3,\\n5,3,0\\n0,1,4\\n")
    >>> p = read_csv_scores(f)
    >>> p.candidates, p.values.tolist(), p.counts.tolist()
    (('alice', 'bob', 'carol'), [[5.0, 3.0, 0.0], [0.0, 1.0, 4.0]], [2.0, 1.0])

    Complexity: O(file size) plus O(u log u) hashing of u distinct ballots.
    """
    name = os.fspath(path)
    rows = _csv_rows(path)
    if not rows:
        raise FileFormatError(name, 0, "the file is empty")
    header_line, header = rows[0]
    weighted = bool(header) and header[0].lower() in _COUNT_HEADERS
    names = header[1:] if weighted else header
    while names and not names[-1]:
        names = names[:-1]
    if not names or not all(names):
        raise FileFormatError(name, header_line, "the header must name every candidate")
    if len(set(names)) != len(names):
        raise FileFormatError(name, header_line, "a candidate is named twice in the header")
    width = len(names)
    merged: dict[tuple[float, ...], float] = {}
    for line_no, cells in rows[1:]:
        weight = 1.0
        if weighted:
            w = _number(cells[0])
            if w is None or w < 0:
                raise FileFormatError(name, line_no, f"the count {cells[0]!r} is not a number >= 0")
            weight = w
            cells = cells[1:]
        while len(cells) > width and not cells[-1]:
            cells = cells[:-1]
        if len(cells) > width:
            raise FileFormatError(name, line_no, f"{len(cells)} scores for {width} candidates")
        values: list[float] = []
        for cell in cells:
            v = 0.0 if not cell else _number(cell)
            if v is None:
                raise FileFormatError(name, line_no, f"the score {cell!r} is not a number")
            values.append(v)
        values.extend([0.0] * (width - len(values)))
        if weight:
            key = tuple(values)
            merged[key] = merged.get(key, 0.0) + weight
    mat = np.array(list(merged), dtype=np.float64).reshape(len(merged), width)
    counts = np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
    return CardinalProfile(names, mat, counts)


def looks_like_scores(path: PathLike) -> bool:
    """Whether a CSV file holds scores (a header of names over rows of numbers) rather
    than rankings: some header cell is not a number and every cell below it is one."""
    rows = _csv_rows(path)
    if len(rows) < 2:
        return False
    header = rows[0][1]
    skip = 1 if header[0].lower() in _COUNT_HEADERS else 0
    if all(_number(c) is not None for c in header[skip:] if c):
        return False
    return all(c == "" or _number(c) is not None for _, row in rows[1:] for c in row[skip:])
