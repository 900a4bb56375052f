"""A member body whose charter hides it is counted but never named on the federation's
page or in its API, except to those who may see it (its own members)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from test_delegates import _delegate
from test_federation import _assembly, _decide, _fast, _federate
from test_federation_web import _page

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies import policy
from dualpower.bodies.models import Body, Membership
from dualpower.bodies.services import (
    body_found,
    invitation_accept,
    invitation_create,
    membership_admit,
)
from dualpower.decisions.models import Proposal

# sorts before "East" by name, so a list that names it last was ordered on purpose
SENTINEL = "Aardvark Quiet Collective"


def _api(person: Person | None, path: str) -> tuple[int, Any, str]:
    headers = {}
    if person is not None:
        headers = {"Authorization": f"Bearer {api_token_create(person=person, label='t')[1]}"}
    response = Client().get(f"/api/v1{path}", headers=headers)
    return response.status_code, response.json(), response.content.decode()


def _setup(
    alice: Person, bob: Person, carol: Person, **charter: str
) -> tuple[Body, Body, Proposal]:
    """Council (Alice's) with East (Bob's) and a hidden body (Carol's, Carol its delegate)
    as members, and a proposal the member bodies are deciding."""
    council = _fast(body_found(founder=alice, name="Council", kind="federation", **charter))
    hidden = _fast(body_found(founder=carol, name=SENTINEL, kind="assembly", visibility="hidden"))
    _federate(council, alice, hidden, carol)
    _federate(council, alice, _assembly("East", bob), bob)
    _delegate(hidden, carol)
    proposal = _decide(
        council, alice, title="Share tools", actions=[{"name": "resolution", "params": {}}]
    )
    assert proposal.state == Proposal.State.VOTING
    return council, hidden, proposal


def _join_council(council: Body, alice: Person, person: Person) -> None:
    """``person`` becomes a member of ``council`` (admitted at once where the charter
    would have them apply)."""
    _, token = invitation_create(body=council, by=alice)
    if invitation_accept(token=token, person=person).status == Membership.Status.APPLICANT:
        membership_admit(body=council, person=person, admitted_by="test setup")
    assert policy.is_member(person, council)


def test_the_federation_page_counts_a_hidden_member_body_without_naming_it(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    council, hidden, _ = _setup(alice, bob, carol)
    for viewer in (dave, alice, None):
        status, html = _page(viewer, f"/bodies/{council.slug}/federation/")
        assert status == 200
        assert SENTINEL not in html and hidden.slug not in html
        assert "Carol" not in html  # nor its delegate
        assert "East</a></td>" in html
        assert html.count("<td>a member body</td>") == 1
        assert "<td>a member body</td>\n              <td>not shown</td>" in html
        assert "has a delegate" not in html  # East's delegate is named or not shown
    html = _page(alice, f"/bodies/{council.slug}/federation/")[1]
    assert "a member body: <strong>Not yet decided</strong>" in html
    assert html.index("East</a>: <strong>") < html.index("a member body: <strong>")


def test_a_member_of_the_hidden_body_reads_its_name_on_the_federation_page(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, hidden, _ = _setup(alice, bob, carol)
    _join_council(council, alice, carol)
    status, html = _page(carol, f"/bodies/{council.slug}/federation/")
    assert status == 200
    assert f'<a href="/bodies/{hidden.slug}/">{SENTINEL}</a></td>' in html
    assert f"{SENTINEL}</a>: <strong>Not yet decided</strong>" in html
    assert "a member body" not in html


def test_the_api_counts_a_hidden_member_body_without_naming_it(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    council, hidden, proposal = _setup(alice, bob, carol)
    for viewer in (dave, alice, None):
        status, detail, raw = _api(viewer, f"/bodies/{council.slug}/federation")
        assert status == 200 and SENTINEL not in raw and hidden.slug not in raw
        assert [(m["name"], m["hidden"]) for m in detail["member_bodies"]] == [
            ("East", False),
            (None, True),
        ]
        assert detail["member_bodies"][1] == {
            "slug": None,
            "name": None,
            "hidden": True,
            "has_delegate": None,  # not even whether it has a delegate
            "delegates": [],
        }
    status, progress, raw = _api(
        alice, f"/bodies/{council.slug}/proposals/{proposal.number}/progress"
    )
    assert status == 200 and SENTINEL not in raw and hidden.slug not in raw
    assert len(progress) == 2
    assert progress[0]["body"] == {
        "slug": progress[0]["body"]["slug"],
        "name": "East",
        "hidden": False,
    }
    assert progress[1] == {
        "body": {"slug": None, "name": None, "hidden": True},
        "decision": "Not yet decided",
        "proposal": None,
    }


def test_a_member_of_the_hidden_body_reads_its_name_in_the_api(
    alice: Person, bob: Person, carol: Person
) -> None:
    council, hidden, proposal = _setup(alice, bob, carol)
    _join_council(council, alice, carol)
    detail = _api(carol, f"/bodies/{council.slug}/federation")[1]
    assert {"slug": hidden.slug, "name": SENTINEL, "hidden": False} in [
        {k: m[k] for k in ("slug", "name", "hidden")} for m in detail["member_bodies"]
    ]
    assert [m["delegates"] for m in detail["member_bodies"] if m["name"] == SENTINEL] == [["Carol"]]
    progress = _api(carol, f"/bodies/{council.slug}/proposals/{proposal.number}/progress")[1]
    named = [p for p in progress if p["body"]["name"] == SENTINEL]
    assert len(named) == 1 and named[0]["body"]["slug"] == hidden.slug
    assert named[0]["proposal"] is not None


def test_in_a_members_only_federation_only_the_hidden_bodys_members_read_its_name(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    council, hidden, proposal = _setup(alice, bob, carol, visibility="members")
    _join_council(council, alice, bob)
    page = f"/bodies/{council.slug}/federation/"
    progress = f"/bodies/{council.slug}/proposals/{proposal.number}/progress"
    assert _page(dave, page)[0] == 404 and _api(dave, progress)[0] == 404
    for viewer in (alice, bob):
        status, html = _page(viewer, page)
        assert status == 200 and SENTINEL not in html and "a member body" in html
        status, json, raw = _api(viewer, progress)
        assert status == 200 and SENTINEL not in raw and len(json) == 2
        raw = _api(viewer, f"/bodies/{council.slug}/federation")[2]
        assert SENTINEL not in raw and hidden.slug not in raw
    _join_council(council, alice, carol)
    assert SENTINEL in _page(carol, page)[1]
    assert SENTINEL in _api(carol, progress)[2]


def test_a_hidden_federation_is_not_named_among_the_federations_a_body_belongs_to(
    alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    east = _assembly("East", bob)
    quiet = _fast(body_found(founder=carol, name=SENTINEL, kind="federation", visibility="hidden"))
    _federate(quiet, carol, east, bob)
    for viewer in (dave, bob):
        assert SENTINEL not in _page(viewer, f"/bodies/{east.slug}/federation/")[1]
        assert _api(viewer, f"/bodies/{east.slug}/federation")[1]["federations"] == []
    assert SENTINEL in _page(carol, f"/bodies/{east.slug}/federation/")[1]
    assert _api(carol, f"/bodies/{east.slug}/federation")[1]["federations"] == [
        {"slug": quiet.slug, "name": SENTINEL}
    ]


def test_a_hidden_body_waiting_to_join_is_not_named_among_the_pending_joins(
    alice: Person, carol: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"))
    hidden = _fast(body_found(founder=carol, name=SENTINEL, kind="assembly", visibility="hidden"))
    join = [{"name": "federation_join", "params": {"federation": council.slug}}]
    _decide(hidden, carol, title="Join", actions=join)
    html = _page(alice, f"/bodies/{council.slug}/federation/")[1]
    assert SENTINEL not in html
    assert "a member body has decided; waiting for Council" in html
    _join_council(council, alice, carol)
    assert (
        f"{SENTINEL} has decided; waiting for Council"
        in _page(carol, f"/bodies/{council.slug}/federation/")[1]
    )
