"""``/api/v1/bodies`` and ``/api/v1/invitations``: thin routers over bodies' services.

Each operation fetches the body through ``policy.body_for`` with the power it needs, so a
body one may not see, or a tab one may not open, answers the same 404 as a missing body.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import P, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import HeaderEx

from dualpower.bodies import policy, selectors, services
from dualpower.bodies.journal import journal_verify
from dualpower.core.errors import NotFound

from . import schemas as s
from .auth import READS, WRITES, person, person_or_none
from .idempotency import idempotent_apply

router = Router(tags=["bodies"])
invitations = Router(tags=["invitations"])
READ_ERRORS: dict[int, type[s.Problem]] = {c: s.Problem for c in (401, 404, 422)}
WRITE_ERRORS: dict[int, type[s.Problem]] = {
    c: s.Problem for c in (400, 401, 403, 404, 409, 410, 422)
}


@router.get("", **READS, response={200: list[s.BodyOut], **READ_ERRORS})
@paginate(LimitOffsetPagination)
def body_list(request: HttpRequest) -> list[s.BodyOut]:
    """The bodies you may see: every public or members-only body, and your hidden ones."""
    asker = person_or_none(request)
    return [s.body_out(b, asker) for b in policy.bodies_where(asker, "body.view")]


@router.post("", **WRITES, response={201: s.BodyOut, **WRITE_ERRORS})
def body_found(
    request: HttpRequest,
    payload: s.BodyIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key")] = None,
) -> Status[dict[str, Any]]:
    """Found a body with its kind's starter charter; you become its first member.

    Send an ``Idempotency-Key`` header to make retries safe: the same key and body
    answer the first response again; the same key with another body answers 409."""
    founder = person(request)

    def found() -> tuple[int, dict[str, Any]]:
        body = services.body_found(founder=founder, **payload.model_dump())
        return 201, s.body_out(body, founder).model_dump(mode="json")

    status, answer = idempotent_apply(
        person=founder,
        key=idempotency_key,
        operation="POST /api/v1/bodies",
        payload=payload.model_dump(mode="json"),
        perform=found,
    )
    return Status(status, answer)


@router.get("/{slug}", **READS, response={200: s.BodyDetailOut, **READ_ERRORS})
def body_detail(request: HttpRequest, slug: str) -> s.BodyDetailOut:
    """A body's profile, and what you may do or see there."""
    asker = person_or_none(request)
    return s.body_detail_out(policy.body_for(asker, slug, "body.view"), asker)


@router.get("/{slug}/members", **READS, response={200: list[s.MemberOut], **READ_ERRORS})
@paginate(LimitOffsetPagination)
def member_list(request: HttpRequest, slug: str) -> list[s.MemberOut]:
    """The members, where the charter lets you see them (else 404)."""
    body = policy.body_for(person_or_none(request), slug, "members.view")
    return [s.member_out(m) for m in selectors.body_members(body=body)]


@router.get("/{slug}/charter", **READS, response={200: s.CharterOut, **READ_ERRORS})
def charter_detail(request: HttpRequest, slug: str, version: int | None = None) -> s.CharterOut:
    """The current charter, or version ``?version=N``."""
    body = policy.body_for(person_or_none(request), slug, "body.read")
    versions = selectors.body_charter_versions(body=body)
    found = versions.first() if version is None else versions.filter(number=version).first()
    if found is None:
        raise NotFound(f"this body has no charter version {version}")
    return s.charter_out(found)


@router.get(
    "/{slug}/charter/versions", **READS, response={200: list[s.CharterVersionOut], **READ_ERRORS}
)
def charter_versions(request: HttpRequest, slug: str) -> list[s.CharterVersionOut]:
    """Every version of the charter, newest first."""
    body = policy.body_for(person_or_none(request), slug, "body.read")
    return [s.charter_version_out(v) for v in selectors.body_charter_versions(body=body)]


@router.get("/{slug}/mandates", **READS, response={200: list[s.MandateOut], **READ_ERRORS})
def mandate_list(request: HttpRequest, slug: str, past: bool = False) -> list[s.MandateOut]:
    """Live mandates; with ``?past=true`` also the ended and recalled ones."""
    body = policy.body_for(person_or_none(request), slug, "mandates.view")
    return [s.mandate_out(m) for m in selectors.body_mandates(body=body, include_past=past)]


@router.get("/{slug}/journal", **READS, response={200: s.JournalPage, **READ_ERRORS})
def journal_list(request: HttpRequest, slug: str, q: Query[s.JournalQuery]) -> s.JournalPage:
    """Journal entries in order, ``limit`` at a time after sequence number ``after``."""
    body = policy.body_for(person_or_none(request), slug, "journal.view")
    entries = list(selectors.body_journal(body=body, after=q.after, limit=q.limit))
    return s.journal_page(entries, q.limit)


@router.post("/{slug}/journal/verify", **WRITES, response={200: s.ChainReportOut, **WRITE_ERRORS})
def journal_check(request: HttpRequest, slug: str) -> s.ChainReportOut:
    """Recompute the journal's hash chain; ``ok`` is false with the first broken entry."""
    body = policy.body_for(person(request), slug, "journal.view")
    return s.chain_report_out(journal_verify(body=body))


@router.post("/{slug}/invitations", **WRITES, response={201: s.InvitationOut, **WRITE_ERRORS})
def invitation_create(
    request: HttpRequest, slug: str, payload: s.InvitationIn
) -> Status[s.InvitationOut]:
    """An expiring, single-use invitation. Its token is in this answer only."""
    body = policy.body_for(person(request), slug, "body.view")
    invitation, token = services.invitation_create(body=body, by=person(request), note=payload.note)
    url = request.build_absolute_uri(reverse("web:invitation", args=[token]))
    return Status(
        201,
        s.InvitationOut(
            token=token, url=url, expires_at=invitation.expires_at, note=invitation.note
        ),
    )


@router.post("/{slug}/join", **WRITES, response={201: s.MembershipOut, **WRITE_ERRORS})
def body_join(request: HttpRequest, slug: str) -> Status[s.MembershipOut]:
    """Join a body that admits openly, or apply to one that admits by decision."""
    body = policy.body_for(person(request), slug, "body.view")
    return Status(201, s.membership_out(services.body_join(body=body, person=person(request))))


@router.post("/{slug}/leave", **WRITES, response={200: s.MembershipOut, **WRITE_ERRORS})
def body_leave(request: HttpRequest, slug: str) -> s.MembershipOut:
    """Leave a body, or withdraw an application. Your mandates there end with it."""
    body = policy.body_for(person(request), slug, "body.view")
    return s.membership_out(services.membership_leave(body=body, person=person(request)))


@invitations.post("/{token}/accept", **WRITES, response={201: s.MembershipOut, **WRITE_ERRORS})
def invitation_accept(request: HttpRequest, token: str) -> Status[s.MembershipOut]:
    """Accept an invitation (410 once it is used or expired)."""
    membership = services.invitation_accept(token=token, person=person(request))
    return Status(201, s.membership_out(membership))
