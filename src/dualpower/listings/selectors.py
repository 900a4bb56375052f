"""Reads about listings: search, the intake queue, the audit trail, matching, statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy as body_policy
from dualpower.bodies.models import Body, Membership
from dualpower.core.errors import NotFound

from . import policy
from .models import ContactView, HelpRequest, Listing

URGENCY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
ACTIVE = (Listing.Status.CLAIMED, Listing.Status.IN_PROGRESS)


def _visible(body: Body, viewer: Any) -> Q:
    """The listings of ``body`` that ``viewer`` may see, as one SQL condition built from
    the same policy answers as ``policy.may_see``."""
    allowed = [Listing.Visibility.PUBLIC] if body_policy.can(viewer, "body.read", body) else []
    if body_policy.is_member(viewer, body):
        allowed.append(Listing.Visibility.MEMBERS)
    if policy.may_coordinate(viewer, body):
        allowed.append(Listing.Visibility.COORDINATORS)
    condition = Q(visibility__in=allowed)
    if getattr(viewer, "is_authenticated", False):
        condition |= Q(owner=viewer) | Q(counterpart=viewer)
    return condition


def listing_search(
    *,
    body: Body,
    viewer: Any,
    kind: str = "",
    category: str = "",
    area: str = "",
    urgency: str = "",
    status: str = "",
    text: str = "",
) -> QuerySet[Listing]:
    """The listings ``viewer`` may see, filtered; open ones by default, newest first."""
    found = Listing.objects.filter(body=body).filter(_visible(body, viewer))
    for field, value in (("kind", kind), ("category", category), ("area", area)):
        if value:
            found = found.filter(**{field: value})
    if urgency:
        found = found.filter(urgency=urgency)
    found = found.filter(status=status or Listing.Status.OPEN) if status != "all" else found
    if text:
        found = found.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return found.select_related("owner", "counterpart").order_by("-number")


def listing_get(*, body: Body, viewer: Any, number: int) -> Listing:
    """Listing ``number`` of ``body``, or NotFound also when ``viewer`` may not see it."""
    listing = (
        Listing.objects.select_related("body", "owner", "counterpart")
        .filter(body=body, number=number)
        .first()
    )
    if listing is None or not policy.may_see(viewer, listing):
        raise NotFound("no such listing")
    return listing


def my_listings(*, body: Body, person: Any) -> QuerySet[Listing]:
    if not getattr(person, "is_authenticated", False):
        return Listing.objects.none()
    return Listing.objects.filter(body=body).filter(Q(owner=person) | Q(counterpart=person))


def intake_queue(*, body: Body) -> list[HelpRequest]:
    """Requests from the public form still open, most urgent and oldest first."""
    requests = HelpRequest.objects.filter(
        body=body, merged_into__isnull=True, listing__status__in=[Listing.Status.OPEN, *ACTIVE]
    ).select_related("listing", "listing__counterpart")
    return sorted(requests, key=lambda r: (URGENCY_ORDER[r.listing.urgency], r.listing.created_at))


def help_request_of(*, listing: Listing) -> HelpRequest | None:
    return HelpRequest.objects.filter(listing=listing).first()


def contact_views(*, body: Body, limit: int = 200) -> QuerySet[ContactView]:
    return (
        ContactView.objects.filter(body=body)
        .select_related("viewer", "help_request__listing")
        .order_by("-viewed_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Candidate:
    person: Person
    score: int
    reasons: tuple[str, ...]


def volunteers_ranked(*, listing: Listing, limit: int = 10) -> list[Candidate]:
    """Members ranked for a need: who offers in its category (3), in its area (2), says
    when they are available on such an offer (1), and is not already busy (-1 each)."""
    members = Person.objects.filter(
        memberships__body=listing.body, memberships__status=Membership.Status.MEMBER
    ).exclude(pk=listing.owner_id or 0)
    offers = Listing.objects.filter(
        body=listing.body, kind=Listing.Kind.OFFER, status=Listing.Status.OPEN
    )
    busy = dict(
        Listing.objects.filter(body=listing.body, status__in=ACTIVE, counterpart__isnull=False)
        .values_list("counterpart")
        .annotate(n=Count("pk"))
        .values_list("counterpart", "n")
    )
    by_owner: dict[int, list[Listing]] = {}
    for offer in offers:
        if offer.owner_id is not None:
            by_owner.setdefault(offer.owner_id, []).append(offer)
    ranked = []
    for person in members:
        mine = by_owner.get(person.pk, [])
        reasons: list[str] = []
        score = 0
        if any(o.category == listing.category for o in mine):
            score, reasons = score + 3, [*reasons, f"offers {listing.category}"]
        if listing.area and any(o.area == listing.area for o in mine):
            score, reasons = score + 2, [*reasons, f"in {listing.area}"]
        if any(o.when for o in mine if o.category == listing.category):
            score, reasons = score + 1, [*reasons, "has said when they are free"]
        if busy.get(person.pk):
            score, reasons = score - busy[person.pk], [*reasons, f"busy with {busy[person.pk]}"]
        ranked.append(Candidate(person=person, score=score, reasons=tuple(reasons)))
    ranked.sort(key=lambda c: (-c.score, c.person.name))
    return ranked[:limit]


@dataclass(frozen=True)
class HubStats:
    by_category: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    median_first_response_hours: float | None
    done: int


AGE_BUCKETS = ((1, "under a day"), (3, "1 to 3 days"), (7, "3 to 7 days"), (10**6, "over a week"))


def hub_stats(*, body: Body, now: datetime | None = None) -> HubStats:
    """Counts only (no titles, no people): open needs by category, area and age, and the
    median time from a need being posted to its first match."""
    now = now or timezone.now()
    needs = Listing.objects.filter(body=body, kind=Listing.Kind.NEED)
    open_needs = needs.filter(status=Listing.Status.OPEN)
    by_category = list(
        open_needs.values_list("category").annotate(n=Count("pk")).order_by("category")
    )
    by_area = [
        (area or "no area", n)
        for area, n in open_needs.values_list("area").annotate(n=Count("pk")).order_by("area")
    ]
    ages = [0] * len(AGE_BUCKETS)
    for created in open_needs.values_list("created_at", flat=True):
        days = (now - created) / timedelta(days=1)
        ages[next(i for i, (limit, _) in enumerate(AGE_BUCKETS) if days < limit)] += 1
    waits = [
        (matched - created) / timedelta(hours=1)
        for created, matched in needs.filter(matched_at__isnull=False).values_list(
            "created_at", "matched_at"
        )
        if matched is not None
    ]
    return HubStats(
        by_category=[(c, n) for c, n in by_category],
        by_area=by_area,
        by_age=[(label, ages[i]) for i, (_, label) in enumerate(AGE_BUCKETS)],
        median_first_response_hours=round(median(waits), 1) if waits else None,
        done=needs.filter(status=Listing.Status.DONE).count(),
    )
