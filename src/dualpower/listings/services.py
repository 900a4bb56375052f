"""Writes about listings and the mutual-aid hub.

Each service asks ``listings.policy`` first, changes the state and journals the change in
one transaction. Journal entries never carry a requester's contact details, and for a
listing that only coordinators may see, not even its title or category: the journal is
read by every member.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy as body_policy
from dualpower.bodies.journal import journal_append, person_ref
from dualpower.bodies.models import Body
from dualpower.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound

from . import policy
from .models import (
    DEFAULT_RETENTION_DAYS,
    INTAKE_FIELDS,
    MUTUAL_AID_CATEGORIES,
    TIME_BANK_CATEGORIES,
    ContactView,
    HelpRequest,
    HubSettings,
    IntakeCounter,
    Listing,
)

INTAKE_LIMIT_PER_HOUR = 5
PUBLIC_FORM = "public form"
_PHONE = re.compile(r"^[0-9 +()./-]{3,40}$")
MAX_HOURS = 100 * 100  # a hundred hours, in hundredths


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _schedule_sweep(when: datetime) -> None:
    """Have the worker run the retention sweep at ``when`` (after this transaction)."""
    from .tasks import listings_retention

    transaction.on_commit(lambda: listings_retention.using(run_after=when).enqueue())


def _closed(listing: Listing) -> None:
    # A request from the help form: its contact details are due for erasure later.
    if listing.owner_id is None:
        days = hub_settings(body=listing.body).retention_days
        _schedule_sweep(timezone.now() + timedelta(days=days, minutes=1))


# ---------------------------------------------------------------- settings


def hub_settings(*, body: Body) -> HubSettings:
    """The body's hub settings, created with the starter lists of its kind on first use."""
    found = HubSettings.objects.filter(body=body).first()
    if found is not None:
        return found
    categories = TIME_BANK_CATEGORIES if body.kind == "time_bank" else MUTUAL_AID_CATEGORIES
    found, _ = HubSettings.objects.get_or_create(
        body=body,
        defaults={
            "categories": list(categories),
            "areas": [],
            "intake_fields": ["name", "phone"],
            "retention_days": DEFAULT_RETENTION_DAYS,
        },
    )
    return found


def _clean_names(values: list[str], what: str) -> list[str]:
    cleaned = [v.strip() for v in values if v.strip()]
    if len(cleaned) > 50 or any(len(v) > 60 for v in cleaned):
        raise Invalid(f"{what}: at most 50 names of up to 60 characters")
    return list(dict.fromkeys(cleaned))


def hub_settings_update(
    *,
    body: Body,
    by: str,
    categories: list[str] | None = None,
    areas: list[str] | None = None,
    intake_fields: list[str] | None = None,
    retention_days: int | None = None,
) -> HubSettings:
    """Change the hub's lists and rules. Called by the ``listings_settings`` action of a
    passed decision (``by`` names it)."""
    hub = hub_settings(body=body)
    if categories is not None:
        hub.categories = _clean_names(categories, "categories") or ["Other"]
    if areas is not None:
        hub.areas = _clean_names(areas, "areas")
    if intake_fields is not None:
        unknown = set(intake_fields) - set(INTAKE_FIELDS)
        if unknown:
            raise Invalid(f"unknown intake fields: {', '.join(sorted(unknown))}")
        hub.intake_fields = [f for f in INTAKE_FIELDS if f in intake_fields]
    if retention_days is not None:
        if not 0 <= retention_days <= 3650:
            raise Invalid("retention is 0 to 3650 days")
        hub.retention_days = retention_days
    with transaction.atomic():
        hub.save()
        journal_append(
            body=body,
            kind="listings.settings_changed",
            payload={
                "categories": hub.categories,
                "areas": hub.areas,
                "intake_fields": hub.intake_fields,
                "retention_days": hub.retention_days,
                "by": by,
            },
        )
    return hub


# ---------------------------------------------------------------- listings


def _printable(*values: str) -> None:
    # PostgreSQL refuses NUL characters in text; the forms refuse them, the API must too.
    if any("\x00" in v for v in values):
        raise Invalid("the text contains a NUL character")


