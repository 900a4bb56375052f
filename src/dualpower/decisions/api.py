"""``/api/v1/bodies/{slug}/proposals``: decisions over the API, thin over the services.

Every operation fetches the body through ``policy.body_for`` with ``decisions.view``, so a
body or proposal one may not see answers the same 404 as a missing one; writes ask the
services, which ask the policy again for the power they need.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from dualpower.api.auth import READ, WRITE, person, person_or_none
from dualpower.api.schemas import In, Problem
from dualpower.bodies import policy
from dualpower.core.errors import NotFound

from . import selectors, services
from .models import Amendment, Comment, Outcome, Proposal

router = Router(tags=["decisions"])
PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (401, 403, 404, 409, 410, 422)}


class ActionIn(In):
    name: str = Field(description="an action of the registry: resolution, admit_member, ...")
    params: dict[str, Any] = Field(default_factory=dict)


class ProposalIn(In):
    title: str
    text: str = ""
    decision_kind: str | None = Field(
        default=None, description="inferred from the actions when absent"
    )
    actions: list[ActionIn] = Field(default_factory=list)
    options: list[str] = Field(
        default_factory=list, description="for approval, score, ranked, quadratic votes"
    )


class OutcomeOut(Schema):
    passed: bool
    summary: str
    execution: str
    execution_error: str
    members: int
    participants: int
    seed: str
    decided_at: datetime
    result: dict[str, Any]


class ProposalOut(Schema):
    number: int
    title: str
    text: str
    author: str
    state: str
    decision_kind: str
    actions: list[dict[str, Any]]
    options: list[dict[str, Any]]
    rule: dict[str, Any]
    opened_at: datetime | None
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    closed_at: datetime | None
    cosigners: list[str]
    outcome: OutcomeOut | None


class CommentIn(In):
    text: str
    parent: int | None = None


class CommentOut(Schema):
    id: int
    author: str
    text: str
    parent: int | None
    created_at: datetime


class AmendmentIn(In):
    text: str
    reason: str = ""


class AmendmentOut(Schema):
    id: int
    author: str
    text: str
    reason: str
    state: str


class CandidacyIn(In):
    statement: str = ""


class BallotIn(In):
    content: dict[str, Any] = Field(
        description='by method: {"choice": "yes"}, {"approve": [...]}, {"ranking": [...]}, {"scores": {...}}, {"votes": {...}}'
    )
    receipt: str | None = Field(default=None, description="to change a secret ballot")


class ReceiptOut(Schema):
    receipt: str
    state: str


class PublishedBallotOut(Schema):
    receipt: str
    voter: str | None
    content: dict[str, Any]


def _outcome(proposal: Proposal) -> OutcomeOut | None:
    outcome = Outcome.objects.filter(proposal=proposal).first()
    if outcome is None:
        return None
    return OutcomeOut(
        passed=outcome.passed,
        summary=outcome.summary,
        execution=outcome.execution,
        execution_error=outcome.execution_error,
        members=outcome.members,
        participants=outcome.participants,
        seed=outcome.seed,
        decided_at=outcome.decided_at,
        result=outcome.result,
    )


def _out(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        number=proposal.number,
        title=proposal.title,
        text=proposal.text,
        author=proposal.author.name,
        state=proposal.state,
        decision_kind=proposal.decision_kind,
        actions=proposal.actions,
        options=proposal.options,
        rule=proposal.decision_rule.model_dump(mode="json"),
        opened_at=proposal.opened_at,
        voting_opens_at=proposal.voting_opens_at,
        voting_closes_at=proposal.voting_closes_at,
        closed_at=proposal.closed_at,
        cosigners=[c.person.name for c in proposal.cosignatures.select_related("person")],
        outcome=_outcome(proposal),
    )


def _proposal(request: HttpRequest, slug: str, number: int) -> Proposal:
    body = policy.body_for(person_or_none(request), slug, "decisions.view")
    return selectors.proposal_get(body=body, number=number)


@router.get("/{slug}/proposals", auth=READ, response={200: list[ProposalOut], **PROBLEMS})
def proposal_list(request: HttpRequest, slug: str, state: str | None = None) -> list[ProposalOut]:
    """Proposals of the body, newest first; ``?state=voting`` filters."""
    body = policy.body_for(person_or_none(request), slug, "decisions.view")
    return [_out(p) for p in selectors.proposal_list(body=body, states=[state] if state else None)]


@router.post("/{slug}/proposals", auth=WRITE, response={201: ProposalOut, **PROBLEMS})
def proposal_create(request: HttpRequest, slug: str, payload: ProposalIn) -> Status[ProposalOut]:
    """Write a draft. Its actions are checked now and again when it passes."""
    body = policy.body_for(person(request), slug, "decisions.view")
    data = payload.model_dump()
    proposal = services.proposal_create(body=body, author=person(request), **data)
    return Status(201, _out(proposal))


@router.get("/{slug}/proposals/{number}", auth=READ, response={200: ProposalOut, **PROBLEMS})
def proposal_detail(request: HttpRequest, slug: str, number: int) -> ProposalOut:
    return _out(_proposal(request, slug, number))


@router.post(
    "/{slug}/proposals/{number}/cosign", auth=WRITE, response={200: ProposalOut, **PROBLEMS}
)
def proposal_cosign(request: HttpRequest, slug: str, number: int) -> ProposalOut:
    proposal = _proposal(request, slug, number)
    services.proposal_cosign(proposal=proposal, person=person(request))
    return _out(proposal)


@router.post("/{slug}/proposals/{number}/open", auth=WRITE, response={200: ProposalOut, **PROBLEMS})
def proposal_open(request: HttpRequest, slug: str, number: int) -> ProposalOut:
    """Open a draft: deliberation, then voting, on the charter's timetable."""
    return _out(
        services.proposal_open(proposal=_proposal(request, slug, number), by=person(request))
    )


