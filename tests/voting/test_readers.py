"""Ballot files: BLT read and write, PrefLib, CSV of rankings and of scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import (
    CardinalProfile,
    FileFormatError,
    Profile,
    read_blt,
    read_csv_rankings,
    read_csv_scores,
    read_preflib,
    write_blt,
)
from dualpower.voting._readers import format_blt, looks_like_scores, read_preflib_election

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="real election data ../shared/data/ is absent"
)


def as_dict(profile: Profile) -> dict[tuple[str, ...], float]:
    """A profile as {ranking of names: count}, whatever the row order."""
    out: dict[tuple[str, ...], float] = {}
    for row, count in zip(profile.rankings.tolist(), profile.counts.tolist(), strict=True):
        key = tuple(profile.candidates[c] for c in row if c >= 0)
        out[key] = out.get(key, 0.0) + count
    return out


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- BLT


def test_it_reads_a_blt_file_with_its_seats_and_title(tmp_path: Path) -> None:
    f = write(
        tmp_path, "e.blt", '3 2\n4 1 2 0\n3 3 0\n2 3 1 2 0\n0\n"Ann"\nBo Smith\n"Cy"\n"Council"\n'
    )
    e = read_blt(f)
    assert e.seats == 2
    assert e.title == "Council"
    assert e.profile.candidates == ("Ann", "Bo Smith", "Cy")
    assert as_dict(e.profile) == {("Ann", "Bo Smith"): 4, ("Cy",): 3, ("Cy", "Ann", "Bo Smith"): 2}


def test_it_merges_identical_blt_ballots(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '2 1\n1 1 2 0\n1 1 2 0\n(7) 1 1 2 0\n0\n"a"\n"b"\n"t"\n')
    p = read_blt(f).profile
    assert p.rankings.shape[0] == 1
    assert p.counts.tolist() == [3.0]


def test_it_drops_withdrawn_candidates_from_blt_ballots(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '3 1\n-2\n4 2 1 0\n3 3 2 0\n0\n"a"\n"b"\n"c"\n"t"\n')
    e = read_blt(f)
    assert e.withdrawn == ("b",)
    assert e.profile.candidates == ("a", "c")
    assert as_dict(e.profile) == {("a",): 4, ("c",): 3}


def test_it_keeps_blank_blt_ballots_out_of_the_profile(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '2 1\n5 0\n3 1 0\n0\n"a"\n"b"\n""\n')
    e = read_blt(f)
    assert e.blank == 5
    assert e.profile.n_voters == 3
    assert e.title == ""


def test_it_truncates_a_blt_ballot_at_equal_preferences(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '3 1\n2 1 2=3 0\n0\n"a"\n"b"\n"c"\n"t"\n')
    assert as_dict(read_blt(f).profile) == {("a",): 2}


def test_it_reads_doubled_quotes_in_blt_names(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '1 1\n1 1 0\n0\n"Bill ""Labour"" Butler"\n"Ward ""13"""\n')
    e = read_blt(f)
    assert e.profile.candidates == ('Bill "Labour" Butler',)
    assert e.title == 'Ward "13"'


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", 0, "empty"),
        ("3\n", 1, "candidates seats"),
        ("2 3\n0\n", 1, "seats must be between"),
        ('2 1\n1 1 2\n0\n"a"\n"b"\n', 2, "must end with 0"),
        ('2 1\n1 1 3 0\n0\n"a"\n"b"\n', 2, "bad candidate number '3'"),
        ('2 1\n1 1 1 0\n0\n"a"\n"b"\n', 2, "ranked twice"),
        ('2 1\nx 1 0\n0\n"a"\n"b"\n', 2, "weight"),
        ('2 1\n-1 1 0\n0\n"a"\n"b"\n', 2, "withdrawn"),
        ("2 1\n1 1 0\n", 2, "not ended by a line '0'"),
        ('2 1\n1 1 0\n0\n"a"\n', 4, "expected 2 candidate names"),
        ('2 1\n1 1 0\n0\n"a"\n"a"\n', 5, "appears twice"),
        ('2 1\n1 1 0\n0\n"a"\n"b"\n"t"\nmore\n', 7, "after the title"),
    ],
)
def test_it_refuses_a_malformed_blt_naming_file_line_and_problem(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    f = write(tmp_path, "bad.blt", text)
    with pytest.raises(FileFormatError) as info:
        read_blt(f)
    assert info.value.path == str(f)
    assert info.value.line == line
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{f}:{line}: ")


def test_it_refuses_a_missing_file_as_a_file_format_error(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="cannot read"):
        read_blt(tmp_path / "absent.blt")


def test_it_writes_the_blt_text_it_documents() -> None:
    p = Profile.from_rankings([["a", "b"], ["b"]], candidates=["a", "b", "c"])
    text = format_blt(p, seats=2, title='Say "hi"')
    assert text.splitlines() == [
        "3 2",
        "1 1 2 0",
        "1 2 0",
        "0",
        '"a"',
        '"b"',
        '"c"',
        '"Say ""hi"""',
    ]


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=8,
)


