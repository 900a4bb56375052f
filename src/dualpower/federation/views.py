"""``/bodies/<slug>/federation/``: member bodies, delegates, federations, ratifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dualpower.bodies import policy
from dualpower.decisions import selectors as decision_selectors
from dualpower.decisions.models import Proposal
from dualpower.web.errors import domain_errors

from . import selectors, services
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
        open_proposals = [
            (p, selectors.proposal_progress_rows(fed_proposal=p, viewer=request.user)) for p in live
        ]
    context = {
        "body": body,
        "tab": "federation",
        "federating": body.kind in FEDERATING_KINDS,
        "members": selectors.federation_members_view(federation=body, viewer=request.user),
        "federations": selectors.federations_view(body=body, viewer=request.user),
        "pending": selectors.pending_memberships_view(body=body, viewer=request.user)
        if sees_decisions
        else [],
        "waiting": selectors.pending_ratifications(body=body) if sees_decisions else [],
        "open_proposals": open_proposals,
        "represented": selectors.represented_by(person=request.user, federation=body),
    }
    return render(request, "federation/page.html", context)


@login_required
@require_POST
@domain_errors
def delegate_vote(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A delegate votes for their body on a federation proposal."""
    federation = policy.body_for(request.user, slug, "body.read")
    proposal = decision_selectors.proposal_get(body=federation, number=number)
    member = policy.body_for(request.user, request.POST.get("member", ""), "body.view")
    services.delegate_vote(
        fed_proposal=proposal,
        delegate=request.user,
        member=member,
        choice=request.POST.get("choice", ""),
    )
    return redirect("federation:page", slug=federation.slug)
