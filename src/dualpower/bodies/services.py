"""Writes about bodies: founding, invitations, joining, leaving, mandates, charters.

Each service validates, changes the state and journals the change in one transaction.
Who may call them is asked of ``policy`` first, here, so that every interface (web,
API, CLI, tests) gets the same answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from pydantic import ValidationError

from dualpower.accounts.models import Person
from dualpower.core.errors import Conflict, Gone, Invalid, NotAllowed, NotFound

from . import policy
from .charter import BODY_KINDS, Charter, starter_charter
from .journal import journal_append, person_ref
from .models import Body, CharterVersion, Invitation, Mandate, Membership

FOUNDING = "founding"
FOUNDING_MANDATE_DAYS = 90


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "body"
    slug, n = base, 2
    while Body.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def charter_validate(rules: Any) -> Charter:
    """Validate charter rules, turning pydantic's report into one readable Invalid."""
    try:
        return Charter.model_validate(rules)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "charter"
        raise Invalid(f"charter rule {where}: {first['msg']}") from None


ON_FOUNDED: list[Callable[[Body], None]] = []
"""Called inside the founding transaction: modules set up what a body of its kind starts
with (the ledger opens a time bank's hours)."""


def body_found(
    *, founder: Person, name: str, kind: str, about: str = "", visibility: str | None = None
) -> Body:
    """Found a body: its starter charter as version 1, the founder its first member.

    Where the starter charter names powers (who sees a union's member list, who may
    invite), the founder holds them through a founding mandate of 90 days, which the
    members may recall or replace by decision at any time.
    """
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("a body needs a name of 1 to 120 characters")
    if kind not in BODY_KINDS:
        raise Invalid(f"unknown kind {kind!r}; choose one of {', '.join(BODY_KINDS)}")
    if len(about) > 5000:
        raise Invalid("the description is longer than 5000 characters")
    charter = starter_charter(kind)
    if visibility is not None:
        if visibility not in ("public", "members", "hidden"):
            raise Invalid("visibility must be public, members or hidden")
        charter = charter.model_copy(update={"visibility": visibility})
    with transaction.atomic():
        body = Body.objects.create(
            slug=_unique_slug(name),
            name=name,
            kind=kind,
            about=about.strip(),
            visibility=charter.visibility,
        )
        rules = charter.model_dump(mode="json")
        CharterVersion.objects.create(body=body, number=1, rules=rules, adopted_by=FOUNDING)
        journal_append(
            body=body,
            kind="body.founded",
            payload={"name": name, "kind": kind, "founder": person_ref(founder)},
        )
        journal_append(
            body=body,
            kind="charter.adopted",
            payload={"version": 1, "by": FOUNDING, "rules": rules},
        )
        now = timezone.now()
        Membership.objects.create(
            body=body, person=founder, status=Membership.Status.MEMBER, joined_at=now
        )
        journal_append(
            body=body,
            kind="member.joined",
            payload={"person": person_ref(founder), "by": FOUNDING},
        )
        for hook in ON_FOUNDED:
            hook(body)
        powers = sorted({p for p in (charter.member_list_power, charter.invite_power) if p})
        if powers:
            mandate_grant(
                body=body,
                holder=founder,
                role="Founding convenor",
                powers=powers,
                term_days=FOUNDING_MANDATE_DAYS,
                granted_by=FOUNDING,
            )
    return body


def mandate_grant(
    *,
    body: Body,
    holder: Person,
    role: str,
    powers: list[str],
    term_days: int,
    granted_by: str,
    starts_at: datetime | None = None,
) -> Mandate:
    """Grant a mandate. Called at founding and by the actions of passed decisions."""
    role = role.strip()
    if not role:
        raise Invalid("a mandate needs a role")
    if not policy.is_member(holder, body):
        raise Conflict(f"{holder.name} is not a member of {body.name}")
    if term_days < 1:
        raise Invalid("a mandate's term is at least one day")
    start = starts_at or timezone.now()
    with transaction.atomic():
        mandate = Mandate.objects.create(
            body=body,
            role=role,
            powers=sorted(set(powers)),
            holder=holder,
            starts_at=start,
            ends_at=start + timedelta(days=term_days),
            granted_by=granted_by,
        )
        journal_append(
            body=body,
            kind="mandate.granted",
            payload={
                "mandate": mandate.pk,
                "role": role,
                "powers": mandate.powers,
                "holder": person_ref(holder),
                "ends_at": mandate.ends_at.isoformat(),
                "by": granted_by,
            },
        )
    return mandate


def mandate_recall(*, mandate: Mandate, recalled_by: str) -> Mandate:
    """Recall a mandate at once. Called by the actions of passed decisions."""
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if locked.recalled_at is not None:
            raise Conflict("this mandate was already recalled")
        locked.recalled_at = timezone.now()
        locked.recalled_by = recalled_by
        locked.save(update_fields=["recalled_at", "recalled_by"])
        journal_append(
            body=locked.body,
            kind="mandate.recalled",
            payload={"mandate": locked.pk, "role": locked.role, "by": recalled_by},
        )
    return locked


