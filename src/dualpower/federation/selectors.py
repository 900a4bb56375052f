"""Reads for federation pages and the API. Delegates are people: their names are shown
only to those who may see the mandates of the body they represent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dualpower.bodies import policy
from dualpower.bodies.models import Body, Mandate
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.selectors import FederationChoices

from .models import DelegateVote, FederationMembership, Ratification
from .services import (
    FEDERATING_KINDS,
    REPRESENT,
    BodyCount,
    body_count,
    federations_of,
    member_bodies,
    pending_ratifications,
    ratification_progress,
)


@dataclass(frozen=True)
class MemberBodyView:
    body: Body | None  # None: a member body the viewer may not see (``body.view``)
    delegates: list[str]
    has_delegate: bool | None  # None where the body is not seen: nothing told of it


@dataclass(frozen=True)
class BodyProgress:
    body: Body
    decision: str
    proposal_number: int | None


def _seen(viewer: Any, body: Body) -> Body | None:
    """``body`` if ``viewer`` may know it exists (``body.view``), else None: shown as "a
    member body", counted but not named."""
    return body if policy.can(viewer, "body.view", body) else None


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
    """The member bodies as ``viewer`` may see them: one hidden from them is counted but
    not named (``body`` None), nor told whether it has a delegate, after the named ones so
    that its place tells nothing."""
    out = []
    for member in member_bodies(federation=federation):
        delegates = _delegates(member)
        names = (
            [m.holder.name for m in delegates]
            if policy.can(viewer, "mandates.view", member)
            else []
        )
        seen = _seen(viewer, member)
        out.append(
            MemberBodyView(body=seen, delegates=names,
                           has_delegate=bool(delegates) if seen is not None else None)
        )  # fmt: skip
    return sorted(out, key=lambda m: m.body is None)


