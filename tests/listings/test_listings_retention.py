"""Retention: contact details are erased the hub's number of days after closing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.listings import services
from dualpower.listings.models import HelpRequest, Listing
from dualpower.listings.tasks import listings_retention


def _request(hub: Body) -> HelpRequest:
    request, _ = services.help_request_create(
        body=hub, client_address="a", description="Meals", category="Meals",
        contact={"name": "Yara", "phone": "555 0101"},
    )  # fmt: skip
    return request


def test_contact_details_are_erased_after_the_retention_days_and_statistics_stay(
    hub: Body, alice: Person, carol: Person
) -> None:
    request = _request(hub)
    kept = _request(hub)
    services.triage_dispatch(listing=request.listing, by=alice, volunteer=carol)
    services.listing_complete(listing=request.listing, by=carol)
    now = timezone.now()
    assert services.retention_sweep(now=now + timedelta(days=29))["erased"] == 0
    assert services.retention_sweep(now=now + timedelta(days=31))["erased"] == 1
    request.refresh_from_db()
    assert (request.name, request.phone, request.erased_at is not None) == ("", "", True)
    kept.refresh_from_db()
    assert kept.phone == "555 0101"  # still open: nothing erased
    stats = services.hub_settings(body=hub)
    assert stats.retention_days == 30
    assert Listing.objects.get(pk=request.listing_id).category == "Meals"


def test_the_hub_sets_its_own_retention_and_closing_schedules_the_sweep(
    hub: Body, alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    services.hub_settings_update(body=hub, by="decision #2", retention_days=0)
    request = _request(hub)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_withdraw(listing=request.listing, by=alice)
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("listings_retention") and queued.run_after is not None
    assert services.retention_sweep()["erased"] == 1


def test_open_listings_past_their_date_expire(hub: Body, bob: Person) -> None:
    services.listing_create(
        body=hub, by=bob, kind="offer", title="Old", category="Other",
        expires_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip
    result = listings_retention.call()
    assert result["expired"] == 1 and Listing.objects.get().status == "expired"
