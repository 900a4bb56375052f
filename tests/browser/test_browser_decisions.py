"""A proposal walked in a real browser, from draft to an executed action, and a ranked
ballot filled with the keyboard alone.

Headless Chromium from ``conftest.new_page``, against pytest-django's live server. People
sign in with a session cookie made by Django's test client (``conftest.signed_in``), so the
test is about decisions, not about the login form.
"""

from __future__ import annotations

from typing import Any

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import charter_adopt
from dualpower.decisions.models import Ballot, Proposal
from dualpower.decisions.services import proposal_create, proposal_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _general_rule(body: Body, **changes: Any) -> None:
    rules = body.charter.model_dump(mode="json")
    rules["decisions"]["general"] = rules["decisions"]["general"] | changes
    charter_adopt(body=body, rules=rules, adopted_by="test setup")
    body.__dict__.pop("_charter_cache", None)


def _vote_yes(page: Any, path: str) -> None:
    page.goto(path)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Cast my ballot").click()


def test_alice_and_bob_rename_their_assembly_by_a_decision(
    signed_in: Any, assembly: Body, alice: Person, bob: Person
) -> None:
    _general_rule(assembly, deliberation_days=0)
    page = signed_in(alice)
    page.goto(f"/bodies/{assembly.slug}/proposals/")
    page.get_by_role("link", name="Write a proposal").click()
    page.get_by_label("Title").fill("Call ourselves a popular assembly")
    page.get_by_label("Text").fill("A **popular** assembly is what we are.")
    page.get_by_label("When it passes, the system will").select_option("change_profile")
    page.get_by_label("New name").fill("Eastside Popular Assembly")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("Rename the body to “Eastside Popular Assembly”").wait_for()
    page.get_by_role("button", name="Open the proposal").click()
    page.get_by_text("Voting is open").wait_for()
    proposal = Proposal.objects.get(body=assembly)
    _vote_yes(page, proposal.path)
    page.get_by_text("Your ballot is counted").wait_for()

    bob_page = signed_in(bob)
    _vote_yes(bob_page, proposal.path)
    bob_page.wait_for_url(f"**{proposal.path}result/")  # the last vote closed it early
    assert bob_page.locator(".verdict").inner_text() == "Passed"
    assert bob_page.locator("h1").inner_text() == "Eastside Popular Assembly"
    assert "Eastside Popular Assembly" in bob_page.title()


def test_a_ranked_ballot_is_filled_with_the_keyboard_only(
    signed_in: Any, assembly: Body, alice: Person, bob: Person
) -> None:
    _general_rule(assembly, deliberation_days=0, method="irv")
    proposal = proposal_create(
        body=assembly, author=alice, title="Where to meet", options=["Ann", "Bo", "Cy"]
    )
    proposal = proposal_open(proposal=proposal, by=alice)
    page = signed_in(alice)
    page.goto(proposal.path)
    page.locator("[data-move]").first.wait_for()  # the script has enhanced the list

    def tab_to(label: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "() => document.activeElement.getAttribute('aria-label') || "
                "document.activeElement.textContent.trim()"
            )
            if focused == label:
                return
        raise AssertionError(f"{label!r} is not reachable with Tab")

    tab_to("Move up: Cy")
    page.keyboard.press("Enter")  # Cy is now second
    page.keyboard.press("Enter")  # and first; focus stays on Cy's buttons
    assert page.locator("[data-ranking-status]").inner_text() == "Cy is now number 1."
    tab_to("Cast my ballot")
    page.keyboard.press("Enter")
    page.get_by_text("Your ballot is counted").wait_for()
    assert Ballot.objects.get(proposal=proposal).content == {"ranking": ["Cy", "Ann", "Bo"]}