def represented_by(*, person: Any, federation: Body) -> list[Body]:
    """The member bodies of ``federation`` that ``person`` represents as their delegate."""
    if not getattr(person, "is_authenticated", False):
        return []
    return [
        m
        for m in member_bodies(federation=federation)
        if any(d.holder_id == person.pk for d in _delegates(m))
        and policy.can(person, "body.view", m)
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


def federations_view(*, body: Body, viewer: Any) -> list[Body]:
    """The federations ``body`` belongs to that ``viewer`` may see (``body.view``)."""
    return [f for f in federations_of(body=body) if _seen(viewer, f)]


@dataclass(frozen=True)
class PendingView:
    member: str  # "a member body" / "a federation" where the viewer may not see it
    federation: str
    body_decision: bool  # the member body has decided; waiting for the federation


def pending_memberships_view(*, body: Body, viewer: Any) -> list[PendingView]:
    """``pending_memberships`` naming only the bodies ``viewer`` may see."""

    def name(b: Body, other: str) -> str:
        return b.name if _seen(viewer, b) else other

    return [
        PendingView(
            member=name(fm.member, "a member body"),
            federation=name(fm.federation, "a federation"),
            body_decision=bool(fm.body_decision),
        )
        for fm in pending_memberships(body=body)
    ]


def _outcome(fed_proposal: Proposal) -> Outcome | None:
    """The proposal's outcome once closed (read once per proposal object: Django keeps it
    on the instance)."""
    if fed_proposal.state != Proposal.State.CLOSED:
        return None
    try:
        return fed_proposal.outcome
    except Outcome.DoesNotExist:
        return None


def _closed_at(fed_proposal: Proposal) -> datetime | None:
    """When the federation's count was made, once it was."""
    outcome = _outcome(fed_proposal)
    return outcome.decided_at if outcome else None


def proposal_progress(*, fed_proposal: Proposal) -> list[BodyProgress]:
    """Which member bodies have ratified, rejected, or not yet decided (or, with
    delegates, how each body's delegate voted). Once the federation's count is made, as
    that count had them: a body that decided after it shows as not decided."""
    closed_at = _closed_at(fed_proposal)
    ratifications = ratification_progress(fed_proposal=fed_proposal)
    if ratifications:
        pending = Ratification.Vote.PENDING.label
        return [
            BodyProgress(
                body=r.member,
                decision=pending
                if closed_at and r.decided_at and r.decided_at > closed_at
                else r.get_vote_display(),
                proposal_number=r.proposal.number,
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
    now = closed_at or timezone.now()
    for member in member_bodies(federation=fed_proposal.body, at=closed_at):
        vote = votes.get(member.pk)
        # as the count has it: a recalled or ended mandate's vote no longer counts
        live = (
            vote is not None
            and (vote.mandate.recalled_at is None or vote.mandate.recalled_at > now)
            and vote.mandate.ends_at > now
        )
        out.append(
            BodyProgress(
                body=member,
                decision=f"delegate voted {vote.choice}" if vote and live else "not decided",
                proposal_number=None,
            )
        )
    return out


@dataclass(frozen=True)
class ProgressRow:
    name: str | None  # None: a member body the viewer may not see
    href: str  # its ratification proposal or its page, where the viewer may see them
    decision: str


@dataclass(frozen=True)
class ProgressView:
    """A federation proposal's progress among its member bodies, as one person may see
    it: bodies hidden from them are counted but not named."""

    mode: str
    rows: list[ProgressRow]
    count: BodyCount | None  # so far, while voting
    outcome: Outcome | None  # once closed
    closed_counts: dict[str, int]


DECISION_WORDS = {
    "delegate voted yes": "Delegate voted yes",
    "delegate voted no": "Delegate voted no",
    "delegate voted abstain": "Delegate abstained",
    "not decided": "Not yet decided",
}


def _row(seen: SeenProgress, viewer: Any, closed: bool) -> ProgressRow:
    member = seen.body
    href = ""
    if member is not None and seen.proposal_number and policy.can(viewer, "decisions.view", member):
        href = reverse("decisions:detail", args=[member.slug, seen.proposal_number])
    elif member is not None:
        href = reverse("web:body", args=[member.slug])
    decision = DECISION_WORDS.get(seen.decision, seen.decision)
    if closed and decision == "Not yet decided":
        decision = "Did not decide"
    return ProgressRow(name=member.name if member else None, href=href, decision=decision)


def proposal_progress_rows(
    *, fed_proposal: Proposal, viewer: Any, closed: bool = False
) -> list[ProgressRow]:
    """Each member body's decision as ``viewer`` may see it, named bodies first, so the
    unnamed ones' places in the order tell nothing."""
    seen = proposal_progress_seen(fed_proposal=fed_proposal, viewer=viewer)
    return [_row(s, viewer, closed) for s in seen]


@dataclass(frozen=True)
class SeenProgress:
    body: Body | None  # None: a member body the viewer may not see (``body.view``)
    decision: str
    proposal_number: int | None  # its ratification proposal; None for a hidden body


def proposal_progress_seen(*, fed_proposal: Proposal, viewer: Any) -> list[SeenProgress]:
    """``proposal_progress`` with the bodies hidden from ``viewer`` counted but neither
    named nor numbered, after the named ones."""
    out = []
    for p in proposal_progress(fed_proposal=fed_proposal):
        body = _seen(viewer, p.body)
        number = p.proposal_number if body else None
        out.append(SeenProgress(body=body, decision=p.decision, proposal_number=number))
    return sorted(out, key=lambda p: p.body is None)


def proposal_progress_view(*, fed_proposal: Proposal, viewer: Any) -> ProgressView | None:
    """For the federation proposal's own page; None where its own members vote on it
    (any body that is not a federation, or a federation without member bodies)."""
    if fed_proposal.body.kind not in FEDERATING_KINDS:
        return None
    closed = fed_proposal.state == Proposal.State.CLOSED
    count, outcome, closed_counts = None, None, {}
    if closed:
        outcome = _outcome(fed_proposal)
        method = str(outcome.result.get("method", "")) if outcome else ""
        if outcome is None or not method.startswith(("ratification (", "delegates (")):
            return None
        rounds = outcome.result.get("rounds") or [{}]
        closed_counts = {
            k.replace("not decided", "pending"): int(v)
            for k, v in (rounds[0].get("counts") or {}).items()
        }
    elif fed_proposal.state == Proposal.State.VOTING:
        count = body_count(fed_proposal=fed_proposal)
        if count is None:
            return None
    else:
        return None
    return ProgressView(
        mode=fed_proposal.body.charter.federation.mode,
        rows=proposal_progress_rows(fed_proposal=fed_proposal, viewer=viewer, closed=closed),
        count=count,
        outcome=outcome,
        closed_counts=closed_counts,
    )


def _reach(body: Body, *, up: bool) -> set[int]:
    """Every body federated, at any depth, above (``up``) or below ``body``."""
    start, end = ("member_id", "federation_id") if up else ("federation_id", "member_id")
    seen: set[int] = set()
    frontier = {body.pk}
    while frontier:
        ids = set(
            FederationMembership.objects.filter(**{f"{start}__in": frontier})
            .exclude(status=FederationMembership.Status.FORMER)
            .values_list(end, flat=True)
        )
        frontier = ids - seen
        seen |= ids
    return seen


def builder_choices(*, body: Body, viewer: Any) -> FederationChoices:
    """The choices of the new-proposal page's federation builders for ``body``, as
    ``viewer`` may see them (bodies by ``body.view``; federation proposals only where
    they may see the federation's decisions): federations to join (not those the body is
    in or has already decided to join, nor any that would make a loop), federations to
    leave, bodies to admit if it is a federation (first those that have decided to join),
    its delegates' mandates, and the open proposals of the delegate federations it is in."""
    Status = FederationMembership.Status
    visible = [b for b in policy.bodies_where(viewer, "body.view") if b.pk != body.pk]
    mine = {
        fm.federation_id: fm
        for fm in FederationMembership.objects.filter(member=body).exclude(status=Status.FORMER)
    }
    below = _reach(body, up=False)
    join = [
        b
        for b in visible
        if b.kind in FEDERATING_KINDS
        and b.pk not in below
        and (b.pk not in mine or not mine[b.pk].body_decision)
    ]
    member_of = [b for b in visible if b.pk in mine and mine[b.pk].status == Status.MEMBER]
    leave = [b for b in visible if b.pk in mine]
    asked: list[Body] = []
    admit: list[Body] = []
    federating = body.kind in FEDERATING_KINDS
    if federating:
        theirs = {
            fm.member_id: fm
            for fm in FederationMembership.objects.filter(federation=body).exclude(
                status=Status.FORMER
            )
        }
        above = _reach(body, up=True)
        for b in visible:
            fm = theirs.get(b.pk)
            if b.pk in above or (fm is not None and fm.federation_decision):
                continue
            (asked if fm is not None and fm.body_decision else admit).append(b)
    delegates = _delegates(body) if policy.can(viewer, "mandates.view", body) else []
    proposals = [
        p
        for fed in member_of
        if fed.charter.federation.mode == "delegates" and policy.can(viewer, "decisions.view", fed)
        for p in Proposal.objects.select_related("body")
        .filter(
            body=fed,
            state__in=[
                Proposal.State.DRAFT,
                Proposal.State.DELIBERATION,
                Proposal.State.VOTING,
            ],
        )
        .order_by("-number")[:50]
    ]
    return FederationChoices(
        join=join,
        member_of=member_of,
        leave=leave,
        asked=asked,
        admit=admit,
        delegates=delegates,
        proposals=proposals,
        federating=federating,
    )


__all__ = [
    "BodyProgress",
    "MemberBodyView",
    "PendingView",
    "ProgressRow",
    "ProgressView",
    "SeenProgress",
    "builder_choices",
    "federation_members_view",
    "federations_of",
    "federations_view",
    "pending_memberships",
    "pending_memberships_view",
    "pending_ratifications",
    "proposal_progress",
    "proposal_progress_rows",
    "proposal_progress_seen",
    "proposal_progress_view",
]
