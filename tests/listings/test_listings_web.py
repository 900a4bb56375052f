"""The listings pages and the public help form, through HTTP."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.listings import services
from dualpower.listings.models import ContactView, HelpRequest, Listing

PHONE = "07700 900 461"


def _client(person: Person | None = None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def _ask(body: Body, client: Client | None = None, **extra: str) -> tuple[int, str]:
    data = {
        "description": "Groceries for this week, I can't leave the flat",
        "category": "Groceries",
        "area": "Riverside",
        "name": "Ana Q",
        "phone": PHONE,
        **extra,
    }
    response = (client or Client()).post(f"/bodies/{body.slug}/help/", data, REMOTE_ADDR="10.0.0.1")
    return response.status_code, response.content.decode()


def _token(page: str) -> str:
    found = re.search(r"/help/([\w-]+)/", page)
    assert found is not None, page
    return found.group(1)


def test_a_member_posts_and_another_claims_then_both_see_contacts(
    hub: Body, bob: Person, carol: Person
) -> None:
    response = _client(bob).post(
        f"/bodies/{hub.slug}/listings/new/",
        {"kind": "need", "title": "Fix my door", "category": "Other", "urgency": "normal",
         "visibility": "members", "contact": "ring twice"},
    )  # fmt: skip
    assert response.status_code == 302
    page = f"/bodies/{hub.slug}/listings/1/"
    before = _client(carol).get(page).content.decode()
    assert "ring twice" not in before and bob.email not in before
    assert _client(carol).post(f"{page}claim/", {"contact": "carol-line"}).status_code == 302
    after_for_carol = _client(carol).get(page).content.decode()
    after_for_bob = _client(bob).get(page).content.decode()
    assert "ring twice" in after_for_carol and bob.email in after_for_carol
    assert "carol-line" in after_for_bob and carol.email in after_for_bob


def test_a_bad_listing_form_answers_422(hub: Body, bob: Person) -> None:
    response = _client(bob).post(f"/bodies/{hub.slug}/listings/new/", {"kind": "nope"})
    assert response.status_code == 422


def test_a_listings_hours_are_read_as_the_ledger_reads_them(
    timebank: Body, hours: Any, bob: Person
) -> None:
    url = f"/bodies/{timebank.slug}/listings/new/"
    data = {"kind": "offer", "title": "Fix a bike", "category": "Repairs", "urgency": "normal",
            "visibility": "members"}  # fmt: skip
    for bad in ("1e1", "1,500", "٣", "-1"):
        response = _client(bob).post(url, {**data, "hours": bad})
        assert response.status_code == 422, bad
    assert not Listing.objects.exists()
    assert _client(bob).post(url, {**data, "hours": "1,5"}).status_code == 302
    assert _client(bob).post(url, {**data, "title": "Tea", "hours": ""}).status_code == 302
    assert _client(bob).post(url, {**data, "title": "Jam", "hours": "0,00"}).status_code == 302
    assert sorted(Listing.objects.values_list("hours", flat=True)) == [0, 0, 1_50]


def test_hidden_listings_are_404_like_missing_ones(hub: Body, bob: Person, dave: Person) -> None:
    services.listing_create(
        body=hub, by=bob, kind="need", title="Quiet", category="Other", visibility="members"
    )
    hidden = _client(dave).get(f"/bodies/{hub.slug}/listings/1/")
    missing = _client(dave).get(f"/bodies/{hub.slug}/listings/99/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert _client(dave).post(f"/bodies/{hub.slug}/listings/1/claim/").status_code == 404


def test_a_body_without_listings_has_no_listing_pages(assembly: Body, alice: Person) -> None:
    assert _client(alice).get(f"/bodies/{assembly.slug}/listings/").status_code == 404
    assert Client().get(f"/bodies/{assembly.slug}/help/").status_code == 404


def test_a_stranger_asks_for_help_and_follows_it(hub: Body, alice: Person, carol: Person) -> None:
    status, page = _ask(hub)
    assert status == 200
    token = _token(page)
    request = HelpRequest.objects.get()
    assert token not in request.digest and request.phone == PHONE
    follow = Client().get(f"/help/{token}/").content.decode()
    assert "Received" in follow and PHONE not in follow
    listing = request.listing
    services.triage_dispatch(listing=listing, by=alice, volunteer=carol)
    assert "A volunteer has been asked" in Client().get(f"/help/{token}/").content.decode()
    assert Client().get("/help/not-a-token/").status_code == 404


def test_the_honeypot_stops_bots(hub: Body) -> None:
    status, _ = _ask(hub, website="http://spam.example")
    assert status == 400 or status == 422
    assert not HelpRequest.objects.exists()


def test_the_form_asks_only_the_fields_the_hub_chose(hub: Body) -> None:
    page = Client().get(f"/bodies/{hub.slug}/help/").content.decode()
    assert 'name="phone"' in page and 'name="address"' not in page
    _ask(hub, address="12 Secret Lane")
    assert HelpRequest.objects.get().address == ""


def test_intake_is_rate_limited_by_address(hub: Body) -> None:
    for _ in range(services.INTAKE_LIMIT_PER_HOUR):
        assert _ask(hub)[0] == 200
    status, page = _ask(hub)
    assert status == 429 and "too many requests" in page.lower()
    other = Client().post(
        f"/bodies/{hub.slug}/help/",
        {"description": "x", "category": "Groceries", "phone": PHONE},
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 200
    assert HelpRequest.objects.count() == services.INTAKE_LIMIT_PER_HOUR + 1


def test_coordinators_triage_dispatch_and_the_volunteer_is_emailed(
    hub: Body, alice: Person, bob: Person, carol: Person, django_capture_on_commit_callbacks: Any
) -> None:
    _ask(hub)
    _ask(hub, description="Groceries again please")
    coordinator = _client(alice)
    queue = coordinator.get(f"/bodies/{hub.slug}/listings/queue/")
    assert queue.status_code == 200 and "Groceries again" in queue.content.decode()
    assert _client(bob).get(f"/bodies/{hub.slug}/listings/queue/").status_code == 404
    base = f"/bodies/{hub.slug}/listings"
    assert coordinator.post(f"{base}/1/urgency/", {"urgency": "urgent"}).status_code == 302
    assert coordinator.post(f"{base}/2/merge/", {"into": 1}).status_code == 302
    assert Listing.objects.get(number=2).status == "withdrawn"
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(f"{base}/1/dispatch/", {"volunteer": carol.pk})
    assert response.status_code == 302
    listing = Listing.objects.get(number=1)
    assert (listing.urgency, listing.status, listing.counterpart) == ("urgent", "claimed", carol)
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert PHONE not in mail.outbox[0].body


def test_requester_contact_is_for_coordinator_and_volunteer_and_every_view_is_logged(
    hub: Body, alice: Person, bob: Person, carol: Person
) -> None:
    _ask(hub)
    page = f"/bodies/{hub.slug}/listings/1/contact/"
    assert _client(carol).get(page).status_code == 404
    assert PHONE in _client(alice).get(page).content.decode()
    services.triage_dispatch(listing=Listing.objects.get(), by=alice, volunteer=carol)
    assert PHONE in _client(carol).get(page).content.decode()
    assert _client(bob).get(page).status_code == 404
    assert list(ContactView.objects.values_list("viewer__email", flat=True)) == [
        carol.email,
        alice.email,
    ]
    audit = _client(bob).get(f"/bodies/{hub.slug}/listings/audit/").content.decode()
    assert "Alice" in audit and "Carol" in audit and PHONE not in audit


def test_the_volunteer_completes_and_the_requester_sees_it_done(
    hub: Body, alice: Person, carol: Person
) -> None:
    token = _token(_ask(hub)[1])
    services.triage_dispatch(listing=Listing.objects.get(), by=alice, volunteer=carol)
    base = f"/bodies/{hub.slug}/listings/1"
    assert _client(carol).post(f"{base}/start/").status_code == 302
    assert _client(carol).post(f"{base}/complete/").status_code == 302
    assert "Done" in Client().get(f"/help/{token}/").content.decode()


def test_the_dashboard_draws_charts_for_members_only(hub: Body, bob: Person, dave: Person) -> None:
    _ask(hub)
    page = _client(bob).get(f"/bodies/{hub.slug}/listings/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "style=" not in html
    assert "Groceries: 1" in html
    assert _client(dave).get(f"/bodies/{hub.slug}/listings/dashboard/").status_code == 404


def test_the_list_page_filters(hub: Body, bob: Person) -> None:
    services.listing_create(body=hub, by=bob, kind="offer", title="Soup", category="Meals")
    services.listing_create(body=hub, by=bob, kind="need", title="Pills", category="Medicine")
    page = _client(bob).get(f"/bodies/{hub.slug}/listings/", {"category": "Meals"}).content.decode()
    assert "Soup" in page and "Pills" not in page


def test_the_list_page_makes_a_bounded_number_of_queries(
    hub: Body, bob: Person, carol: Person, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        listing = services.listing_create(
            body=hub, by=bob, kind="offer", title=f"Offer {n}", category="Meals"
        )
        if n % 2:
            services.listing_claim(listing=listing, by=carol)
    client = _client(carol)
    with django_assert_max_num_queries(15):
        page = client.get(f"/bodies/{hub.slug}/listings/", {"status": "all"})
    assert page.content.decode().count("Offer ") == 12


def test_a_volunteer_hands_a_dispatched_request_back_and_loses_its_contact(
    hub: Body, alice: Person, bob: Person, carol: Person
) -> None:
    _ask(hub)
    services.triage_dispatch(listing=Listing.objects.get(), by=alice, volunteer=carol)
    base = f"/bodies/{hub.slug}/listings/1"
    assert "Hand it back" in _client(carol).get(f"{base}/").content.decode()
    assert _client(bob).post(f"{base}/release/").status_code == 404
    assert _client(carol).post(f"{base}/release/").status_code == 302
    listing = Listing.objects.get()
    assert (listing.status, listing.counterpart) == ("open", None)
    assert _client(carol).get(f"{base}/contact/").status_code == 404
    assert _client(carol).post(f"{base}/release/").status_code == 404
