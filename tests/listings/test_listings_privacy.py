"""Sentinel names, phone numbers and notes are seeded where only some may see them; then
every listings page and endpoint (and the body's journal) is fetched as an outsider, a
signed-in stranger, a plain member and a member of another hub, and no sentinel may
appear where it should not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create, person_create
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found
from dualpower.listings import services
from dualpower.listings.models import Listing

REQUESTER = ("Sentinelia Requesta", "+44 7700 900999", "sentinel-requester@example.net")
REQUEST_TEXT = "SENTINEL-REQUEST-TEXT insulin"
COORD_TITLE = "SENTINEL-COORD-TITLE"
UNMATCHED_NOTE = "SENTINEL-UNMATCHED-NOTE"
MATCH_NOTES = ("SENTINEL-OWNER-NOTE", "SENTINEL-CLAIMER-NOTE")


@pytest.fixture
def seeded(hub: Body, alice: Person, bob: Person, carol: Person) -> Body:
    services.help_request_create(
        body=hub, client_address="a", description=REQUEST_TEXT, category="Medicine",
        contact=dict(zip(("name", "phone", "email"), REQUESTER, strict=True)),
    )  # fmt: skip
    services.listing_create(
        body=hub, by=bob, kind="need", title=COORD_TITLE, category="Other",
        visibility="coordinators",
    )  # fmt: skip
    services.listing_create(
        body=hub, by=bob, kind="need", title="Shelf", category="Other",
        visibility="members", contact=UNMATCHED_NOTE,
    )  # fmt: skip
    offer = services.listing_create(
        body=hub, by=bob, kind="offer", title="Soup", category="Meals",
        visibility="public", contact=MATCH_NOTES[0],
    )  # fmt: skip
    services.listing_claim(listing=offer, by=alice, contact=MATCH_NOTES[1])
    services.requester_contact_show(
        request=Listing.objects.get(number=1).help_request, viewer=alice
    )
    return hub


def _urls(hub: Body) -> Iterator[str]:
    base = f"/bodies/{hub.slug}"
    yield from (f"{base}/", f"{base}/journal/", f"{base}/help/")
    for page in ("", "new/", "queue/", "audit/", "dashboard/", "?status=all"):
        yield f"{base}/listings/{page}"
    api = f"/api/v1/bodies/{hub.slug}"
    yield from (f"{api}/journal", f"{api}/listings?status=all", f"{api}/listings/queue")
    yield from (f"{api}/listings/contact-views", f"{api}/listings/stats")
    for number in range(1, 6):
        yield from (f"{base}/listings/{number}/", f"{base}/listings/{number}/contact/")
        yield from (f"{api}/listings/{number}", f"{api}/listings/{number}/requester")


def _crawl(hub: Body, person: Person | None) -> str:
    client = Client()
    headers = {}
    if person is not None:
        client.force_login(person)
        headers = {"Authorization": f"Bearer {api_token_create(person=person, label='t')[1]}"}
    seen = []
    for url in _urls(hub):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        seen.append(response.content.decode())
    return "\n".join(seen)


SECRET_TO_ALL_BUT_COORDINATORS = (*REQUESTER, REQUEST_TEXT, COORD_TITLE)


def _absent(text: str, sentinels: tuple[str, ...]) -> None:
    leaked = [s for s in sentinels if s in text]
    assert not leaked, f"leaked: {leaked}"


def test_an_outsider_sees_no_sentinel(seeded: Body, dave: Person) -> None:
    everything = (*SECRET_TO_ALL_BUT_COORDINATORS, UNMATCHED_NOTE, *MATCH_NOTES, "Shelf")
    _absent(_crawl(seeded, None), everything)
    _absent(_crawl(seeded, dave), (*everything, "bob@example.org"))


def test_a_member_of_another_hub_sees_no_sentinel(seeded: Body, carol: Person) -> None:
    erin = person_create(email="erin@example.org", password="x" * 12, display_name="Erin",
                         verified=True)  # fmt: skip
    other = body_found(founder=erin, name="Southside Aid", kind="mutual_aid")
    services.hub_settings_update(body=other, by="d", intake_fields=["name", "phone"])
    everything = (*SECRET_TO_ALL_BUT_COORDINATORS, UNMATCHED_NOTE, *MATCH_NOTES, "Shelf")
    _absent(_crawl(seeded, erin), (*everything, "bob@example.org"))


def test_a_plain_member_sees_listings_but_no_contact_before_a_match(
    seeded: Body, carol: Person
) -> None:
    text = _crawl(seeded, carol)
    assert "Shelf" in text and "Soup" in text  # the crawl reached the member listings
    _absent(
        text,
        (*SECRET_TO_ALL_BUT_COORDINATORS, UNMATCHED_NOTE, *MATCH_NOTES, "bob@example.org"),
    )


def test_the_matched_sides_and_the_coordinator_see_what_they_should(
    seeded: Body, alice: Person, bob: Person
) -> None:
    coordinator = _crawl(seeded, alice)
    for sentinel in (*REQUESTER, REQUEST_TEXT, COORD_TITLE, *MATCH_NOTES):
        assert sentinel in coordinator
    assert UNMATCHED_NOTE not in coordinator
    _absent(_crawl(seeded, bob), (*REQUESTER, REQUEST_TEXT))