@st.composite
def profiles(draw: st.DrawFn) -> tuple[Profile, int, str]:
    cands = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    m = len(cands)
    ballots = draw(
        st.lists(
            st.permutations(range(m)).flatmap(
                lambda perm: st.integers(1, len(perm)).map(lambda k: perm[:k])
            ),
            min_size=1,
            max_size=20,
        )
    )
    counts = draw(st.lists(st.integers(1, 1000), min_size=len(ballots), max_size=len(ballots)))
    profile = Profile.from_rankings(
        [[cands[i] for i in b] for b in ballots], candidates=cands, counts=counts
    )
    seats = draw(st.integers(1, m))
    title = draw(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20
        ).map(str.strip)
    )
    return profile, seats, title


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_a_written_blt_reads_back_as_the_same_profile(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[Profile, int, str]
) -> None:
    profile, seats, title = case
    f = tmp_path_factory.mktemp("blt") / "roundtrip.blt"
    write_blt(f, profile, seats=seats, title=title)
    back = read_blt(f)
    assert back.profile.candidates == profile.candidates
    assert as_dict(back.profile) == as_dict(profile)
    assert back.seats == seats
    assert back.title == title


@needs_data
@pytest.mark.parametrize(
    ("name", "seats", "voters", "n_cands", "title"),
    [
        ("glasgow_2017_ward13.blt", 4, 8688, 10, "Ward 13 Garscadden/Scotstounhill"),
        ("glasgow_2022_ward13.blt", 4, 8629, 8, "Ward 13 Garscadden-Scotstounhill"),
    ],
)
def test_it_reads_the_glasgow_ward_files(
    tmp_path: Path, name: str, seats: int, voters: int, n_cands: int, title: str
) -> None:
    e = read_blt(DATA / "preflib" / "scotland-blt" / name)
    assert (e.seats, e.profile.n_voters, len(e.profile.candidates)) == (seats, voters, n_cands)
    assert e.title == title
    assert any("BUTLER" in c for c in e.profile.candidates)
    # and a written copy reads back identically
    copy = tmp_path / "copy.blt"
    write_blt(copy, e.profile, seats=e.seats, title=e.title)
    assert as_dict(read_blt(copy).profile) == as_dict(e.profile)
    assert read_blt(copy).profile.candidates == e.profile.candidates


def test_the_glasgow_2022_names_keep_their_doubled_quotes() -> None:
    if not DATA.is_dir():
        pytest.skip("real election data ../shared/data/ is absent")
    e = read_blt(DATA / "preflib" / "scotland-blt" / "glasgow_2022_ward13.blt")
    assert e.profile.candidates[0] == 'Bill BUTLER "Glasgow Labour"'


# ------------------------------------------------------------------------- PrefLib

HEADER = (
    "# DATA TYPE: {t}\n# NUMBER ALTERNATIVES: 4\n# ALTERNATIVE NAME 1: Ann\n"
    "# ALTERNATIVE NAME 2: Bo\n# ALTERNATIVE NAME 3: Cy\n# ALTERNATIVE NAME 4: Di\n"
)


