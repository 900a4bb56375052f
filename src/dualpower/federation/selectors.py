"""Reads for federation pages and the API. Delegates are people: their names are shown
only to those who may see the mandates of the body they represent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dualpower.bodies import policy
from dualpower.bodies.models import Body, Mandate
from dualpower.decisions.models import Proposal

from .models import DelegateVote, FederationMembership
from .services import (
    REPRESENT,
    federations_of,
    member_bodies,
    pending_ratifications,
    ratification_progress,
)


@dataclass(frozen=True)
class MemberBodyView:
    body: Body
    delegates: list[str]
    has_delegate: bool


@dataclass(frozen=True)
class BodyProgress:
    body: Body
    decision: str
    proposal_number: int | None


def _delegates(member: Body) -> list[Mandate]:
    now = timezone.now()
    return [
        m
        for m in Mandate.objects.filter(
            body=member, recalled_at__isnull=True, ends_at__gt=now
        ).select_related("holder")
        if REPRESENT in m.powers
    ]


def federation_members_view(*, federation: Body, viewer: Any) -> list[MemberBodyView]:
    out = []
    for member in member_bodies(federation=federation):
        delegates = _delegates(member)
        names = (
            [m.holder.name for m in delegates]
            if policy.can(viewer, "mandates.view", member)
            else []
        )
        out.append(MemberBodyView(body=member, delegates=names, has_delegate=bool(delegates)))
    return out


def represented_by(*, person: Any, federation: Body) -> list[Body]:
    """The member bodies of ``federation`` that ``person`` represents as their delegate."""
    if not getattr(person, "is_authenticated", False):
        return []
    return [
        m
        for m in member_bodies(federation=federation)
        if any(d.holder_id == person.pk for d in _delegates(m))
    ]


def pending_memberships(*, body: Body) -> list[FederationMembership]:
    """Joins waiting for the other side's decision, on either side of ``body``."""
    return list(
        FederationMembership.objects.filter(status=FederationMembership.Status.PENDING)
        .filter(federation=body)
        .select_related("federation", "member")
        | FederationMembership.objects.filter(
            status=FederationMembership.Status.PENDING, member=body
        ).select_related("federation", "member")
    )


def proposal_progress(*, fed_proposal: Proposal) -> list[BodyProgress]:
    """Which member bodies have ratified, rejected, or not yet decided (or, with
    delegates, how each body's delegate voted)."""
    ratifications = ratification_progress(fed_proposal=fed_proposal)
    if ratifications:
        return [
            BodyProgress(
                body=r.member, decision=r.get_vote_display(), proposal_number=r.proposal.number
            )
            for r in ratifications
        ]
    if fed_proposal.body.charter.federation.mode != "delegates":
        return []
    votes = {
        v.member_id: v
        for v in DelegateVote.objects.filter(federation_proposal=fed_proposal).select_related(
            "mandate"
        )
    }
    out = []
    for member in member_bodies(federation=fed_proposal.body):
        vote = votes.get(member.pk)
        live = vote is not None and vote.mandate.recalled_at is None
        out.append(
            BodyProgress(
                body=member,
                decision=f"delegate voted {vote.choice}" if vote and live else "not decided",
                proposal_number=None,
            )
        )
    return out


__all__ = [
    "BodyProgress",
    "MemberBodyView",
    "federation_members_view",
    "federations_of",
    "pending_memberships",
    "pending_ratifications",
    "proposal_progress",
]
