"""Real elections (``../shared/data/preflib``, see its README): our counts against the
declared results, and against independent counts where no result is given.

- NSW Legislative Assembly 2015 and 2019, all 186 districts, every formal ballot
  (optional preferential: exhausted ballots drop out). Official winners for the seven
  districts the README lists; for all 186, a plain-Python textbook count written here
  from the file's lines; pref_voting's ``instant_runoff_for_truncated_linear_orders`` on
  a fixed subset (every 31st district) by default, on every district with
  ``DUALPOWER_FULL_PEERS=1`` (about 0.2 s a district, too slow for the default suite).
- US mayoral and county IRV elections (overvotes truncate the ballot), with the declared
  winners and, where the README gives them, the file's own final-round totals.
- Irish Dáil constituencies and Minneapolis (several seats): ``stv_scottish`` elects the
  declared members. Irish and Minneapolis rules differ from Scotland's in the details of
  surplus transfers; the declared sets are what we compare.
- Two Glasgow wards under the Scottish rules themselves (BLT files): winners *and* the
  stages the README quotes (valid votes, quota, a later-stage fractional surplus).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _preflib_for_tests import PREFLIB, to_pref_voting

from dualpower.voting._ranked import irv, stv_scottish
from dualpower.voting._readers import read_blt, read_preflib

NSWLA = PREFLIB / "nswla"
pytestmark = pytest.mark.skipif(
    not NSWLA.is_dir(), reason=f"real-election data not found at {PREFLIB} (../shared/data)"
)

OFFICIAL_NSW = {
    "00058-00000003.soi": "SMITH Tamara",  # Ballina 2015
    "00058-00000004.soi": "PARKER Jamie",  # Balmain 2015
    "00058-00000019.soi": "GULAPTIS Chris",  # Clarence 2015
    "00058-00000059.soi": "LEONG Jenny",  # Newtown 2015
    "00058-00000080.soi": "GREENWICH Alex",  # Sydney 2015
    "00058-00000099.soi": "BUTLER Roy",  # Barwon 2019
    "00058-00000138.soi": "SAFFIN Janelle",  # Lismore 2019
}


def nsw_files() -> list[Path]:
    return sorted(NSWLA.glob("00058-*.soi")) if NSWLA.is_dir() else []


def test_all_186_districts_are_there() -> None:
    assert len(nsw_files()) == 186


@pytest.mark.parametrize("name", sorted(OFFICIAL_NSW))
def test_irv_elects_the_official_winner_in_nsw(name: str) -> None:
    r = irv(read_preflib(NSWLA / name))
    assert r.winners == (OFFICIAL_NSW[name],)
    assert r.tie_breaks == ()


def textbook_irv(path: Path) -> str:
    """An independent, plain-Python instant-runoff count straight from the file's lines
    (no numpy, no dualpower reader): eliminate the fewest first preferences until one
    candidate has more than half of the ballots still in play."""
    names: dict[int, str] = {}
    ballots: list[tuple[tuple[int, ...], int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ALTERNATIVE NAME "):
            key, _, name = line[len("# ALTERNATIVE NAME ") :].partition(":")
            names[int(key)] = name.strip()
        elif line and not line.startswith("#"):
            count, _, order = line.partition(":")
            ballots.append((tuple(int(x) for x in order.split(",")), int(count)))
    alive = set(names)
    while True:
        tally = dict.fromkeys(alive, 0)
        for order, count in ballots:
            for c in order:
                if c in alive:
                    tally[c] += count
                    break
        best = max(tally, key=lambda c: tally[c])
        if len(alive) == 1 or 2 * tally[best] > sum(tally.values()):
            return names[best]
        low = min(tally.values())
        alive -= {c for c in alive if tally[c] == low}


# pref_voting needs about 0.2 s a district, too slow for all 186 in the test suite: by
# default it checks every 31st district (and the textbook count above checks all 186);
# DUALPOWER_FULL_PEERS=1 makes it check every district.
FULL = os.environ.get("DUALPOWER_FULL_PEERS") == "1"


def test_irv_agrees_with_an_independent_count_on_all_186_districts() -> None:
    for path in nsw_files():
        p = read_preflib(path)
        r = irv(p)
        assert r.winners == (textbook_irv(path),), path.name
        # every round: the counts and the exhausted ballots account for every ballot
        for rd in r.rounds:
            assert sum(rd.counts.values()) + rd.exhausted == pytest.approx(p.n_voters)
        if path.name != "00058-00000151.soi":  # the one district with a tie, see below
            assert r.tie_breaks == (), path.name


def test_a_tie_for_last_place_in_one_district_is_broken_and_does_not_matter() -> None:
    p = read_preflib(NSWLA / "00058-00000151.soi")
    results = [irv(p, seed=s) for s in range(4)]
    assert {r.tie_breaks[0].tied for r in results} == {("LOOKER Claudia", "O'BRIEN Steve")}
    assert {r.winners for r in results} == {("CRAKANTHORP Tim",)}


def test_irv_agrees_with_pref_voting_on_nsw_districts() -> None:
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    files = [f for i, f in enumerate(nsw_files()) if FULL or i % 31 == 0]
    files = [f for f in files if f.name not in OFFICIAL_NSW]
    for path in files:
        p = read_preflib(path)
        theirs = instant_runoff_for_truncated_linear_orders(to_pref_voting(p))
        assert list(irv(p).winners) == theirs, path.name
    assert len(files) == (186 - len(OFFICIAL_NSW) if FULL else 6)


US_IRV = [
    ("burlington/00005-00000002.toi", "Bob Kiss", ("Bob Kiss", 4313, "Kurt Wright", 4060)),
    ("oakland/00019-00000002.toi", "Jean Quan", None),
    ("sf/00021-00000011.toi", "Ed Lee", ("Ed Lee", 84384, "John Avalos", 57125)),
    ("sf/00021-00000006.toi", "Malia Cohen", None),
    ("pierce/00020-00000003.toi", "Pat Mccarthy", None),
    ("aspen/00016-00000002.toi", "Mick Ireland", ("Mick Ireland", 1301, "Marilyn Marks", 1123)),
]


@pytest.mark.parametrize(("name", "winner", "final"), US_IRV)
def test_irv_elects_the_declared_winner_of_us_elections(
    name: str, winner: str, final: tuple[str, int, str, int] | None
) -> None:
    r = irv(read_preflib(PREFLIB / name))  # an overvote (a tie) truncates the ballot
    assert r.winners == (winner,)
    if final is not None:
        w, wv, loser, lv = final
        assert r.rounds[-1].counts == {w: wv, loser: lv}


def test_sf_district_10_takes_twenty_rounds() -> None:
    r = irv(read_preflib(PREFLIB / "sf/00021-00000006.toi"))
    assert sum(1 for rd in r.rounds if rd.eliminated) == 20
    assert set(r.rounds[-1].counts) == {"Malia Cohen", "Tony Kelly"}


STV_OFFICIAL = [
    (
        "irish/00001-00000001.soi",
        4,
        {"Trevor Sargent G.P.", "Sean Ryan Lab", "Jim Glennon F.F.", "G.V. Wright F.F."},
    ),
    (
        "irish/00001-00000002.soi",
        3,
        {"Brian Lenihan F.F.", "Joe Higgins S.P.", "Joan Burton Lab"},
    ),
    ("minneapolis/00018-00000004.soi", 2, {'"Carol Becker"', '"David Wheeler"'}),
]


@pytest.mark.parametrize(("name", "seats", "elected"), STV_OFFICIAL)
def test_stv_scottish_elects_the_declared_members(name: str, seats: int, elected: set[str]) -> None:
    r = stv_scottish(read_preflib(PREFLIB / name), seats=seats)
    assert set(r.winners) == elected


def test_minneapolis_quota_is_the_declared_droop_quota() -> None:
    r = stv_scottish(read_preflib(PREFLIB / "minneapolis/00018-00000004.soi"), seats=2)
    assert r.rounds[0].quota == 10_696


GLASGOW = PREFLIB / "scotland-blt"


def test_glasgow_2017_ward_13_stage_by_stage() -> None:
    e = read_blt(GLASGOW / "glasgow_2017_ward13.blt")
    r = stv_scottish(e.profile, seats=e.seats)
    assert e.seats == 4 and e.profile.n_voters == 8688
    assert r.rounds[0].quota == 1738
    assert set(r.winners) == {
        "Bill BUTLER (Lab)",
        "Eva MURRAY (Lab)",
        "Michael CULLEN (SNP)",
        "Chris CUNNINGHAM (SNP)",
    }
    notes = [rd.note for rd in r.rounds]
    assert sum("surplus of" in n for n in notes[:3]) == 2  # two first-stage surpluses
    assert sum("exclusion of" in n for n in notes) == 5
    assert any(n.startswith("surplus of Chris CUNNINGHAM (SNP) (607.47668)") for n in notes[3:])
    for rd in r.rounds:
        held = sum(rd.counts.values()) + rd.exhausted
        assert 8688 - 0.1 <= held <= 8688


def test_glasgow_2022_ward_13() -> None:
    e = read_blt(GLASGOW / "glasgow_2022_ward13.blt")
    r = stv_scottish(e.profile, seats=e.seats)
    assert e.profile.n_voters == 8629 and r.rounds[0].quota == 1726
    surnames = {w.split('"')[0].split()[-1] for w in r.winners}
    assert surnames == {"BUTLER", "MURRAY", "CUNNINGHAM", "MITCHELL"}
    assert r.tie_breaks == ()
