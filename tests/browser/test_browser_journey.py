"""From signing up to a verified journal, in a real browser: two people, two contexts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from dualpower.accounts.services import person_create
from dualpower.bodies.models import Body

pytestmark = pytest.mark.browser

PASSWORD = "a long browser password 7"


def _last_link() -> str:
    found = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", str(mail.outbox[-1].body)
    )
    assert found is not None
    return found.group(1)


def _sign_up_and_verify(page: Any, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    sent = len(mail.outbox)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    assert len(mail.outbox) == sent + 1
    page.goto(_last_link())
    page.get_by_role("button", name="Confirm").click()


def test_sign_up_found_invite_join_and_verify_the_journal(new_page: Any) -> None:
    alice = new_page()
    alice.goto("/")
    alice.get_by_role("link", name="Sign up").first.click()
    _sign_up_and_verify(alice, "alice@example.org")
    alice.get_by_role("heading", name="My bodies").wait_for()

    alice.get_by_role("link", name="Found a body").first.click()
    alice.get_by_label("Name").fill("Riverside Working Group")
    alice.get_by_label("Kind").select_option("working_group")
    alice.get_by_label("About").fill("We fix the river path.")
    alice.get_by_role("button", name="Found the body").click()
    alice.get_by_role("heading", name="Riverside Working Group").wait_for()
    body = Body.objects.get(name="Riverside Working Group")
    alice.screenshot(path="/tmp/dualpower-body-page.png", full_page=True)

    alice.get_by_role("link", name="Invite").click()
    alice.get_by_role("button", name="Create an invitation link").click()  # htmx
    link = alice.get_by_label("Invitation link").input_value()
    assert "/invitations/" in link

    bob = new_page()
    bob.goto(link)
    bob.get_by_role("heading", name="You are invited to join Riverside Working Group").wait_for()
    bob.get_by_role("link", name="Sign up").last.click()
    _sign_up_and_verify(bob, "bob@example.org")
    assert bob.url == link  # back at the invitation, through ?next= and the e-mail link
    bob.get_by_role("button", name="Accept the invitation").click()
    bob.get_by_text("Welcome to Riverside Working Group.").wait_for()
    assert bob.url.endswith(f"/bodies/{body.slug}/")

    bob.get_by_role("link", name="Members").click()
    members = bob.locator("main .list")
    members.get_by_text("alice", exact=True).wait_for()
    members.get_by_text("bob", exact=True).wait_for()

    bob.get_by_role("link", name="Journal").click()
    bob.get_by_role("cell", name=re.compile(r"member\.joined\s+bob")).wait_for()
    bob.get_by_role("button", name="Verify chain").click()  # htmx
    bob.get_by_text(re.compile(r"The chain holds: all \d+ entries")).wait_for()

    bob.set_viewport_size({"width": 375, "height": 812})  # a phone
    bob.get_by_role("link", name="Charter").click()
    assert bob.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways page
    bob.screenshot(path="/tmp/dualpower-charter-phone.png", full_page=True)


def test_the_found_a_body_form_works_with_the_keyboard_alone(new_page: Any) -> None:
    person_create(email="kim@example.org", password=PASSWORD, verified=True)
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("kim@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="My bodies").wait_for()

    page.goto("/found/")
    for _ in range(20):  # from the top of the page, Tab until the first field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_name":
            break
    assert page.evaluate("document.activeElement.id") == "id_name"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus ring is visible
    page.keyboard.type("Keyboard Cooperative")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_kind"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # assembly → council → cooperative
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_about"
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_visibility"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Found the body"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Keyboard Cooperative").wait_for()
    assert Body.objects.get(name="Keyboard Cooperative").kind == "cooperative"
