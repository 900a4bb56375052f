"""Any registered action can be proposed from the browser, by name with JSON parameters."""

from __future__ import annotations

from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found
from dualpower.decisions.models import Proposal


def test_a_member_proposes_joining_a_federation_from_the_form(
    assembly: Body, alice: Person
) -> None:
    council = body_found(founder=alice, name="City Council", kind="federation")
    client = Client()
    client.force_login(alice)
    form = client.get(f"/bodies/{assembly.slug}/proposals/new/")
    assert "Join a federation (federation_join)" in form.content.decode()
    response = client.post(
        f"/bodies/{assembly.slug}/proposals/new/",
        {
            "title": "Join the city council",
            "decision_kind": "general",
            "action": "other",
            "other_name": "federation_join",
            "other_params": f'{{"federation": "{council.slug}"}}',
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(body=assembly, title="Join the city council")
    assert proposal.actions == [{"name": "federation_join", "params": {"federation": council.slug}}]
    assert proposal.decision_kind == "federation"


def test_bad_json_parameters_are_a_422_naming_the_field(assembly: Body, alice: Person) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(
        f"/bodies/{assembly.slug}/proposals/new/",
        {
            "title": "x",
            "decision_kind": "general",
            "action": "other",
            "other_name": "transfer",
            "other_params": "{nope",
        },
    )
    assert response.status_code == 422
    assert "Not valid JSON" in response.content.decode()
    assert not Proposal.objects.filter(body=assembly, title="x").exists()