def _check_fields(
    hub: HubSettings, *, title: str, description: str, category: str, area: str, when: str
) -> None:
    _printable(title, description, category, area, when)
    if not title or len(title) > 120:
        raise Invalid("a listing needs a title of 1 to 120 characters")
    if len(description) > 4000:
        raise Invalid("the description is longer than 4000 characters")
    if category not in hub.categories:
        raise Invalid(f"choose a category of this body: {', '.join(hub.categories)}")
    if area and area not in hub.areas:
        raise Invalid("choose one of this body's areas, or none")
    if len(when) > 120:
        raise Invalid("'when' is longer than 120 characters")


def _choice(value: str, choices: type[Any], what: str) -> str:
    if value not in choices.values:
        raise Invalid(f"{what} must be one of {', '.join(choices.values)}")
    return value


def _journal(listing: Listing, event: str, **extra: Any) -> None:
    payload: dict[str, Any] = {"listing": listing.number, "status": listing.status}
    if listing.visibility != Listing.Visibility.COORDINATORS:
        payload |= {"kind": listing.kind, "category": listing.category}
    journal_append(body=listing.body, kind=f"listing.{event}", payload=payload | extra)


def _next_number(body: Body) -> int:
    # Call inside the transaction that inserts the listing: the body's row stays locked
    # until it commits, so two listings posted at once never take the same number
    # (tests/listings/test_listings_concurrency.py).
    Body.objects.select_for_update().filter(pk=body.pk).values_list("pk").get()
    top = Listing.objects.filter(body=body).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def listing_create(
    *,
    body: Body,
    by: Person,
    kind: str,
    title: str,
    description: str = "",
    category: str,
    area: str = "",
    urgency: str = Listing.Urgency.NORMAL,
    when: str = "",
    visibility: str = Listing.Visibility.MEMBERS,
    hours: int = 0,
    contact: str = "",
    expires_at: datetime | None = None,
) -> Listing:
    """A member posts an offer or a need."""
    if not policy.may_post(by, body):
        raise NotAllowed("only members post offers and needs")
    _choice(kind, Listing.Kind, "kind")
    _choice(urgency, Listing.Urgency, "urgency")
    _choice(visibility, Listing.Visibility, "visibility")
    title, description, area, when = title.strip(), description.strip(), area.strip(), when.strip()
    _check_fields(
        hub_settings(body=body),
        title=title,
        description=description,
        category=category,
        area=area,
        when=when,
    )
    if not 0 <= hours <= MAX_HOURS:
        raise Invalid("hours must be between 0 and 100")
    _printable(contact)
    if len(contact) > 200:
        raise Invalid("the contact note is longer than 200 characters")
    with transaction.atomic():
        listing = Listing.objects.create(
            body=body,
            number=_next_number(body),
            kind=kind,
            title=title,
            description=description,
            category=category,
            area=area,
            urgency=urgency,
            when=when,
            visibility=visibility,
            hours=hours,
            owner=by,
            owner_contact=contact.strip(),
            expires_at=expires_at,
        )
        _journal(listing, "created", by=person_ref(by))
        if expires_at is not None:
            _schedule_sweep(expires_at)
    return listing


def _fresh(listing: Listing) -> Listing:
    # Callers may hold a stale copy; every permission question is asked of the stored row.
    return Listing.objects.select_related("body", "owner", "counterpart").get(pk=listing.pk)


def _locked(listing: Listing) -> Listing:
    return Listing.objects.select_for_update().select_related("body").get(pk=listing.pk)


def listing_claim(*, listing: Listing, by: Person, contact: str = "") -> Listing:
    """A member claims a need or answers an offer: the two sides are matched and each sees
    the other's contact details from now on."""
    listing = _fresh(listing)
    if not policy.may_see(by, listing):
        raise NotFound("no such listing")
    if not policy.may_claim(by, listing):
        raise NotAllowed("only another member can claim this listing")
    _printable(contact)
    if len(contact) > 200:
        raise Invalid("the contact note is longer than 200 characters")
    with transaction.atomic():
        current = _locked(listing)
        if current.status != Listing.Status.OPEN:
            raise Conflict(f"this listing is {current.get_status_display().lower()}")
        current.counterpart = by
        current.counterpart_contact = contact.strip()
        current.status = Listing.Status.CLAIMED
        current.matched_at = timezone.now()
        current.save(update_fields=["counterpart", "counterpart_contact", "status", "matched_at"])
        _journal(current, "claimed", by=person_ref(by))
    return current


