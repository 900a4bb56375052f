"""The public help form over the API: no account, the hub's fields only, a honeypot, a
rate limit, and a 201 with the private follow-up link."""

from __future__ import annotations

from typing import Any

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualpower.bodies.models import Body
from dualpower.listings import selectors, services
from dualpower.listings.models import HelpRequest, IntakeCounter, Listing

PHONE = "07700 900 463"


def _ask(body: Body, remote: str = "10.0.0.1", **changes: Any) -> Any:
    payload = {
        "description": "Medicine from the pharmacy on Hill Street",
        "category": "Medicine",
        "area": "Old Town",
        "name": "Ana Q",
        "phone": PHONE,
        **changes,
    }
    return Client().post(
        f"/api/v1/bodies/{body.slug}/help",
        payload,
        content_type="application/json",
        REMOTE_ADDR=remote,
    )


def test_a_stranger_asks_over_the_api_and_follows_the_link(hub: Body) -> None:
    response = _ask(hub, address="12 Secret Lane")
    assert response.status_code == 201
    link = response.json()["follow_up"]
    assert link.startswith("http://testserver/help/")
    request = HelpRequest.objects.get()
    assert request.phone == PHONE and request.name == "Ana Q" and request.address == ""
    assert request.listing.visibility == Listing.Visibility.COORDINATORS
    assert link.rsplit("/", 2)[-2] not in request.digest
    page = Client().get(link.removeprefix("http://testserver")).content.decode()
    assert "Received" in page and PHONE not in page
    assert [r.pk for r in selectors.intake_queue(body=hub)] == [request.pk]


def test_only_the_fields_the_hub_asks_for_are_kept(hub: Body) -> None:
    assert _ask(hub, address="99 Hidden Road", email="ana@example.org").status_code == 201
    kept = HelpRequest.objects.get()
    assert kept.email == "ana@example.org" and kept.address == ""


def test_the_honeypot_stops_bots(hub: Body) -> None:
    response = _ask(hub, website="http://spam.example")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not HelpRequest.objects.exists()


def test_intake_is_rate_limited_by_address(hub: Body) -> None:
    for _ in range(services.INTAKE_LIMIT_PER_HOUR):
        assert _ask(hub).status_code == 201
    refused = _ask(hub)
    assert refused.status_code == 429 and refused.json()["title"] == "Too many requests"
    assert _ask(hub, remote="10.0.0.2").status_code == 201
    assert HelpRequest.objects.count() == services.INTAKE_LIMIT_PER_HOUR + 1


def test_bad_requests_are_problem_json_never_500(hub: Body) -> None:
    cases: list[dict[str, Any]] = [
        {"category": "Spaceships"},
        {"description": "   "},
        {"phone": "", "email": ""},
        {"phone": "call me maybe"},
        {"email": "x" * 250 + "@example.org"},
        {"description": "a\x00b"},
        {"name": "Ana\x00"},
        {"category": 7},
        {"area": "Nowhere"},
    ]
    for changes in cases:
        response = _ask(hub, **changes)
        assert response.status_code == 422, (changes, response.content)
        assert response["Content-Type"] == "application/problem+json"
    assert not HelpRequest.objects.exists()


def test_hubs_one_may_not_see_or_without_listings_answer_404(assembly: Body) -> None:
    missing = _ask_at("no-such-body")
    hidden = _ask_at(assembly.slug)
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content


def _ask_at(slug: str) -> Any:
    return Client().post(
        f"/api/v1/bodies/{slug}/help",
        {"description": "x", "category": "Other", "phone": PHONE},
        content_type="application/json",
    )


FIELDS = ("description", "category", "area", "when", "name", "phone", "email", "address",
          "website", "extra")  # fmt: skip
scalar = st.one_of(
    st.text(max_size=300),
    st.just("nul\x00byte"),
    st.sampled_from(["", "Medicine", "Old Town", "a@b.c", PHONE]),
    st.integers(),
    st.none(),
    st.booleans(),
)
payloads = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(scalar, st.lists(scalar, max_size=3))),
    st.lists(scalar, max_size=3),
    scalar,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads)
def test_the_intake_endpoint_never_answers_500(hub: Body, payload: Any) -> None:
    IntakeCounter.objects.all().delete()  # the rate limit is tested on its own
    response = Client().post(
        f"/api/v1/bodies/{hub.slug}/help", payload, content_type="application/json"
    )
    assert response.status_code in (201, 400, 422), response.content
