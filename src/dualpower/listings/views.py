"""Listings pages under ``/bodies/<slug>/listings/``, the public help form under
``/bodies/<slug>/help/`` and its private follow-up link ``/help/<token>/``.

Each view fetches through ``listings.policy`` (404 for what one may not see), calls one
service or selector and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dualpower.accounts.models import Person
from dualpower.bodies import policy as body_policy
from dualpower.core.errors import Invalid, NotFound
from dualpower.web.errors import domain_errors

from . import charts, forms, policy, selectors, services
from .models import Listing


def _me(request: HttpRequest) -> Person:
    assert isinstance(request.user, Person)
    return request.user


def _listing(request: HttpRequest, slug: str, number: int) -> Listing:
    body = policy.hub_for(request.user, slug)
    return selectors.listing_get(body=body, viewer=request.user, number=number)


def _back(listing: Listing) -> HttpResponse:
    return redirect("listings:detail", slug=listing.body.slug, number=listing.number)


FILTERS = ("kind", "category", "area", "urgency", "status", "text")


@require_GET
@domain_errors
def listing_list(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    chosen = {f: request.GET.get(f, "")[:120] for f in FILTERS}
    found = selectors.listing_search(body=body, viewer=request.user, **chosen)[:100]
    context = {
        "body": body,
        "hub": services.hub_settings(body=body),
        "listings": found,
        "chosen": chosen,
        "statuses": Listing.Status.choices,
        "urgencies": Listing.Urgency.choices,
        "may_post": policy.may_post(request.user, body),
        "may_coordinate": policy.may_coordinate(request.user, body),
        "may_audit": policy.may_audit(request.user, body),
    }
    return render(request, "listings/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def listing_new(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    if not policy.may_post(request.user, body):
        raise NotFound("no such page")
    hub = services.hub_settings(body=body)
    form = forms.ListingForm(request.POST or None, hub=hub)
    if request.method == "POST" and form.is_valid():
        listing = services.listing_create(body=body, by=_me(request), **form.service_args())
        return _back(listing)
    status = 422 if request.method == "POST" else 200
    return render(request, "listings/new.html", {"body": body, "form": form}, status=status)


@require_GET
@domain_errors
def listing_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    listing = _listing(request, slug, number)
    coordinator = policy.may_coordinate(request.user, listing.body)
    request_ = selectors.help_request_of(listing=listing)
    context: dict[str, Any] = {
        "body": listing.body,
        "listing": listing,
        "help_request": request_,
        "sees_contacts": policy.may_see_contacts(request.user, listing),
        "sees_requester": request_ is not None and policy.may_see_requester(request.user, request_),
        "may_claim": listing.status == "open" and policy.may_claim(request.user, listing),
        "is_side": policy.is_side(request.user, listing),
        "coordinator": coordinator,
        "candidates": selectors.volunteers_ranked(listing=listing) if coordinator else [],
        "urgencies": Listing.Urgency.choices,
    }
    return render(request, "listings/detail.html", context)


@login_required
@require_GET
@domain_errors
def requester_contact(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    listing = _listing(request, slug, number)
    help_request = selectors.help_request_of(listing=listing)
    if help_request is None:
        raise NotFound("no such request")
    details = services.requester_contact_show(request=help_request, viewer=_me(request))
    context = {"body": listing.body, "listing": listing, "details": details, "hr": help_request}
    return render(request, "listings/contact.html", context)


def _claim(listing: Listing, by: Person, data: Any) -> Listing:
    form = forms.ClaimForm(data)
    form.is_valid()
    return services.listing_claim(
        listing=listing, by=by, contact=form.cleaned_data.get("contact", "")
    )


def _urgency(listing: Listing, by: Person, data: Any) -> Listing:
    form = forms.UrgencyForm(data)
    if not form.is_valid():
        raise Invalid("choose an urgency")
    return services.triage_set_urgency(listing=listing, by=by, urgency=form.cleaned_data["urgency"])


def _dispatch(listing: Listing, by: Person, data: Any) -> Listing:
    form = forms.DispatchForm(data)
    volunteer = (
        Person.objects.filter(pk=form.cleaned_data["volunteer"]).first()
        if form.is_valid()
        else None
    )
    if volunteer is None:
        raise Invalid("choose a volunteer")
    return services.triage_dispatch(listing=listing, by=by, volunteer=volunteer)


def _merge(listing: Listing, by: Person, data: Any) -> Listing:
    form = forms.MergeForm(data)
    duplicate = selectors.help_request_of(listing=listing)
    into = (
        selectors.listing_get(body=listing.body, viewer=by, number=form.cleaned_data["into"])
        if form.is_valid()
        else None
    )
    target = selectors.help_request_of(listing=into) if into else None
    if duplicate is None or target is None:
        raise Invalid("give the number of another request from the help form")
    services.triage_merge(duplicate=duplicate, into=target, by=by)
    return listing


STEPS = {
    "claim": _claim,
    "start": lambda x, by, _: services.listing_start(listing=x, by=by),
    "complete": lambda x, by, _: services.listing_complete(listing=x, by=by),
    "withdraw": lambda x, by, _: services.listing_withdraw(listing=x, by=by),
    "release": lambda x, by, _: services.listing_release(listing=x, by=by),
    "urgency": _urgency,
    "dispatch": _dispatch,
    "merge": _merge,
}


@login_required
@require_POST
@domain_errors
def listing_step(request: HttpRequest, slug: str, number: int, step: str) -> HttpResponse:
    listing = _listing(request, slug, number)
    if step not in STEPS:
        raise NotFound("no such page")
    return _back(STEPS[step](listing, _me(request), request.POST))


@login_required
@require_GET
@domain_errors
def intake_queue(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    if not policy.may_coordinate(request.user, body):
        raise NotFound("no such page")
    context = {"body": body, "queue": selectors.intake_queue(body=body)}
    return render(request, "listings/queue.html", context)


@login_required
@require_GET
@domain_errors
def contact_audit(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    if not policy.may_audit(request.user, body):
        raise NotFound("no such page")
    context = {"body": body, "views": selectors.contact_views(body=body)}
    return render(request, "listings/audit.html", context)


@login_required
@require_GET
@domain_errors
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    if not body_policy.is_member(request.user, body):
        raise NotFound("no such page")
    stats = selectors.hub_stats(body=body)
    context = {
        "body": body,
        "stats": stats,
        "charts": [
            (title, rows, charts.bar_chart(rows, title=title))
            for title, rows in (
                ("Open needs by category", stats.by_category),
                ("Open needs by area", stats.by_area),
                ("Open needs by age", stats.by_age),
            )
        ],
    }
    return render(request, "listings/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@domain_errors
def help_form(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.hub_for(request.user, slug)
    form = forms.HelpRequestForm(request.POST or None, hub=services.hub_settings(body=body))
    if request.method == "POST":
        if form.is_bot:
            raise Invalid("this request could not be accepted")
        if form.is_valid():
            address = request.META.get("REMOTE_ADDR") or "unknown"
            _, token = services.help_request_create(
                body=body, client_address=address, **form.service_args()
            )
            return render(request, "listings/help_sent.html", {"body": body, "token": token})
    status = 422 if request.method == "POST" else 200
    return render(request, "listings/help_form.html", {"body": body, "form": form}, status=status)


@require_GET
@domain_errors
def help_follow_up(request: HttpRequest, token: str) -> HttpResponse:
    help_request = services.help_request_by_token(token=token)
    shown = help_request.merged_into or help_request
    context = {"body": help_request.body, "listing": shown.listing, "merged": shown != help_request}
    return render(request, "listings/help_status.html", context)
