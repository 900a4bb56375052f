"""Reads about proposals. Callers ask ``policy`` first; these refresh deadlines on access."""

from __future__ import annotations

from django.db.models import QuerySet

from dualpower.bodies.models import Body
from dualpower.core.errors import NotFound

from .models import Ballot, Comment, Proposal
from .services import proposal_refresh


def proposal_list(*, body: Body, states: list[str] | None = None) -> list[Proposal]:
    qs = Proposal.objects.filter(body=body).select_related("author").order_by("-number")
    if states:
        qs = qs.filter(state__in=states)
    return [proposal_refresh(proposal=p) for p in qs]


def proposal_get(*, body: Body, number: int) -> Proposal:
    proposal = (
        Proposal.objects.filter(body=body, number=number).select_related("author", "body").first()
    )
    if proposal is None:
        raise NotFound("no such proposal")
    return proposal_refresh(proposal=proposal)


def proposal_comments(*, proposal: Proposal) -> QuerySet[Comment]:
    return Comment.objects.filter(proposal=proposal).select_related("author")


def proposal_published_ballots(*, proposal: Proposal) -> QuerySet[Ballot]:
    """After the close: every counted ballot, by receipt code. Secret ballots carry no
    voter; open ballots name theirs."""
    if proposal.state != Proposal.State.CLOSED:
        return Ballot.objects.none()
    return Ballot.objects.filter(proposal=proposal).select_related("voter").order_by("receipt")
