"""``/api/v1/bodies/{slug}/federation``: member bodies, delegates, ratification progress."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from dualpower.api.auth import READ, WRITE, person, person_or_none
from dualpower.api.schemas import In, Problem
from dualpower.bodies import policy
from dualpower.bodies.models import Body
from dualpower.decisions import selectors as decision_selectors

from . import selectors, services

router = Router(tags=["federation"])
PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (401, 403, 404, 409, 422)}


class BodyRef(Schema):
    slug: str
    name: str


class MemberBodyOut(Schema):
    """A member body hidden from the reader (``hidden``) is counted, not named."""

    slug: str | None
    name: str | None
    hidden: bool
    has_delegate: bool | None  # null for a member body the reader may not see
    delegates: list[str]


class MemberRef(Schema):
    """A member body; one hidden from the reader has neither slug nor name."""

    slug: str | None
    name: str | None
    hidden: bool


class WaitingOut(Schema):
    federation: BodyRef
    federation_proposal: int
    proposal: int
    closes_at: str | None


class FederationOut(Schema):
    member_bodies: list[MemberBodyOut]
    federations: list[BodyRef]
    ratifications_waiting: list[WaitingOut]


class ProgressOut(Schema):
    body: MemberRef
    decision: str
    proposal: int | None


class DelegateVoteIn(In):
    member: str
    choice: str


def _ref(slug: str, name: str) -> BodyRef:
    return BodyRef(slug=slug, name=name)


def _member(body: Body | None) -> MemberRef:
    if body is None:
        return MemberRef(slug=None, name=None, hidden=True)
    return MemberRef(slug=body.slug, name=body.name, hidden=False)


@router.get("/{slug}/federation", auth=READ, response={200: FederationOut, **PROBLEMS})
def federation_detail(request: HttpRequest, slug: str) -> FederationOut:
    """The body's member bodies (if it federates others), the federations it belongs to,
    and the ratifications waiting for its decision (for those who may see its decisions)."""
    viewer = person_or_none(request)
    body = policy.body_for(viewer, slug, "body.read")
    waiting: list[WaitingOut] = []
    if policy.can(viewer, "decisions.view", body):
        waiting = [
            WaitingOut(
                federation=_ref(r.federation_proposal.body.slug, r.federation_proposal.body.name),
                federation_proposal=r.federation_proposal.number,
                proposal=r.proposal.number,
                closes_at=r.proposal.voting_closes_at.isoformat()
                if r.proposal.voting_closes_at
                else None,
            )
            for r in selectors.pending_ratifications(body=body)
        ]
    return FederationOut(
        member_bodies=[
            MemberBodyOut(
                slug=m.body.slug if m.body else None,
                name=m.body.name if m.body else None,
                hidden=m.body is None,
                has_delegate=m.has_delegate,
                delegates=m.delegates,
            )
            for m in selectors.federation_members_view(federation=body, viewer=viewer)
        ],
        federations=[
            _ref(f.slug, f.name) for f in selectors.federations_view(body=body, viewer=viewer)
        ],
        ratifications_waiting=waiting,
    )


@router.get(
    "/{slug}/proposals/{number}/progress", auth=READ, response={200: list[ProgressOut], **PROBLEMS}
)
def proposal_progress(request: HttpRequest, slug: str, number: int) -> list[ProgressOut]:
    """Live: which member bodies have ratified, rejected or not yet decided. A member
    body hidden from the reader is counted with ``hidden: true`` and no slug, name or
    proposal number, after the named ones."""
    viewer = person_or_none(request)
    body = policy.body_for(viewer, slug, "decisions.view")
    proposal = decision_selectors.proposal_get(body=body, number=number)
    return [
        ProgressOut(body=_member(p.body), decision=p.decision, proposal=p.proposal_number)
        for p in selectors.proposal_progress_seen(fed_proposal=proposal, viewer=viewer)
    ]


@router.post(
    "/{slug}/proposals/{number}/delegate-votes", auth=WRITE, response={200: ProgressOut, **PROBLEMS}
)
def delegate_vote(
    request: HttpRequest, slug: str, number: int, payload: DelegateVoteIn
) -> ProgressOut:
    """A delegate votes for their body (``member`` is its slug); an instructed delegate
    may vote only as instructed."""
    delegate = person(request)
    body = policy.body_for(delegate, slug, "body.view")
    proposal = decision_selectors.proposal_get(body=body, number=number)
    member = policy.body_for(delegate, payload.member, "body.view")
    vote = services.delegate_vote(
        fed_proposal=proposal, delegate=delegate, member=member, choice=payload.choice
    )
    return ProgressOut(
        body=_member(member), decision=f"delegate voted {vote.choice}", proposal=None
    )
