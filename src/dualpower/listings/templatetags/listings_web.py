"""The Offers and needs tab of a body's navigation (``{% load listings_web %}{% listings_tab %}``
in ``web/body/base.html``), shown where the charter keeps listings."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dualpower.bodies import policy
from dualpower.bodies.models import Body

register = template.Library()


@register.inclusion_tag("listings/_tab.html", takes_context=True)
def listings_tab(context: template.Context) -> dict[str, Any]:
    body = context.get("body")
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (
        isinstance(body, Body)
        and "listings" in body.charter.modules
        and policy.can(user, "body.read", body)
    )
    return {
        "shown": shown,
        "href": reverse("listings:list", args=[body.slug]) if shown and body else "",
        "current": context.get("tab") == "listings",
    }
