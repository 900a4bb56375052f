"""``/me/notifications/``: the in-app list and each body's e-mail choice."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dualpower.bodies import policy, selectors
from dualpower.web.errors import domain_errors

from . import services
from .models import Preference


@login_required
def notification_page(request: HttpRequest) -> HttpResponse:
    person = request.user
    memberships = selectors.person_bodies(person=person)  # type: ignore[arg-type]
    choices = [
        (m.body, services.preference_of(person=person, body=m.body))  # type: ignore[arg-type]
        for m in memberships
    ]
    context = {
        "notifications": services.notification_list(person=person),  # type: ignore[arg-type]
        "choices": choices,
        "modes": Preference.Mode.choices,
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
@domain_errors
def notification_preference(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug, "leave")  # members and applicants only
    services.preference_set(person=request.user, body=body, mode=request.POST.get("mode", ""))  # type: ignore[arg-type]
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(person=request.user)  # type: ignore[arg-type]
    return redirect("notifications:list")