def _side_or_coordinator(listing: Listing, by: Person) -> None:
    listing = _fresh(listing)
    if not policy.may_see(by, listing):
        raise NotFound("no such listing")
    if not (policy.is_side(by, listing) or policy.may_coordinate(by, listing.body)):
        raise NotAllowed("only the two sides of this listing (or a coordinator) can do that")


def listing_start(*, listing: Listing, by: Person) -> Listing:
    """One side says the work has begun."""
    _side_or_coordinator(listing, by)
    with transaction.atomic():
        current = _locked(listing)
        if current.status != Listing.Status.CLAIMED:
            raise Conflict(f"this listing is {current.get_status_display().lower()}")
        current.status = Listing.Status.IN_PROGRESS
        current.save(update_fields=["status"])
        _journal(current, "started", by=person_ref(by))
    return current


def listing_release(*, listing: Listing, by: Person) -> Listing:
    """The counterpart (a volunteer who can't help after all) or a coordinator hands a
    claimed listing back: it is open again and the contact details are no longer shown."""
    listing = _fresh(listing)
    if not policy.may_see(by, listing):
        raise NotFound("no such listing")
    counterpart = listing.counterpart_id == by.pk
    if not (counterpart or policy.may_coordinate(by, listing.body)):
        raise NotAllowed("only the person who took it on (or a coordinator) can hand it back")
    with transaction.atomic():
        current = _locked(listing)
        if current.status != Listing.Status.CLAIMED:
            raise Conflict(f"this listing is {current.get_status_display().lower()}")
        current.counterpart = None
        current.counterpart_contact = ""
        current.status = Listing.Status.OPEN
        current.matched_at = None
        current.save(update_fields=["counterpart", "counterpart_contact", "status", "matched_at"])
        _journal(current, "released", by=person_ref(by))
    return current


def _giver_and_receiver(listing: Listing) -> tuple[Person, Person]:
    assert listing.owner is not None and listing.counterpart is not None
    if listing.kind == Listing.Kind.OFFER:
        return listing.owner, listing.counterpart
    return listing.counterpart, listing.owner


def _hours_currency(body: Body) -> Any:
    if "ledger" not in body.charter.modules:
        return None
    from dualpower.ledger.models import Currency

    return Currency.objects.filter(body=body, kind=Currency.Kind.HOURS).order_by("pk").first()


def listing_complete(*, listing: Listing, by: Person) -> Listing:
    """The exchange is done. In a time bank with an hours currency, a listing that names
    hours is settled in the ledger: its giver records the hours (so only the giver marks
    it done), and the receiver confirms them on the ledger's page."""
    listing = _fresh(listing)
    _side_or_coordinator(listing, by)
    currency = _hours_currency(listing.body) if listing.hours and listing.owner_id else None
    with transaction.atomic():
        current = _locked(listing)
        if current.status not in (Listing.Status.CLAIMED, Listing.Status.IN_PROGRESS):
            raise Conflict(f"this listing is {current.get_status_display().lower()}")
        if currency is not None:
            from dualpower.ledger.services import timebank_record

            giver, receiver = _giver_and_receiver(current)
            if giver.pk != by.pk:
                raise NotAllowed(f"{giver.name} gave the hours, so they mark this done")
            current.settlement = timebank_record(
                body=current.body,
                currency=currency,
                by=giver,
                receiver=receiver,
                amount=current.hours,
                memo=f"Listing #{current.number}: {current.title}"[:200],
                client_key=f"listing-{current.pk}",
            )
        current.status = Listing.Status.DONE
        current.closed_at = timezone.now()
        current.save(update_fields=["status", "closed_at", "settlement"])
        _journal(current, "done", by=person_ref(by), settlement=current.settlement_id)
        _closed(current)
    return current


def listing_withdraw(*, listing: Listing, by: Person) -> Listing:
    """The owner (or, for a request from the public form, a coordinator) withdraws it."""
    listing = _fresh(listing)
    if not policy.may_see(by, listing):
        raise NotFound("no such listing")
    owner = listing.owner_id is not None and listing.owner_id == by.pk
    coordinator = listing.owner_id is None and policy.may_coordinate(by, listing.body)
    if not (owner or coordinator):
        raise NotAllowed("only the person who posted it can withdraw this listing")
    with transaction.atomic():
        current = _locked(listing)
        if current.status in (
            Listing.Status.DONE,
            Listing.Status.WITHDRAWN,
            Listing.Status.EXPIRED,
        ):
            raise Conflict(f"this listing is already {current.get_status_display().lower()}")
        current.status = Listing.Status.WITHDRAWN
        current.closed_at = timezone.now()
        current.save(update_fields=["status", "closed_at"])
        _journal(current, "withdrawn", by=person_ref(by))
        _closed(current)
    return current


