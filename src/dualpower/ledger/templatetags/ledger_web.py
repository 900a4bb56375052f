"""The Ledger tab of a body's navigation, and what the leave page says of the ledger."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body

from ..models import Currency
from ..selectors import standing_of

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


@register.inclusion_tag("ledger/_leaving.html", takes_context=True)
def ledger_leaving(context: template.Context) -> dict[str, Any]:
    """On the leave page: the signed-in person's own balances other than zero and their
    records still waiting, in each currency of the body (nothing where it keeps none).
    Information only: leaving stays open to them."""
    body = context.get("body")
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        not isinstance(body, Body)
        or not isinstance(user, Person)
        or not policy.is_member(user, body)
    ):
        return {"standings": []}
    standings = standing_of(body=body, person=user)
    return {
        "body": body,
        "standings": standings,
        "balances": any(s.balance for s in standings),
        "waiting": any(s.to_confirm or s.recorded for s in standings),
    }
