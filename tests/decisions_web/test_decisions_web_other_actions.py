"""Any registered action without a builder of its own can be proposed from the browser, by
name with JSON parameters."""

from __future__ import annotations

from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.decisions.models import Proposal


def test_a_member_proposes_another_action_by_name_with_json_parameters(
    assembly: Body, alice: Person
) -> None:
    client = Client()
    client.force_login(alice)
    form = client.get(f"/bodies/{assembly.slug}/proposals/new/").content.decode()
    other = form[form.index('name="other_name"') : form.index('name="other_params"')]
    assert "Open a ledger (currency_create)" in other or "(currency_create)" in other
    assert "federation_join" not in other  # federating has builders of its own
    response = client.post(
        f"/bodies/{assembly.slug}/proposals/new/",
        {
            "title": "Open a time bank",
            "decision_kind": "general",
            "action": "other",
            "other_name": "currency_create",
            "other_params": '{"kind": "hours", "name": "Hours", "code": "HRS"}',
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(body=assembly, title="Open a time bank")
    assert proposal.actions == [
        {
            "name": "currency_create",
            "params": {"kind": "hours", "name": "Hours", "code": "HRS", "decimals": None},
        }
    ]


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
