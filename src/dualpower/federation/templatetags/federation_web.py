"""The Federation tab of a body's navigation, and a federation proposal's progress among
its member bodies on the proposal's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dualpower.bodies import policy
from dualpower.bodies.models import Body
from dualpower.decisions.models import Proposal

from ..models import FederationMembership
from ..selectors import proposal_progress_view
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


@register.inclusion_tag("federation/_progress.html", takes_context=True)
def federation_progress(context: template.Context) -> dict[str, Any]:
    """On a federation proposal's own page: how its member bodies have decided so far.
    Nothing for a proposal its own members vote on."""
    proposal = context.get("proposal")
    request = context.get("request")
    if not isinstance(proposal, Proposal):
        return {"progress": None}
    viewer = getattr(request, "user", None)
    return {"progress": proposal_progress_view(fed_proposal=proposal, viewer=viewer)}