# ---------------------------------------------------------------- public intake


def _rate_check(*, body: Body, client_address: str, now: datetime) -> None:
    """Count one request from ``client_address`` to ``body`` in this hour; refuse the
    request past ``INTAKE_LIMIT_PER_HOUR``. The address is kept only as a salted digest."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    salt = settings.SECRET_KEY
    key = _digest(f"{salt}|{body.pk}|{client_address}|{hour.isoformat()}")
    # Two first requests in the same hour may race to create the counter; the loser of
    # the unique key reads the winner's row under its lock.
    try:
        with transaction.atomic():
            IntakeCounter.objects.get_or_create(key=key, defaults={"window_start": hour})
    except IntegrityError:
        pass
    with transaction.atomic():
        counter = IntakeCounter.objects.select_for_update().get(key=key)
        if counter.count >= INTAKE_LIMIT_PER_HOUR:
            raise RateLimited("too many requests from your address; try again in an hour")
        counter.count += 1
        counter.save(update_fields=["count"])


def _clean_intake(hub: HubSettings, data: dict[str, str]) -> dict[str, str]:
    out = {f: data.get(f, "").strip() if f in hub.intake_fields else "" for f in INTAKE_FIELDS}
    _printable(*out.values())
    if len(out["name"]) > 120 or len(out["address"]) > 200 or len(out["email"]) > 254:
        raise Invalid("a name is at most 120, an address 200, an e-mail 254 characters")
    if out["phone"] and not _PHONE.match(out["phone"]):
        raise Invalid("a phone number has digits, spaces and + ( ) . / - only")
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            raise Invalid("that is not an e-mail address") from None
    asked = [f for f in ("phone", "email", "address") if f in hub.intake_fields]
    if asked and not any(out[f] for f in asked):
        raise Invalid(f"tell us how to reach you: {' or '.join(asked)}")
    return out


def help_request_create(
    *,
    body: Body,
    client_address: str,
    description: str,
    category: str,
    area: str = "",
    when: str = "",
    contact: dict[str, str] | None = None,
) -> tuple[HelpRequest, str]:
    """Someone without an account asks the hub for help. Returns the request and the
    token of its private follow-up link (shown once; only its digest is stored)."""
    if "listings" not in body.charter.modules:
        raise NotFound("no such body")
    hub = hub_settings(body=body)
    description, area, when = description.strip(), area.strip(), when.strip()
    if not description:
        raise Invalid("say what you need help with")
    _check_fields(
        hub,
        title=description[:60] or "Help request",
        description=description,
        category=category,
        area=area,
        when=when,
    )
    details = _clean_intake(hub, contact or {})
    now = timezone.now()
    _rate_check(body=body, client_address=client_address, now=now)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        listing = Listing.objects.create(
            body=body,
            number=_next_number(body),
            kind=Listing.Kind.NEED,
            title=description.splitlines()[0][:60],
            description=description,
            category=category,
            area=area,
            when=when,
            visibility=Listing.Visibility.COORDINATORS,
        )
        request = HelpRequest.objects.create(
            body=body, listing=listing, digest=_digest(token), **details
        )
        _journal(listing, "requested", by=PUBLIC_FORM)
    return request, token


def help_request_by_token(*, token: str) -> HelpRequest:
    """The request behind a private follow-up link."""
    found = (
        HelpRequest.objects.select_related("listing", "body")
        .filter(digest=_digest(token.strip()))
        .first()
    )
    if found is None:
        raise NotFound("no such request")
    return found


def _coordinator(by: Person, body: Body) -> None:
    if not policy.may_coordinate(by, body):
        raise NotFound("no such listing")


def triage_set_urgency(*, listing: Listing, by: Person, urgency: str) -> Listing:
    _coordinator(by, listing.body)
    _choice(urgency, Listing.Urgency, "urgency")
    with transaction.atomic():
        current = _locked(listing)
        current.urgency = urgency
        current.save(update_fields=["urgency"])
        _journal(current, "urgency_set", urgency=urgency, by=person_ref(by))
    return current


def triage_merge(*, duplicate: HelpRequest, into: HelpRequest, by: Person) -> HelpRequest:
    """A coordinator marks ``duplicate`` as a repeat of ``into``: its listing is withdrawn
    and its follow-up link shows the status of ``into``."""
    _coordinator(by, duplicate.body)
    if into.body_id != duplicate.body_id:
        raise NotFound("no such request")
    if into.pk == duplicate.pk or into.merged_into_id is not None:
        raise Invalid("merge into another request that is not itself merged")
    if duplicate.merged_into_id is not None:
        raise Conflict("this request was already merged")
    with transaction.atomic():
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into"])
        listing = _locked(duplicate.listing)
        if listing.status == Listing.Status.OPEN:
            listing.status = Listing.Status.WITHDRAWN
            listing.closed_at = timezone.now()
            listing.save(update_fields=["status", "closed_at"])
            _closed(listing)
        _journal(listing, "merged", into=into.listing.number, by=person_ref(by))
    return duplicate


def triage_dispatch(*, listing: Listing, by: Person, volunteer: Person) -> Listing:
    """A coordinator dispatches a need to a volunteer, who is e-mailed a link (never the
    requester's details: those are shown, and logged, on the page)."""
    _coordinator(by, listing.body)
    if not body_policy.is_member(volunteer, listing.body):
        raise Invalid(f"{volunteer.name} is not a member of {listing.body.name}")
    if listing.owner_id == volunteer.pk:
        raise Invalid("dispatch to someone other than the person who asked")
    with transaction.atomic():
        current = _locked(listing)
        if current.status != Listing.Status.OPEN:
            raise Conflict(f"this listing is {current.get_status_display().lower()}")
        now = timezone.now()
        current.counterpart = volunteer
        current.status = Listing.Status.CLAIMED
        current.matched_at = now
        current.save(update_fields=["counterpart", "status", "matched_at"])
        HelpRequest.objects.filter(listing=current, first_response_at__isnull=True).update(
            first_response_at=now
        )
        _journal(current, "dispatched", volunteer=person_ref(volunteer), by=person_ref(by))
        url = f"{settings.SITE_URL}/bodies/{current.body.slug}/listings/{current.number}/"
        body_name, email = current.body.name, volunteer.email
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[dualpower] {body_name}: you were asked to help",
                message=f"A coordinator of {body_name} asked you to help with a request.\n"
                f"See it, and how to reach the person, at {url}\n",
                from_email=None,
                recipient_list=[email],
                fail_silently=True,
            )
        )
    return current


