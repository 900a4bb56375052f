"""Listings over the API: the same rules as the pages, as problem JSON."""

from __future__ import annotations

from typing import Any

from django.test import Client

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.models import Body
from dualpower.listings import services
from dualpower.listings.models import ContactView, Listing


class Api:
    def __init__(self, person: Person | None = None) -> None:
        self.client = Client()
        self.headers = {}
        if person is not None:
            _, token = api_token_create(person=person, label="tests")
            self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/bodies{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"/api/v1/bodies{path}", body or {}, content_type="application/json",
            headers=self.headers,
        )  # fmt: skip


def test_members_post_claim_and_finish_over_the_api(hub: Body, bob: Person, carol: Person) -> None:
    base = f"/{hub.slug}/listings"
    created = Api(bob).post(
        base,
        {"kind": "offer", "title": "Soup on Sundays", "category": "Meals",
         "visibility": "public", "contact": "bob-flat-3"},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["contacts"] == []
    assert Api().get(base).json()[0]["title"] == "Soup on Sundays"
    assert Api().get(f"{base}/1").json()["contacts"] == []
    claimed = Api(carol).post(f"{base}/1/claim", {"contact": "carol-flat-9"})
    assert claimed.status_code == 200
    notes = {c["note"] for c in claimed.json()["contacts"]}
    assert notes == {"bob-flat-3", "carol-flat-9"}
    assert Api().get(f"{base}/1").json()["contacts"] == []
    assert Api(carol).post(f"{base}/1/start").json()["status"] == "in_progress"
    assert Api(bob).post(f"{base}/1/complete").json()["status"] == "done"
    again = Api(bob).post(f"{base}/1/complete")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


def test_refusals_are_problem_json(hub: Body, bob: Person, dave: Person) -> None:
    base = f"/{hub.slug}/listings"
    services.listing_create(
        body=hub, by=bob, kind="need", title="Quiet", category="Other", visibility="members"
    )
    hidden, missing = Api(dave).get(f"{base}/1"), Api(dave).get(f"{base}/9")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert Api(dave).post(f"{base}/1/claim").status_code == 404
    bad = Api(bob).post(base, {"kind": "need", "title": "x", "category": "Nope"})
    assert bad.status_code == 422
    assert (
        Api(dave).post(base, {"kind": "need", "title": "x", "category": "Other"}).status_code == 403
    )
    assert Api().post(base, {"kind": "need", "title": "x", "category": "Other"}).status_code == 401
    assert Api(bob).get(f"{base}/queue").status_code == 404


def test_coordinators_read_the_queue_and_the_requester_and_members_audit(
    hub: Body, alice: Person, bob: Person
) -> None:
    request, _ = services.help_request_create(
        body=hub, client_address="x", description="Rent help", category="Rent and bills",
        contact={"name": "Zed", "phone": "0123 456"},
    )  # fmt: skip
    base = f"/{hub.slug}/listings"
    queue = Api(alice).get(f"{base}/queue").json()
    assert [q["title"] for q in queue] == ["Rent help"] and "0123 456" not in str(queue)
    assert Api(bob).get(f"{base}/1/requester").status_code == 404
    assert Api(alice).get(f"{base}/1/requester").json() == {"name": "Zed", "phone": "0123 456"}
    assert ContactView.objects.filter(help_request=request).count() == 1
    audit = Api(bob).get(f"{base}/contact-views").json()
    assert [a["viewer"] for a in audit] == ["Alice"]
    stats = Api(bob).get(f"{base}/stats").json()
    assert stats["by_category"] == [["Rent and bills", 1]]
    assert Listing.objects.get().visibility == "coordinators"