def test_it_reads_a_preflib_soi(tmp_path: Path) -> None:
    f = write(tmp_path, "x.soi", HEADER.format(t="soi") + "5: 1,3\n2: 2\n1: 4,3,2,1\n")
    p = read_preflib(f)
    assert p.candidates == ("Ann", "Bo", "Cy", "Di")
    assert as_dict(p) == {("Ann", "Cy"): 5, ("Bo",): 2, ("Di", "Cy", "Bo", "Ann"): 1}


def test_it_truncates_a_toi_ballot_at_its_first_tie(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "x.toi",
        HEADER.format(t="toi") + "3: 1,{2,3},4\n2: {1,2},3\n4: 4,1,{2,3}\n",
    )
    e = read_preflib_election(f)
    assert as_dict(e.profile) == {("Ann",): 3, ("Di", "Ann"): 4}
    assert e.blank == 2  # the ballot tied at its first rank keeps no preference


def test_it_can_refuse_ties_instead(tmp_path: Path) -> None:
    f = write(tmp_path, "x.toi", HEADER.format(t="toi") + "3: 1,2\n2: {1,2},3\n")
    with pytest.raises(FileFormatError) as info:
        read_preflib(f, ties="error")
    assert info.value.line == 8


def test_the_header_data_type_wins_over_the_extension(tmp_path: Path) -> None:
    f = write(tmp_path, "x.txt", HEADER.format(t="toc") + "1: 1,2,{3,4}\n")
    assert as_dict(read_preflib(f)) == {("Ann", "Bo"): 1}


@pytest.mark.parametrize(
    ("name", "body", "line", "problem"),
    [
        ("x.soi", "2: 1,{2,3}\n", 7, "a tie in a strict-order .soi file"),
        ("x.soc", "2: 1,2,3\n", 7, "incomplete order in a .soc"),
        ("x.toc", "2: 1,2,{3}\n", 7, "incomplete order in a .toc"),
        ("x.soi", "2: 1,5\n", 7, "bad alternative '5'"),
        ("x.soi", "2: 1,1\n", 7, "appears twice"),
        ("x.soi", "two: 1\n", 7, "count: order"),
        ("x.soi", "2 1,2\n", 7, "count: order"),
        ("x.soi", "2: 1,,2\n", 7, "malformed order"),
        ("x.soi", "2: 1,{2\n", 7, "malformed order"),
        ("x.soi", "# NUMBER VOTERS: 3\n2: 1\n", 0, "NUMBER VOTERS says 3 but the file has 2"),
        ("x.soi", "# NUMBER UNIQUE ORDERS: 2\n2: 1\n", 0, "NUMBER UNIQUE ORDERS"),
    ],
)
def test_it_refuses_a_malformed_preflib_file(
    tmp_path: Path, name: str, body: str, line: int, problem: str
) -> None:
    dtype = name.rsplit(".", 1)[1]
    f = write(tmp_path, name, HEADER.format(t=dtype) + body)
    with pytest.raises(FileFormatError) as info:
        read_preflib(f)
    assert (info.value.path, info.value.line) == (str(f), line)
    assert problem in info.value.problem


def test_it_refuses_a_preflib_header_that_misses_a_name(tmp_path: Path) -> None:
    f = write(tmp_path, "x.soi", "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: a\n1: 1\n")
    with pytest.raises(FileFormatError, match="no ALTERNATIVE NAME for alternative 2"):
        read_preflib(f)


def test_it_refuses_an_unknown_preflib_type(tmp_path: Path) -> None:
    f = write(tmp_path, "x.wmd", "# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 1: a\n1: 1\n")
    with pytest.raises(FileFormatError, match="unsupported PrefLib data type"):
        read_preflib(f)


