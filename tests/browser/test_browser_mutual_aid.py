"""The mutual-aid hub in a real browser: a stranger asks for help on the public form, a
coordinator triages and dispatches it, a volunteer does it, and the stranger's private
link shows it done.

Headless Chromium from ``conftest.new_page`` (which fails the test on any CSP violation or
script error), against pytest-django's live server. Members sign in with a session cookie
made by Django's test client; the stranger has no account and no cookie.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join, mandate_grant
from dualpower.listings import services
from dualpower.listings.models import ContactView, HelpRequest, Listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "07700 900 462"


def _shows(page: Any, text: str) -> None:
    """Wait until the page's facts (status, urgency...) read ``text``."""
    expect(page.locator(".facts")).to_contain_text(text, timeout=10_000)


@pytest.fixture
def hub(alice: Person, bob: Person, carol: Person) -> Body:
    """alice founds the hub; carol coordinates it (``aid.triage``); bob volunteers."""
    body = body_found(founder=alice, name="Eastside Mutual Aid", kind="mutual_aid")
    body_join(body=body, person=bob)
    body_join(body=body, person=carol)
    mandate_grant(
        body=body,
        holder=carol,
        role="Intake coordinator",
        powers=["aid.triage"],
        term_days=30,
        granted_by="test setup",
    )
    services.hub_settings_update(
        body=body, by="test setup", areas=["Riverside", "Old Town"], intake_fields=["name", "phone"]
    )
    return body


def test_a_stranger_is_helped_from_the_public_form_to_done(
    new_page: Any, signed_in: Any, hub: Body, bob: Person, carol: Person
) -> None:
    # A stranger, without an account, asks for help.
    stranger = new_page()
    stranger.goto(f"/bodies/{hub.slug}/help/")
    stranger.get_by_label("What do you need?").fill("Groceries for this week, my leg is broken")
    stranger.get_by_label("Category").select_option("Groceries")
    stranger.get_by_label("Area").select_option("Riverside")
    stranger.get_by_label("Your name").fill("Ana Q")
    stranger.get_by_label("Phone").fill(PHONE)
    stranger.get_by_role("button", name="Send").click()
    stranger.get_by_role("heading", name="Your request was sent").wait_for()
    follow_up = stranger.locator(".copy a").get_attribute("href")
    assert follow_up is not None and re.fullmatch(r"/help/[\w-]+/", follow_up)
    stranger.goto(follow_up)
    _shows(stranger, "Received")
    listing = HelpRequest.objects.get().listing
    assert listing.visibility == Listing.Visibility.COORDINATORS and listing.urgency == "normal"

    # The coordinator finds it in the intake queue, sets its urgency and dispatches it.
    coordinator = signed_in(carol)
    coordinator.goto(f"/bodies/{hub.slug}/listings/queue/")
    coordinator.get_by_role("heading", name="Intake queue").wait_for()
    coordinator.get_by_role("link", name=re.compile(r"^#1 Groceries for this week")).click()
    coordinator.get_by_label("Urgency").select_option("urgent")
    coordinator.get_by_role("button", name="Set urgency").click()
    _shows(coordinator, "Urgent")
    assert Listing.objects.get(pk=listing.pk).urgency == "urgent"
    sent = len(mail.outbox)
    coordinator.get_by_role("button", name=f"Dispatch to {bob.name}").click()
    _shows(coordinator, "Claimed")
    assert Listing.objects.get(pk=listing.pk).counterpart == bob
    assert len(mail.outbox) == sent + 1 and mail.outbox[-1].to == [bob.email]
    assert PHONE not in str(mail.outbox[-1].body)
    emailed = re.search(r"https?://[^/\s]+(/bodies/\S+/listings/1/)", str(mail.outbox[-1].body))
    assert emailed is not None

    # The volunteer follows the e-mailed link, looks up how to reach the stranger (logged),
    # starts and completes the work.
    volunteer = signed_in(bob)
    volunteer.goto(emailed.group(1))
    volunteer.get_by_role("link", name="Show the requester's contact details").click()
    _shows(volunteer, PHONE)
    assert ContactView.objects.filter(viewer=bob, help_request__listing=listing).count() == 1
    volunteer.get_by_role("link", name="← #1").click()
    volunteer.get_by_role("button", name="Mark as started").click()
    _shows(volunteer, "In progress")
    stranger.reload()
    _shows(stranger, "A volunteer is on it")
    volunteer.get_by_role("button", name="Mark as done").click()
    _shows(volunteer, "Done")
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.DONE

    # The stranger's private link shows it done, and never their details.
    stranger.goto(follow_up)
    _shows(stranger, "Done")
    assert PHONE not in stranger.content() and "Ana Q" not in stranger.content()
