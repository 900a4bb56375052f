"""``/bodies/<slug>/federation/``: member bodies, delegates, federations, ratifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dualpower.bodies import policy
from dualpower.decisions.models import Proposal
from dualpower.web.errors import domain_errors

from . import selectors
from .services import FEDERATING_KINDS


@require_GET
@domain_errors
def federation_page(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug, "body.read")
    sees_decisions = policy.can(request.user, "decisions.view", body)
    open_proposals = []
    if sees_decisions and body.kind in FEDERATING_KINDS:
        live = Proposal.objects.filter(body=body, state=Proposal.State.VOTING).order_by("-number")[
            :20
        ]
        open_proposals = [(p, selectors.proposal_progress(fed_proposal=p)) for p in live]
    context = {
        "body": body,
        "tab": "federation",
        "federating": body.kind in FEDERATING_KINDS,
        "members": selectors.federation_members_view(federation=body, viewer=request.user),
        "federations": selectors.federations_of(body=body),
        "pending": selectors.pending_memberships(body=body) if sees_decisions else [],
        "waiting": selectors.pending_ratifications(body=body) if sees_decisions else [],
        "open_proposals": open_proposals,
    }
    return render(request, "federation/page.html", context)