def requester_contact_show(*, request: HelpRequest, viewer: Person) -> dict[str, str]:
    """The requester's contact details, for a coordinator or the assigned volunteer; the
    showing is logged for the members to audit."""
    if not policy.may_see_requester(viewer, request):
        raise NotFound("no such request")
    ContactView.objects.create(body=request.body, help_request=request, viewer=viewer)
    return {f: getattr(request, f) for f in INTAKE_FIELDS if getattr(request, f)}


# ---------------------------------------------------------------- retention


def retention_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Expire open listings past their date, erase requesters' contact details the hub's
    retention days after their request closed, and drop old rate-limit counters.
    Listings stay (category, area, dates) for the statistics."""
    now = now or timezone.now()
    expired = Listing.objects.filter(
        status=Listing.Status.OPEN, expires_at__isnull=False, expires_at__lte=now
    ).update(status=Listing.Status.EXPIRED, closed_at=now)
    erased = 0
    days_by_body = dict(HubSettings.objects.values_list("body_id", "retention_days"))
    closed = HelpRequest.objects.filter(
        erased_at__isnull=True, listing__closed_at__isnull=False
    ).select_related("listing")
    for request in closed:
        days = days_by_body.get(request.body_id, DEFAULT_RETENTION_DAYS)
        assert request.listing.closed_at is not None
        if request.listing.closed_at + timedelta(days=days) <= now:
            request.name = request.phone = request.email = request.address = ""
            request.erased_at = now
            request.save(update_fields=["name", "phone", "email", "address", "erased_at"])
            erased += 1
    dropped, _ = IntakeCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return {"expired": expired, "erased": erased, "counters_dropped": dropped}