def charter_adopt(*, body: Body, rules: Any, adopted_by: str) -> CharterVersion:
    """Adopt a new charter version. Called by the amend-charter action of a decision."""
    charter = charter_validate(rules)
    with transaction.atomic():
        last = body.current_charter()
        clean = charter.model_dump(mode="json")
        version = CharterVersion.objects.create(
            body=body, number=last.number + 1, rules=clean, adopted_by=adopted_by
        )
        body.visibility = charter.visibility
        body.save(update_fields=["visibility"])
        body.__dict__.pop("_charter_cache", None)
        journal_append(
            body=body,
            kind="charter.adopted",
            payload={"version": version.number, "by": adopted_by, "rules": clean},
        )
    return version


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, body: Body, by: Person, note: str = "") -> tuple[Invitation, str]:
    """Create an expiring single-use invitation; return it with its token (shown once)."""
    if not policy.can(by, "invite", body):
        raise NotAllowed("you may not invite people to this body")
    if len(note) > 200:
        raise Invalid("the note is longer than 200 characters")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            body=body,
            created_by=by,
            digest=_token_digest(token),
            note=note.strip(),
            expires_at=timezone.now() + timedelta(days=body.charter.invitation_days),
        )
        journal_append(
            body=body,
            kind="invitation.created",
            payload={
                "invitation": invitation.pk,
                "by": person_ref(by),
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
    return invitation, token


def invitation_get(*, token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("body").filter(digest=_token_digest(token)).first()
    )
    if invitation is None:
        raise NotFound("this invitation link is not valid")
    return invitation


def invitation_accept(*, token: str, person: Person) -> Membership:
    """Join a body through an invitation. Where the charter says admission needs a
    decision, the person becomes an applicant and waits for that decision."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(digest=_token_digest(token)).first()
        )
        if invitation is None:
            raise NotFound("this invitation link is not valid")
        if invitation.used_at is not None:
            raise Gone("this invitation has already been used")
        if invitation.expires_at <= timezone.now():
            raise Gone("this invitation has expired; ask for a new one")
        body = invitation.body
        membership = _enter(body=body, person=person, via=f"invitation {invitation.pk}")
        invitation.used_at = timezone.now()
        invitation.used_by = person
        invitation.save(update_fields=["used_at", "used_by"])
    return membership


def body_join(*, body: Body, person: Person) -> Membership:
    """Join a body that admits openly, or apply to one that admits by decision."""
    if not policy.can(person, "join", body):
        if policy.membership_status(person, body) is not None:
            raise Conflict("you are already in this body")
        raise NotAllowed("this body admits members by invitation only")
    with transaction.atomic():
        return _enter(body=body, person=person, via="request")


def _enter(*, body: Body, person: Person, via: str) -> Membership:
    status = policy.membership_status(person, body)
    if status is not None:
        raise Conflict(
            "you are already a member of this body"
            if status == "member"
            else "you have already applied"
        )
    needs_decision = body.charter.admission == "decision"
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                body=body,
                person=person,
                status=Membership.Status.APPLICANT if needs_decision else Membership.Status.MEMBER,
                joined_at=None if needs_decision else now,
            )
    except IntegrityError:
        raise Conflict("you are already in this body") from None
    person.__dict__.pop("_dp_membership_cache", None)
    kind = "member.applied" if needs_decision else "member.joined"
    journal_append(body=body, kind=kind, payload={"person": person_ref(person), "by": via})
    return membership


def membership_admit(*, body: Body, person: Person, admitted_by: str) -> Membership:
    """Admit an applicant. Called by the admit-member action of a passed decision."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(body=body, person=person, status=Membership.Status.APPLICANT)
            .first()
        )
        if membership is None:
            raise Conflict(f"{person.name} has no pending application to {body.name}")
        membership.status = Membership.Status.MEMBER
        membership.joined_at = timezone.now()
        membership.save(update_fields=["status", "joined_at"])
        person.__dict__.pop("_dp_membership_cache", None)
        journal_append(
            body=body,
            kind="member.admitted",
            payload={"person": person_ref(person), "by": admitted_by},
        )
    return membership


def membership_leave(*, body: Body, person: Person, removed_by: str | None = None) -> Membership:
    """Leave a body (or withdraw an application). With ``removed_by``, a decision removes
    the person. Their live mandates in the body end with their membership."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(body=body, person=person)
            .exclude(status=Membership.Status.FORMER)
            .first()
        )
        if membership is None:
            raise Conflict(f"{person.name} is not in {body.name}")
        was = membership.status
        membership.status = Membership.Status.FORMER
        membership.left_at = timezone.now()
        membership.save(update_fields=["status", "left_at"])
        person.__dict__.pop("_dp_membership_cache", None)
        now = timezone.now()
        for mandate in Mandate.objects.filter(
            body=body, holder=person, recalled_at__isnull=True, ends_at__gt=now
        ):
            mandate.recalled_at = now
            mandate.recalled_by = "membership ended"
            mandate.save(update_fields=["recalled_at", "recalled_by"])
            journal_append(
                body=body,
                kind="mandate.ended",
                payload={
                    "mandate": mandate.pk,
                    "role": mandate.role,
                    "because": "membership ended",
                },
            )
        kind = (
            "member.removed"
            if removed_by
            else ("member.left" if was == "member" else "member.withdrew")
        )
        payload: dict[str, Any] = {"person": person_ref(person)}
        if removed_by:
            payload["by"] = removed_by
        journal_append(body=body, kind=kind, payload=payload)
    return membership


def body_update_profile(
    *, body: Body, name: str | None = None, about: str | None = None, changed_by: str
) -> Body:
    """Change a body's name or description. Called by a decision's action."""
    fields: dict[str, str] = {}
    if name is not None:
        name = name.strip()
        if not name or len(name) > 120:
            raise Invalid("a body needs a name of 1 to 120 characters")
        fields["name"] = name
    if about is not None:
        if len(about) > 5000:
            raise Invalid("the description is longer than 5000 characters")
        fields["about"] = about.strip()
    if not fields:
        raise Invalid("nothing to change")
    with transaction.atomic():
        for key, value in fields.items():
            setattr(body, key, value)
        body.save(update_fields=list(fields))
        journal_append(body=body, kind="body.profile_changed", payload={**fields, "by": changed_by})
    return body
