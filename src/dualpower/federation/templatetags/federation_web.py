"""The Federation tab of a body's navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dualpower.bodies import policy
from dualpower.bodies.models import Body

from ..models import FederationMembership
from ..services import FEDERATING_KINDS

register = template.Library()


@register.inclusion_tag("federation/_tab.html", takes_context=True)
def federation_tab(context: template.Context) -> dict[str, Any]:
    """Shown on a federation or council, and on any body in (or joining) one."""
    body = context.get("body")
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (
        isinstance(body, Body)
        and policy.can(user, "body.read", body)
        and (
            body.kind in FEDERATING_KINDS
            or FederationMembership.objects.filter(member=body).exists()
        )
    )
    return {
        "shown": shown,
        "href": reverse("federation:page", args=[body.slug]) if shown and body else "",
        "current": context.get("tab") == "federation",
    }
