"""Web pages. Each view fetches, asks ``bodies.policy``, calls one service and renders.

Views that answer htmx requests return the ``_*.html`` partial of the same template set.
Every DomainError becomes a message page with its status (``errors.domain_errors``); a
body the person may not see, or a tab they may not open, is the same 404 as a missing body.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dualpower.accounts import services as accounts
from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors, services
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body
from dualpower.core.errors import Gone, Invalid

from .errors import domain_errors, is_htmx
from .forms import ApiTokenForm, BodyFoundForm, InvitationForm

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])

# (tab, label, the power that opens it); a tab is shown only to those who hold its power.
TABS = (
    ("about", "About", "body.view"),
    ("members", "Members", "members.view"),
    ("charter", "Charter", "body.read"),
    ("mandates", "Mandates", "mandates.view"),
    ("journal", "Journal", "journal.view"),
    ("invite", "Invite", "invite"),
)


def _me(request: HttpRequest) -> Person:
    """The signed-in person (views that call this are behind ``login_required``)."""
    assert isinstance(request.user, Person)
    return request.user


def _page(request: HttpRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _body_page(request: HttpRequest, slug: str, tab: str) -> tuple[Body, dict[str, Any]]:
    """The body behind ``slug`` if the person may open ``tab``, and the page's context."""
    power = next(p for t, _, p in TABS if t == tab)
    body = policy.body_for(request.user, slug, power)
    tabs = [
        (t, label, reverse("web:body" if t == "about" else f"web:body_{t}", args=[body.slug]))
        for t, label, p in TABS
        if policy.can(request.user, p, body)
    ]
    return body, {"body": body, "tab": tab, "tabs": tabs, **_controls(request, body)}


def _controls(request: HttpRequest, body: Body) -> dict[str, Any]:
    """What the person may do about their membership here (join/apply/leave)."""
    return {
        "status": policy.membership_status(request.user, body),
        "can_join": policy.can(request.user, "join", body),
        "can_leave": policy.can(request.user, "leave", body),
        "applies": body.charter.admission == "decision",
    }


@require_GET
@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    page = _page(request, policy.bodies_where(request.user, "body.view"))
    return render(request, "web/home.html", {"page": page})


@require_GET
@login_required
@domain_errors
def my_bodies(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.person_bodies(person=_me(request)))
    return render(request, "web/my_bodies.html", {"page": page})


@GET_POST
@login_required
@domain_errors
def body_found(request: HttpRequest) -> HttpResponse:
    form = BodyFoundForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            body = services.body_found(founder=_me(request), **_found_args(form.cleaned_data))
        except Invalid as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{body.name} is founded. You are its first member.")
            return redirect("web:body", slug=body.slug)
    status = 422 if form.is_bound else 200
    return render(request, "web/body_found.html", {"form": form}, status=status)


def _found_args(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "visibility": data["visibility"] or None}


@require_GET
@domain_errors
def body_about(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "about")
    if policy.can(request.user, "members.view", body):
        context["member_count"] = selectors.body_member_count(body=body)
    return render(request, "web/body/about.html", context)


@require_GET
@domain_errors
def body_members(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "members")
    context["page"] = _page(request, selectors.body_members(body=body))
    context["applicants"] = selectors.body_applicants(body=body).order_by("created_at")
    return render(request, "web/body/members.html", context)


@require_GET
@domain_errors
def body_charter(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "charter")
    context["charter"] = body.charter
    context["versions"] = selectors.body_charter_versions(body=body)
    return render(request, "web/body/charter.html", context)


@require_GET
@domain_errors
def body_mandates(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "mandates")
    context["mandates"] = selectors.body_mandates(body=body, include_past=True)
    context["now"] = timezone.now()
    return render(request, "web/body/mandates.html", context)


@require_GET
@domain_errors
def body_journal(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "journal")
    context["page"] = _page(request, selectors.body_journal(body=body).order_by("-seq"))
    return render(request, "web/body/journal.html", context)


@require_POST
@domain_errors
def journal_verify_view(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "journal")
    context["report"] = journal_verify(body=body)
    if is_htmx(request):
        return render(request, "web/body/_verify_result.html", context)
    context["page"] = _page(request, selectors.body_journal(body=body).order_by("-seq"))
    return render(request, "web/body/journal.html", context)


@GET_POST
@login_required
@domain_errors
def body_invite(request: HttpRequest, slug: str) -> HttpResponse:
    body, context = _body_page(request, slug, "invite")
    form = InvitationForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if form.is_valid():
        invitation, token = services.invitation_create(
            body=body, by=_me(request), note=form.cleaned_data["note"]
        )
        context.update(invitation=invitation, token=token)
        template = "web/body/_invitation_link.html" if is_htmx(request) else "web/body/invite.html"
        return render(request, template, context, status=201)
    status = 422 if form.is_bound else 200
    template = "web/body/_invite_form.html" if is_htmx(request) else "web/body/invite.html"
    return render(request, template, context, status=status)


@require_POST
@login_required
@domain_errors
def body_join(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug)
    membership = services.body_join(body=body, person=_me(request))
    if is_htmx(request):
        return render(
            request, "web/body/_membership.html", {"body": body, **_controls(request, body)}
        )
    joined = membership.status == "member"
    messages.success(request, f"Welcome to {body.name}." if joined else "Your application is in.")
    return redirect("web:body", slug=body.slug)


@GET_POST
@login_required
@domain_errors
def body_leave(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug)
    if request.method == "GET":
        return render(request, "web/body/leave.html", {"body": body, **_controls(request, body)})
    services.membership_leave(body=body, person=_me(request))
    messages.success(request, f"You have left {body.name}.")
    return redirect("web:my_bodies")


@GET_POST
@domain_errors
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.invitation_get(token=token)
    if found.used_at is not None:
        raise Gone("this invitation has already been used")
    if found.expires_at <= timezone.now():
        raise Gone("this invitation has expired; ask for a new one")
    if request.method == "GET" or not request.user.is_authenticated:
        status = policy.membership_status(request.user, found.body)
        context = {"invitation": found, "body": found.body, "status": status}
        return render(request, "web/invitation.html", context)
    membership = services.invitation_accept(token=token, person=_me(request))
    joined = membership.status == "member"
    messages.success(
        request, f"Welcome to {found.body.name}." if joined else "Your application is in."
    )
    return redirect("web:body", slug=found.body.slug)


@GET_POST
@login_required
@domain_errors
def api_tokens(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    status = 422 if form.is_bound else 200
    if form.is_valid():
        context["created"], context["clear"] = accounts.api_token_create(
            person=me, label=form.cleaned_data["label"]
        )
        context["form"], status = ApiTokenForm(), 201
    context["tokens"] = me.api_tokens.order_by("-created_at")
    return render(request, "web/api_tokens.html", context, status=status)


@require_POST
@login_required
@domain_errors
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    accounts.api_token_revoke(person=_me(request), token_id=token_id)
    messages.success(request, "The token is revoked; it no longer works.")
    return redirect("web:api_tokens")
