"""``/api/v1/bodies/{slug}/listings``: listings over the API, thin over the services.

Every operation fetches the hub through ``listings.policy.hub_for`` and the listing
through ``selectors.listing_get``, so a body or listing one may not see answers the same
404 as a missing one. Contact details appear only where ``listings.policy`` says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from dualpower.api.auth import READ, WRITE, person, person_or_none
from dualpower.api.schemas import In, Problem
from dualpower.core.errors import Invalid, NotFound

from . import policy, selectors, services
from .forms import HONEYPOT
from .models import Listing

router = Router(tags=["listings"])
PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (401, 403, 404, 409, 422, 429)}
INTAKE_PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (400, 404, 422, 429)}


class ContactOut(Schema):
    name: str
    email: str
    note: str


class ListingOut(Schema):
    number: int
    kind: str
    title: str
    description: str
    category: str
    area: str
    urgency: str
    when: str
    hours: int = Field(description="hundredths of an hour")
    visibility: str
    status: str
    created_at: datetime
    from_help_form: bool
    contacts: list[ContactOut] = Field(
        description="both sides' contact details: only for the two sides, after the match"
    )


class ListingIn(In):
    kind: str
    title: str
    description: str = ""
    category: str
    area: str = ""
    urgency: str = "normal"
    when: str = ""
    visibility: str = "members"
    hours: int = Field(default=0, description="hundredths of an hour")
    contact: str = ""


class ClaimIn(In):
    contact: str = ""


class Filters(Schema):
    kind: str = ""
    category: str = ""
    area: str = ""
    urgency: str = ""
    status: str = Field(default="", description="open by default; 'all' for any")
    text: str = ""


class HelpIn(In):
    description: str = Field(max_length=4000, description="what the person needs")
    category: str = Field(max_length=60, description="one of the hub's categories")
    area: str = Field(default="", max_length=60, description="one of the hub's areas, or none")
    when: str = Field(default="", max_length=120)
    name: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=200)
    website: str = Field(
        default="", max_length=200, description="leave empty (a honeypot: bots fill it in)"
    )


class HelpOut(Schema):
    follow_up: str = Field(
        description="the private link where the requester follows the status (shown once)"
    )


class ContactViewOut(Schema):
    viewer: str
    listing: int
    viewed_at: datetime


class StatsOut(Schema):
    by_category: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    median_first_response_hours: float | None
    done: int


def _out(listing: Listing, viewer: Any) -> ListingOut:
    contacts = []
    if policy.may_see_contacts(viewer, listing):
        for who, note in (
            (listing.owner, listing.owner_contact),
            (listing.counterpart, listing.counterpart_contact),
        ):
            if who is not None:
                contacts.append(ContactOut(name=who.name, email=who.email, note=note))
    return ListingOut(
        number=listing.number,
        kind=listing.kind,
        title=listing.title,
        description=listing.description,
        category=listing.category,
        area=listing.area,
        urgency=listing.urgency,
        when=listing.when,
        hours=listing.hours,
        visibility=listing.visibility,
        status=listing.status,
        created_at=listing.created_at,
        from_help_form=listing.owner_id is None,
        contacts=contacts,
    )


def _get(request: HttpRequest, slug: str, number: int) -> Listing:
    body = policy.hub_for(person_or_none(request), slug)
    return selectors.listing_get(body=body, viewer=person_or_none(request), number=number)


@router.get("/{slug}/listings", auth=READ, response={200: list[ListingOut], **PROBLEMS})
def listing_list(request: HttpRequest, slug: str, filters: Query[Filters]) -> list[ListingOut]:
    """Offers and needs you may see, filtered (open ones unless ``status`` says otherwise)."""
    viewer = person_or_none(request)
    body = policy.hub_for(viewer, slug)
    found = selectors.listing_search(body=body, viewer=viewer, **filters.model_dump())[:200]
    return [_out(listing, viewer) for listing in found]


@router.post("/{slug}/listings", auth=WRITE, response={201: ListingOut, **PROBLEMS})
def listing_create(request: HttpRequest, slug: str, payload: ListingIn) -> Status[ListingOut]:
    """Post an offer or a need (members)."""
    me = person(request)
    body = policy.hub_for(me, slug)
    listing = services.listing_create(body=body, by=me, **payload.model_dump())
    return Status(201, _out(listing, me))


@router.post("/{slug}/help", auth=None, response={201: HelpOut, **INTAKE_PROBLEMS})
def help_request_create(request: HttpRequest, slug: str, payload: HelpIn) -> Status[HelpOut]:
    """Ask the hub for help without an account (its public form). Only the contact fields
    the hub's charter asks for are kept; at most a few requests an hour per address."""
    body = policy.hub_for(None, slug)
    data = payload.model_dump()
    if data.pop(HONEYPOT):
        raise Invalid("this request could not be accepted")
    contact = {f: data.pop(f) for f in ("name", "phone", "email", "address")}
    _, token = services.help_request_create(
        body=body,
        client_address=request.META.get("REMOTE_ADDR") or "unknown",
        contact=contact,
        **data,
    )
    link = request.build_absolute_uri(reverse("listings:follow_up", args=[token]))
    return Status(201, HelpOut(follow_up=link))


