"""The Ledger tab of a body's navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dualpower.bodies import policy
from dualpower.bodies.models import Body

from ..models import Currency

register = template.Library()


@register.inclusion_tag("ledger/_tab.html", takes_context=True)
def ledger_tab(context: template.Context) -> dict[str, Any]:
    """Shown to members of a body whose charter has the ledger module or that keeps one."""
    body = context.get("body")
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (
        isinstance(body, Body)
        and policy.is_member(user, body)
        and ("ledger" in body.charter.modules or Currency.objects.filter(body=body).exists())
    )
    return {
        "shown": shown,
        "href": reverse("ledger:overview", args=[body.slug]) if shown and body else "",
        "current": context.get("tab") == "ledger",
    }