@needs_data
def test_every_real_preflib_file_reads_and_matches_its_header_totals() -> None:
    files = sorted((DATA / "preflib").glob("*/*.so?")) + sorted((DATA / "preflib").glob("*/*.to?"))
    assert len(files) >= 190
    for f in files:
        e = read_preflib_election(f)  # checks NUMBER VOTERS and NUMBER UNIQUE ORDERS itself
        header = f.read_text(encoding="utf-8")
        voters = int(header.split("# NUMBER VOTERS:")[1].split()[0])
        assert e.profile.n_voters + e.blank == voters, f
        assert (e.profile.rankings >= -1).all()
        assert e.profile.rankings.max() < len(e.profile.candidates)


@needs_data
def test_it_reads_ballina_2015() -> None:
    p = read_preflib(DATA / "preflib" / "nswla" / "00058-00000003.soi")
    assert len(p.candidates) == 7 and "SMITH Tamara" in p.candidates
    assert p.n_voters == 47458
    assert p.rankings.shape[0] == 2363


@needs_data
def test_the_burlington_overvotes_are_truncated() -> None:
    e = read_preflib_election(DATA / "preflib" / "burlington" / "00005-00000002.toi")
    assert e.profile.n_voters + e.blank == 8980
    assert e.blank > 0


# ----------------------------------------------------------------------------- CSV


def test_it_reads_a_csv_of_rankings_with_a_count_column(tmp_path: Path) -> None:
    f = write(
        tmp_path, "r.csv", "count,rank1,rank2,rank3\n3,alice,bob,\n2,bob,,carol\n1,alice,bob\n"
    )
    p = read_csv_rankings(f)
    assert p.candidates == ("alice", "bob", "carol")
    assert as_dict(p) == {("alice", "bob"): 4, ("bob", "carol"): 2}


def test_it_reads_a_headerless_csv_of_rankings(tmp_path: Path) -> None:
    f = write(tmp_path, "r.csv", "# a comment\nalice,bob\n bob , alice\n")
    assert as_dict(read_csv_rankings(f)) == {("alice", "bob"): 1, ("bob", "alice"): 1}


def test_a_csv_rank_header_is_skipped(tmp_path: Path) -> None:
    f = write(tmp_path, "r.csv", "1st choice,2nd choice\nalice,bob\n")
    assert as_dict(read_csv_rankings(f)) == {("alice", "bob"): 1}


