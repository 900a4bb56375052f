"""The result: verdict, counts and rounds, quorum, the SVG chart, tie-breaks and seed,
"passed, not carried out", the published ballots, and a BLT file that recounts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dualpower import voting as lib
from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_join, membership_leave
from dualpower.decisions.models import Ballot, Outcome
from dualpower.decisions.services import ballot_cast
from dualpower.voting._cli import main as tally

pytestmark = pytest.mark.django_db
Page = Callable[[Client, str], str]


def test_a_passed_motion_shows_its_counts_chart_and_seed(
    client: Client, trio: Body, alice: Person, bob: Person, voting: Any, close: Any, page: Page
) -> None:
    proposal = voting(
        trio, alice, actions=[{"name": "change_profile", "params": {"name": "Eastside Popular"}}]
    )
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "abstain"})
    close(proposal)
    outcome = Outcome.objects.get(proposal=proposal)
    client.force_login(alice)
    html = page(client, proposal.path + "result/")
    assert '<p class="verdict verdict--passed">Passed</p>' in html
    assert "Its actions were carried out" in html
    assert "2 of 3 members" in html and "none required" in html
    assert f"<code>{outcome.seed}</code>" in html
    assert '<th scope="row">Yes</th><td>1</td>' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert '<title id="rounds-chart-title">Count of proposal 1' in svg
    assert ">Yes: 1<" in svg and "style=" not in svg
    assert "Published ballots" in html and "<td>Bob</td><td>Abstain</td>" in html
    assert "Eastside Popular" in page(client, proposal.path)  # the renamed body's header
    assert 'verdict--passed">Passed' in page(client, proposal.path)


def test_quorum_not_reached_is_said(
    client: Client, trio: Body, alice: Person, voting: Any, close: Any, set_rule: Any, page: Page
) -> None:
    set_rule(trio, "general", quorum=0.5)
    proposal = voting(trio, alice)
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    close(proposal)
    client.force_login(alice)
    html = page(client, proposal.path + "result/")
    assert "Did not pass" in html and "not reached (50% of members needed)" in html


def test_passed_not_carried_out_gives_the_reason(
    client: Client, trio: Body, alice: Person, bob: Person, carol: Person, voting: Any,
    page: Page,
) -> None:  # fmt: skip
    proposal = voting(
        trio, alice, actions=[{"name": "remove_member", "params": {"person": carol.pk}}]
    )
    membership_leave(body=trio, person=carol)
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    client.force_login(alice)
    html = page(client, proposal.path)
    assert "Passed, not carried out" in html
    assert "is not a member of Eastside Assembly" in html and "Nothing was applied" in html


def test_secret_ballots_are_published_by_receipt_after_the_close(
    client: Client, trio: Body, alice: Person, bob: Person, voting: Any, close: Any,
    set_rule: Any, page: Page,
) -> None:  # fmt: skip
    set_rule(trio, "general", ballot="secret")
    proposal = voting(trio, alice)
    receipt = ballot_cast(proposal=proposal, voter=bob, content={"choice": "no"})
    client.force_login(bob)
    assert receipt not in page(client, proposal.path)
    close(proposal)
    html = page(client, proposal.path + "result/")
    assert f"<tr><td><code>{receipt}</code></td><td>No</td></tr>" in html
    assert "find yours by your receipt code" in html and "<td>Bob</td>" not in html


@pytest.mark.parametrize(
    ("method", "name", "seats"),
    [("irv", "irv", 1), ("stv", "stv-scottish", 2), ("schulze", "schulze", 1)],
)
def test_the_blt_download_recounts_to_the_same_winners(
    client: Client, trio: Body, alice: Person, bob: Person, carol: Person, dave: Person,
    voting: Any, close: Any, set_rule: Any, page: Page, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], method: str, name: str, seats: int,
) -> None:  # fmt: skip
    body_join(body=trio, person=dave)
    set_rule(trio, "general", method=method, seats=seats, ballot="secret")
    proposal = voting(trio, alice, options=["Ann", "Bo", "Cy", "Di"])
    rankings = {
        alice: ["Ann", "Bo", "Cy"], bob: ["Bo", "Ann"], carol: ["Cy", "Bo", "Di"], dave: ["Ann", "Cy"],
    }  # fmt: skip
    for person, ranking in rankings.items():
        ballot_cast(proposal=proposal, voter=person, content={"ranking": ranking})
    proposal = close(proposal)
    outcome = Outcome.objects.get(proposal=proposal)
    client.force_login(alice)
    assert "Download them as a BLT file" in page(client, proposal.path + "result/")
    response = client.get(proposal.path + "ballots.blt")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="eastside-assembly-proposal-1.blt"'
    )
    blt = tmp_path / "ballots.blt"
    blt.write_bytes(response.content)
    election = lib.read_blt(blt)
    assert election.profile.n_voters == Ballot.objects.filter(proposal=proposal).count() == 4
    count = {"irv": lib.irv, "stv": lib.stv_scottish, "schulze": lib.schulze}[method]
    kwargs = {} if method == "irv" else {"seats": election.seats}
    recount = count(election.profile, seed=outcome.seed, **kwargs)
    assert list(recount.winners) == outcome.winners() and len(outcome.winners()) == seats
    assert tally([name, str(blt), "--seed", outcome.seed, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == outcome.winners()


def test_an_election_blt_names_the_candidates(
    client: Client, trio: Body, alice: Person, bob: Person, carol: Person, voting: Any,
    close: Any, tmp_path: Path,
) -> None:  # fmt: skip
    from datetime import timedelta

    from django.utils import timezone

    from dualpower.decisions.services import (
        candidacy_stand,
        proposal_create,
        proposal_open,
        proposal_refresh,
    )

    proposal = proposal_create(
        body=trio, author=alice, title="Elect a delegate",
        actions=[{"name": "fill_mandate", "params": {"role": "Delegate", "term_days": 30}}],
    )  # fmt: skip
    proposal = proposal_open(proposal=proposal, by=alice)
    candidacy_stand(proposal=proposal, person=bob)
    candidacy_stand(proposal=proposal, person=carol)
    proposal = proposal_refresh(proposal=proposal, now=timezone.now() + timedelta(days=3.01))
    for voter, first in ((alice, bob), (bob, bob), (carol, carol)):
        ballot_cast(proposal=proposal, voter=voter, content={"ranking": [f"p{first.pk}"]})
    client.force_login(alice)
    html = client.get(proposal.path + "result/").content.decode()
    assert "<dt>Winner</dt><dd>Bob</dd>" in html
    blt = tmp_path / "e.blt"
    blt.write_bytes(client.get(proposal.path + "ballots.blt").content)
    assert lib.read_blt(blt).profile.candidates == ("Bob", "Carol")