@router.get("/{slug}/listings/queue", auth=WRITE, response={200: list[ListingOut], **PROBLEMS})
def listing_queue(request: HttpRequest, slug: str) -> list[ListingOut]:
    """Requests from the public help form still open (coordinators: ``aid.triage``)."""
    me = person(request)
    body = policy.hub_for(me, slug)
    if not policy.may_coordinate(me, body):
        raise NotFound("no such page")
    return [_out(r.listing, me) for r in selectors.intake_queue(body=body)]


@router.get(
    "/{slug}/listings/contact-views", auth=WRITE, response={200: list[ContactViewOut], **PROBLEMS}
)
def listing_contact_views(request: HttpRequest, slug: str) -> list[ContactViewOut]:
    """Who was shown a requester's contact details, and when (members)."""
    me = person(request)
    body = policy.hub_for(me, slug)
    if not policy.may_audit(me, body):
        raise NotFound("no such page")
    return [
        ContactViewOut(
            viewer=v.viewer.name, listing=v.help_request.listing.number, viewed_at=v.viewed_at
        )
        for v in selectors.contact_views(body=body)
    ]


@router.get("/{slug}/listings/stats", auth=WRITE, response={200: StatsOut, **PROBLEMS})
def listing_stats(request: HttpRequest, slug: str) -> StatsOut:
    """Counts of open needs by category, area and age; median time to first response."""
    me = person(request)
    body = policy.hub_for(me, slug)
    if not policy.may_audit(me, body):
        raise NotFound("no such page")
    stats = selectors.hub_stats(body=body)
    return StatsOut(**stats.__dict__)


@router.get("/{slug}/listings/{number}", auth=READ, response={200: ListingOut, **PROBLEMS})
def listing_get(request: HttpRequest, slug: str, number: int) -> ListingOut:
    return _out(_get(request, slug, number), person_or_none(request))


@router.get(
    "/{slug}/listings/{number}/requester", auth=WRITE, response={200: dict[str, str], **PROBLEMS}
)
def listing_requester(request: HttpRequest, slug: str, number: int) -> dict[str, str]:
    """The contact details of the person who asked through the help form (coordinators and
    the assigned volunteer); every call is logged for the members to audit."""
    listing = _get(request, slug, number)
    help_request = selectors.help_request_of(listing=listing)
    if help_request is None:
        raise NotFound("no such request")
    return services.requester_contact_show(request=help_request, viewer=person(request))


def _reloaded(listing: Listing, viewer: Any) -> ListingOut:
    return _out(Listing.objects.select_related("owner", "counterpart").get(pk=listing.pk), viewer)


@router.post("/{slug}/listings/{number}/claim", auth=WRITE, response={200: ListingOut, **PROBLEMS})
def listing_claim(request: HttpRequest, slug: str, number: int, payload: ClaimIn) -> ListingOut:
    """Claim a need or answer an offer (another member); matches the two sides, who see
    each other's contact details from then on."""
    me, listing = person(request), _get(request, slug, number)
    return _reloaded(services.listing_claim(listing=listing, by=me, contact=payload.contact), me)


@router.post("/{slug}/listings/{number}/start", auth=WRITE, response={200: ListingOut, **PROBLEMS})
def listing_start(request: HttpRequest, slug: str, number: int) -> ListingOut:
    """One side says the work has begun."""
    me, listing = person(request), _get(request, slug, number)
    return _reloaded(services.listing_start(listing=listing, by=me), me)


@router.post(
    "/{slug}/listings/{number}/complete", auth=WRITE, response={200: ListingOut, **PROBLEMS}
)
def listing_complete(request: HttpRequest, slug: str, number: int) -> ListingOut:
    """The exchange is done; in a time bank, the giver's hours are recorded in the ledger
    for the receiver to confirm."""
    me, listing = person(request), _get(request, slug, number)
    return _reloaded(services.listing_complete(listing=listing, by=me), me)


@router.post(
    "/{slug}/listings/{number}/withdraw", auth=WRITE, response={200: ListingOut, **PROBLEMS}
)
def listing_withdraw(request: HttpRequest, slug: str, number: int) -> ListingOut:
    """The owner withdraws the listing."""
    me, listing = person(request), _get(request, slug, number)
    return _reloaded(services.listing_withdraw(listing=listing, by=me), me)