def test_a_given_candidate_list_keeps_unranked_candidates_and_refuses_strangers(
    tmp_path: Path,
) -> None:
    f = write(tmp_path, "r.csv", "alice\n")
    assert read_csv_rankings(f, candidates=["alice", "bob"]).candidates == ("alice", "bob")
    g = write(tmp_path, "s.csv", "alice\nzed\n")
    with pytest.raises(FileFormatError) as info:
        read_csv_rankings(g, candidates=["alice", "bob"])
    assert info.value.line == 2 and "zed" in info.value.problem


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("alice,alice\n", 1, "ranked twice"),
        ("count,r1\nx,alice\n", 2, "count 'x'"),
        ("count,r1\n-1,alice\n", 2, "count '-1'"),
        ("", 0, "no candidates"),
    ],
)
def test_it_refuses_a_malformed_csv_of_rankings(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    f = write(tmp_path, "r.csv", text)
    with pytest.raises(FileFormatError) as info:
        read_csv_rankings(f)
    assert info.value.line == line and problem in info.value.problem


def test_it_reads_a_csv_of_scores(tmp_path: Path) -> None:
    f = write(tmp_path, "s.csv", "count,alice,bob,carol\n2,5,3,\n1,5,3,0\n4,0,1,4\n")
    p = read_csv_scores(f)
    assert isinstance(p, CardinalProfile)
    assert p.candidates == ("alice", "bob", "carol")
    got = {tuple(v): c for v, c in zip(p.values.tolist(), p.counts.tolist(), strict=True)}
    assert got == {(5.0, 3.0, 0.0): 3.0, (0.0, 1.0, 4.0): 4.0}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a,b\n1,x\n", 2, "score 'x'"),
        ("a,b\n1,2,3\n", 2, "3 scores for 2 candidates"),
        ("a,,b\n1,2\n", 1, "name every candidate"),
        ("a,a\n1,2\n", 1, "named twice"),
        ("", 0, "empty"),
    ],
)
def test_it_refuses_a_malformed_csv_of_scores(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    f = write(tmp_path, "s.csv", text)
    with pytest.raises(FileFormatError) as info:
        read_csv_scores(f)
    assert info.value.line == line and problem in info.value.problem


def test_a_latin1_file_is_still_read(tmp_path: Path) -> None:
    f = tmp_path / "l.blt"
    f.write_bytes('1 1\n1 1 0\n0\n"Se\xe1n Ryan"\n"D\xe1il"\n'.encode("latin-1"))
    assert read_blt(f).profile.candidates == ("Seán Ryan",)


def test_profiles_read_from_files_hold_int32_rankings(tmp_path: Path) -> None:
    f = write(tmp_path, "r.csv", "a,b\nb\n")
    p = read_csv_rankings(f)
    assert p.rankings.dtype == np.int32 and p.counts.dtype == np.float64


def test_numeric_candidate_names_are_not_mistaken_for_a_header(tmp_path: Path) -> None:
    f = write(tmp_path, "r.csv", "1,2,3\n3,1\n")
    assert as_dict(read_csv_rankings(f)) == {("1", "2", "3"): 1, ("3", "1"): 1}


@pytest.mark.parametrize(
    ("text", "scores"),
    [
        ("alice,bob\n5,3\n,1\n", True),
        ("count,alice,bob\n2,5,3\n", True),
        ("alice,bob\nbob,alice\n", False),
        ("1,2\n2,1\n", False),  # numeric candidate names, no header: rankings
        ("rank1,rank2\nalice,bob\n", False),
        ("alice,bob\n", False),
    ],
)
def test_a_csv_of_scores_is_told_from_a_csv_of_rankings(
    tmp_path: Path, text: str, scores: bool
) -> None:
    assert looks_like_scores(write(tmp_path, "x.csv", text)) is scores


def test_a_blt_terminator_may_carry_spaces(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '2 1\n1 1 0\n 0 \n"a"\n"b"\n"t"\n0\n')
    with pytest.raises(FileFormatError, match="after the title"):
        read_blt(f)  # the first "0" (with spaces) ended the ballots; the bare one is extra
    g = write(tmp_path, "g.blt", '2 1\n1 1 0\n0 \n"a"\n"b"\n"t"\n')
    assert read_blt(g).profile.n_voters == 1


def test_a_bad_blt_ballot_is_reported_at_its_first_line(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '2 1\n1 1 0\n1 1 9 0\n2 2 0\n1 1 9 0\n0\n"a"\n"b"\n"t"\n')
    with pytest.raises(FileFormatError) as info:
        read_blt(f)
    assert info.value.line == 3


def test_blt_weights_of_identical_ballots_add_up(tmp_path: Path) -> None:
    f = write(tmp_path, "e.blt", '2 1\n1 1 2 0\n2.5 1 2 0\n1 1 2 0\n0\n"a"\n"b"\n"t"\n')
    assert as_dict(read_blt(f).profile) == {("a", "b"): 4.5}


@needs_data
@pytest.mark.parametrize(
    ("name", "final"),
    [
        ("sf/00021-00000011.toi", {"Ed Lee": 84384, "John Avalos": 57125}),
        ("aspen/00016-00000002.toi", {"Mick Ireland": 1301, "Marilyn Marks": 1123}),
        ("burlington/00005-00000002.toi", {"Bob Kiss": 4313, "Kurt Wright": 4060}),
    ],
)
def test_truncating_at_the_overvote_gives_the_files_own_final_round(
    name: str, final: dict[str, int]
) -> None:
    # The data README's final-round totals of an independent count of each file, which
    # exhausts a ballot at its first overvote (a tie in the .toi file).
    ranked = pytest.importorskip("dualpower.voting._ranked")
    r = ranked.irv(read_preflib(DATA / "preflib" / name))
    assert r.rounds[-1].counts == final
