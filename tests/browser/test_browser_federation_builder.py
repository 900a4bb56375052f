"""Joining a federation from the new-proposal page in a real browser: the member picks
the federation by name, and the page shows only that builder."""

from __future__ import annotations

from typing import Any

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found
from dualpower.decisions.models import Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_proposes_that_her_assembly_join_the_city_council_without_writing_json(
    signed_in: Any, assembly: Body, alice: Person, dave: Person
) -> None:
    council = body_found(founder=dave, name="City Council", kind="federation")
    page = signed_in(alice)
    page.goto(f"/bodies/{assembly.slug}/proposals/new/")
    page.get_by_label("Title").fill("Join the city council")
    page.get_by_label("When it passes, the system will").select_option("federation_join")
    assert page.get_by_label("Federation to leave").is_hidden()
    assert page.get_by_label("Its parameters (JSON)").is_hidden()
    page.get_by_label("Federation to join").select_option(label="City Council")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("Your draft is written").wait_for()
    proposal = Proposal.objects.get(body=assembly, title="Join the city council")
    assert proposal.actions == [{"name": "federation_join", "params": {"federation": council.slug}}]