@router.post(
    "/{slug}/proposals/{number}/withdraw", auth=WRITE, response={200: ProposalOut, **PROBLEMS}
)
def proposal_withdraw(request: HttpRequest, slug: str, number: int) -> ProposalOut:
    return _out(
        services.proposal_withdraw(proposal=_proposal(request, slug, number), by=person(request))
    )


def _comment_out(c: Comment) -> CommentOut:
    return CommentOut(
        id=c.pk, author=c.author.name, text=c.text, parent=c.parent_id, created_at=c.created_at
    )


@router.get(
    "/{slug}/proposals/{number}/comments", auth=READ, response={200: list[CommentOut], **PROBLEMS}
)
def comment_list(request: HttpRequest, slug: str, number: int) -> list[CommentOut]:
    return [
        _comment_out(c)
        for c in selectors.proposal_comments(proposal=_proposal(request, slug, number))
    ]


@router.post(
    "/{slug}/proposals/{number}/comments", auth=WRITE, response={201: CommentOut, **PROBLEMS}
)
def comment_add(
    request: HttpRequest, slug: str, number: int, payload: CommentIn
) -> Status[CommentOut]:
    proposal = _proposal(request, slug, number)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(proposal=proposal, pk=payload.parent).first()
        if parent is None:
            raise NotFound("no such comment")
    comment = services.comment_add(
        proposal=proposal, author=person(request), text=payload.text, parent=parent
    )
    return Status(201, _comment_out(comment))


def _amendment_out(a: Amendment) -> AmendmentOut:
    return AmendmentOut(id=a.pk, author=a.author.name, text=a.text, reason=a.reason, state=a.state)


@router.get(
    "/{slug}/proposals/{number}/amendments",
    auth=READ,
    response={200: list[AmendmentOut], **PROBLEMS},
)
def amendment_list(request: HttpRequest, slug: str, number: int) -> list[AmendmentOut]:
    proposal = _proposal(request, slug, number)
    return [_amendment_out(a) for a in proposal.amendments.select_related("author").order_by("pk")]


@router.post(
    "/{slug}/proposals/{number}/amendments", auth=WRITE, response={201: AmendmentOut, **PROBLEMS}
)
def amendment_propose(
    request: HttpRequest, slug: str, number: int, payload: AmendmentIn
) -> Status[AmendmentOut]:
    proposal = _proposal(request, slug, number)
    amendment = services.amendment_propose(
        proposal=proposal, author=person(request), text=payload.text, reason=payload.reason
    )
    return Status(201, _amendment_out(amendment))


@router.post(
    "/{slug}/proposals/{number}/amendments/{amendment_id}/{verdict}",
    auth=WRITE,
    response={200: AmendmentOut, **PROBLEMS},
)
def amendment_decide(
    request: HttpRequest, slug: str, number: int, amendment_id: int, verdict: str
) -> AmendmentOut:
    """``verdict`` is ``accept`` or ``reject``; the proposal's author decides."""
    proposal = _proposal(request, slug, number)
    amendment = proposal.amendments.filter(pk=amendment_id).first()
    if amendment is None or verdict not in ("accept", "reject"):
        raise NotFound("no such amendment")
    decided = services.amendment_decide(
        amendment=amendment, by=person(request), accept=verdict == "accept"
    )
    return _amendment_out(decided)


@router.post(
    "/{slug}/proposals/{number}/candidacies", auth=WRITE, response={201: ProposalOut, **PROBLEMS}
)
def candidacy_stand(
    request: HttpRequest, slug: str, number: int, payload: CandidacyIn
) -> Status[ProposalOut]:
    """Stand for the mandate this proposal fills by election."""
    proposal = _proposal(request, slug, number)
    services.candidacy_stand(proposal=proposal, person=person(request), statement=payload.statement)
    return Status(201, _out(_proposal(request, slug, number)))


@router.post(
    "/{slug}/proposals/{number}/ballots", auth=WRITE, response={200: ReceiptOut, **PROBLEMS}
)
def ballot_cast(request: HttpRequest, slug: str, number: int, payload: BallotIn) -> ReceiptOut:
    """Cast or change your ballot; keep the receipt code (a secret ballot is changed with it)."""
    proposal = _proposal(request, slug, number)
    receipt = services.ballot_cast(
        proposal=proposal, voter=person(request), content=payload.content, receipt=payload.receipt
    )
    proposal.refresh_from_db(fields=["state"])
    return ReceiptOut(receipt=receipt, state=proposal.state)


@router.get(
    "/{slug}/proposals/{number}/ballots",
    auth=READ,
    response={200: list[PublishedBallotOut], **PROBLEMS},
)
def ballot_list(request: HttpRequest, slug: str, number: int) -> list[PublishedBallotOut]:
    """After the close: every counted ballot by receipt code (secret ones name no voter),
    so that voters find theirs and anyone can recount."""
    proposal = _proposal(request, slug, number)
    return [
        PublishedBallotOut(
            receipt=b.receipt, voter=b.voter.name if b.voter else None, content=b.content
        )
        for b in selectors.proposal_published_ballots(proposal=proposal)
    ]


@router.post(
    "/{slug}/proposals/{number}/second-round", auth=WRITE, response={201: ProposalOut, **PROBLEMS}
)
def proposal_second_round(request: HttpRequest, slug: str, number: int) -> Status[ProposalOut]:
    """Put a blocked consensus proposal again as a draft, decided by the charter's fallback."""
    draft = services.proposal_second_round(
        proposal=_proposal(request, slug, number), by=person(request)
    )
    return Status(201, _out(draft))
