"""The shapes the API reads and writes. Builders turn models into them, with the asker in
mind where the answer depends on who asks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from dualpower.accounts.models import ApiToken, Person
from dualpower.bodies import policy
from dualpower.bodies.charter import BODY_KINDS, KIND_LABELS
from dualpower.bodies.journal import ChainReport
from dualpower.bodies.models import Body, CharterVersion, JournalEntry, Mandate, Membership

# The powers a client may want to know it holds before offering a button.
SHOWN_POWERS = (
    "body.read",
    "members.view",
    "mandates.view",
    "journal.view",
    "invite",
    "join",
    "leave",
)


class Problem(Schema):
    """An error (RFC 9457), sent as ``application/problem+json``."""

    type: str = Field(examples=["urn:dualpower:problem:not-found"])
    title: str
    status: int
    detail: str


class In(Schema):
    """An input: a field it does not know (a typo) is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PersonRef(Schema):
    id: int
    name: str


class BodyIn(In):
    name: str = Field(description="1 to 120 characters")
    kind: str = Field(
        description="picks the starter charter", json_schema_extra={"enum": list(BODY_KINDS)}
    )
    about: str = Field(default="", description="up to 5000 characters")
    visibility: str | None = Field(
        default=None,
        description="public, members or hidden; the starter charter's when absent",
        json_schema_extra={"enum": ["public", "members", "hidden", None]},
    )


class BodyOut(Schema):
    slug: str
    name: str
    kind: str
    kind_label: str
    about: str
    visibility: str
    created_at: datetime
    membership: str | None = Field(description="yours: member, applicant, or null")


class BodyDetailOut(BodyOut):
    may: list[str] = Field(
        description="what you may do or see here, among " + ", ".join(SHOWN_POWERS)
    )


class MemberOut(Schema):
    person: PersonRef
    joined_at: datetime | None


class CharterVersionOut(Schema):
    version: int
    adopted_at: datetime
    adopted_by: str = Field(description="'founding' or the decision that adopted it")


class CharterOut(CharterVersionOut):
    rules: dict[str, Any] = Field(description="the charter rules (see docs/api.md)")


class MandateOut(Schema):
    id: int
    role: str
    powers: list[str]
    holder: PersonRef
    starts_at: datetime
    ends_at: datetime
    granted_by: str
    recalled_at: datetime | None
    recalled_by: str


class JournalQuery(Schema):
    after: int = Field(default=0, ge=0, description="entries after this sequence number")
    limit: int = Field(default=100, ge=1, le=1000)


class JournalEntryOut(Schema):
    seq: int
    kind: str
    payload: dict[str, Any]
    recorded_at: str = Field(description="ISO 8601, exactly the text that was hashed")
    prev_hash: str
    hash: str


class JournalPage(Schema):
    entries: list[JournalEntryOut]
    next_after: int | None = Field(description="pass as ?after= for the next page; null at the end")


class ChainReportOut(Schema):
    body: str
    entries: int
    ok: bool
    broken_seq: int | None
    problem: str
    summary: str


class InvitationIn(In):
    note: str = Field(default="", description="up to 200 characters, shown to the invitee")


class InvitationOut(Schema):
    token: str = Field(description="shown once; only its hash is kept")
    url: str
    expires_at: datetime
    note: str


class MembershipOut(Schema):
    body: str = Field(description="the body's slug")
    status: str = Field(description="member, applicant or former")
    joined_at: datetime | None
    left_at: datetime | None


class MyBodyOut(Schema):
    slug: str
    name: str
    kind: str
    status: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    bodies: list[MyBodyOut]


class TokenIn(In):
    label: str = Field(description="1 to 100 characters, to recognise the token later")


class TokenOut(Schema):
    id: int
    label: str
    prefix: str = Field(description="the first characters of the token, to recognise it")
    created_at: datetime
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="the token itself, shown this once; only its hash is kept")


def person_ref(person: Person) -> PersonRef:
    return PersonRef(id=person.pk, name=person.name)


def body_out(body: Body, asker: Person | None) -> BodyOut:
    return BodyOut(
        slug=body.slug,
        name=body.name,
        kind=body.kind,
        kind_label=KIND_LABELS.get(body.kind, body.kind),
        about=body.about,
        visibility=body.visibility,
        created_at=body.created_at,
        membership=policy.membership_status(asker, body),
    )


def body_detail_out(body: Body, asker: Person | None) -> BodyDetailOut:
    may = [p for p in SHOWN_POWERS if policy.can(asker, p, body)]
    return BodyDetailOut(**body_out(body, asker).model_dump(), may=may)


def member_out(membership: Membership) -> MemberOut:
    return MemberOut(person=person_ref(membership.person), joined_at=membership.joined_at)


def charter_out(version: CharterVersion) -> CharterOut:
    return CharterOut(
        version=version.number,
        adopted_at=version.adopted_at,
        adopted_by=version.adopted_by,
        rules=version.rules,
    )


def charter_version_out(version: CharterVersion) -> CharterVersionOut:
    return CharterVersionOut(
        version=version.number, adopted_at=version.adopted_at, adopted_by=version.adopted_by
    )


def mandate_out(mandate: Mandate) -> MandateOut:
    return MandateOut(
        id=mandate.pk,
        role=mandate.role,
        powers=list(mandate.powers),
        holder=person_ref(mandate.holder),
        starts_at=mandate.starts_at,
        ends_at=mandate.ends_at,
        granted_by=mandate.granted_by,
        recalled_at=mandate.recalled_at,
        recalled_by=mandate.recalled_by,
    )


def journal_page(entries: list[JournalEntry], limit: int) -> JournalPage:
    items = [JournalEntryOut(**e.as_record()) for e in entries]
    next_after = entries[-1].seq if len(entries) == limit else None
    return JournalPage(entries=items, next_after=next_after)


def chain_report_out(report: ChainReport) -> ChainReportOut:
    return ChainReportOut(
        body=report.body_slug,
        entries=report.entries,
        ok=report.ok,
        broken_seq=report.broken_seq,
        problem=report.problem,
        summary=report.line(),
    )


def membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut(
        body=membership.body.slug,
        status=membership.status,
        joined_at=membership.joined_at,
        left_at=membership.left_at,
    )


def me_out(person: Person, memberships: list[Membership]) -> MeOut:
    bodies = [
        MyBodyOut(slug=m.body.slug, name=m.body.name, kind=m.body.kind, status=m.status)
        for m in memberships
    ]
    return MeOut(id=person.pk, email=person.email, name=person.name, bodies=bodies)


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        label=token.label,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
    )
