from __future__ import annotations

import json
from typing import Any

from django.test import Client
from test_delegates import _delegate, _join, _open
from test_federation import _assembly, _decide, _fast

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.services import body_found
from dualpower.federation.models import Ratification


def _api(person: Person | None) -> tuple[Client, dict[str, str]]:
    if person is None:
        return Client(), {}
    _, token = api_token_create(person=person, label="t")
    return Client(), {"Authorization": f"Bearer {token}"}


def _get(person: Person | None, path: str) -> Any:
    client, headers = _api(person)
    return client.get(f"/api/v1{path}", headers=headers)


def test_the_federation_shows_member_bodies_and_ratification_progress(
    alice: Person, bob: Person, dave: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"))
    east = _assembly("East", bob)
    _join(council, alice, east, bob)
    _delegate(east, bob)
    proposal = _decide(council, alice, actions=[{"name": "resolution", "params": {"text": "x"}}])
    detail = _get(dave, f"/bodies/{council.slug}/federation").json()
    assert [m["slug"] for m in detail["member_bodies"]] == [east.slug]
    assert (
        detail["member_bodies"][0]["has_delegate"] and detail["member_bodies"][0]["delegates"] == []
    )  # dave may not see East's mandates
    assert _get(bob, f"/bodies/{council.slug}/federation").json()["member_bodies"][0][
        "delegates"
    ] == ["Bob"]
    east_view = _get(bob, f"/bodies/{east.slug}/federation").json()
    assert east_view["federations"] == [{"slug": council.slug, "name": "Council"}]
    ratification = Ratification.objects.get(federation_proposal=proposal)
    assert east_view["ratifications_waiting"][0]["proposal"] == ratification.proposal.number
    assert _get(dave, f"/bodies/{east.slug}/federation").json()["ratifications_waiting"] == []
    progress = _get(alice, f"/bodies/{council.slug}/proposals/{proposal.number}/progress").json()
    assert progress == [
        {
            "body": {"slug": east.slug, "name": "East", "hidden": False},
            "decision": "Not yet decided",
            "proposal": ratification.proposal.number,
        }
    ]


def test_a_delegate_votes_over_the_api_and_an_outsider_cannot(
    alice: Person, bob: Person, dave: Person
) -> None:
    council = _fast(body_found(founder=alice, name="Council", kind="federation"), mode="delegates")
    east = _assembly("East", bob)
    _join(council, alice, east, bob)
    _delegate(east, bob)
    proposal = _open(council, alice, [{"name": "resolution", "params": {"text": "x"}}])
    path = f"/api/v1/bodies/{council.slug}/proposals/{proposal.number}/delegate-votes"
    client, headers = _api(bob)
    ok = client.post(
        path,
        data=json.dumps({"member": east.slug, "choice": "yes"}),
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["decision"] == "delegate voted yes"
    client, headers = _api(dave)
    refused = client.post(
        path,
        data=json.dumps({"member": east.slug, "choice": "yes"}),
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 403 and "no live mandate" in refused.json()["detail"]
