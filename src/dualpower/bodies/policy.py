"""Who may see or do what: the only place in dualpower that answers it.

Every answer traces to a membership or to a mandate, under the body's charter. Server
operators (``is_staff``/``is_superuser``) get nothing here: there is no superuser inside
the application.

Powers implied by membership and the charter:

==================  ===========================================================
``body.view``       the body's front page (name, kind, about): anyone, unless
                    the charter makes the body hidden (then members only)
``body.read``       charter and mandates: anyone for a public body, else members
``members.view``    the member list: per the charter's ``member_list`` (public,
                    members, or holders of ``member_list_power``)
``journal.view``    the journal names members, so: whoever may see the members
``mandates.view``   mandates name their holders: members, or anyone who may see
                    the member list
``invite``          per the charter's ``invite`` (members, or a named power)
``join``            a signed-in non-member of a visible body that admits openly
                    or by decision (then as an applicant)
``leave``           a member or applicant
``decisions.view``  proposals name members, so: members, or anyone where both the
                    body and its member list are public
``vote``            a member (and ``comment``, ``cosign``, ``stand``, ``amend``)
==================  ===========================================================

Who may *propose* depends on the kind of decision: see ``may_propose``.

Any other power (``ledger.record_for_others``, ``aid.triage``, ``moderate``...) is held
only through a live mandate that names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.core.errors import NotFound

from .models import Body, CharterVersion, Mandate, Membership

IMPLIED_POWERS = frozenset(
    {
        "body.view",
        "body.read",
        "members.view",
        "journal.view",
        "mandates.view",
        "invite",
        "join",
        "leave",
    }
)


def _signed_in(person: Any) -> bool:
    return person is not None and bool(getattr(person, "is_authenticated", False))


def membership_status(person: Any, body: Body) -> str | None:
    """'member', 'applicant' or None."""
    if not _signed_in(person):
        return None
    cache: dict[int, str | None] = person.__dict__.setdefault("_dp_membership_cache", {})
    if body.pk not in cache:
        cache[body.pk] = (
            Membership.objects.filter(body=body, person=person)
            .exclude(status=Membership.Status.FORMER)
            .values_list("status", flat=True)
            .first()
        )
    return cache[body.pk]


def is_member(person: Any, body: Body) -> bool:
    return membership_status(person, body) == Membership.Status.MEMBER


def _live_mandates(body: Body) -> QuerySet[Mandate]:
    now = timezone.now()
    return Mandate.objects.filter(
        body=body, recalled_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    )


def holds_power(person: Any, power: str, body: Body) -> bool:
    """True if ``person`` holds a live mandate in ``body`` naming ``power``."""
    if not _signed_in(person) or not is_member(person, body):
        return False
    return any(power in m.powers for m in _live_mandates(body).filter(holder=person))


GRANTS: list[Callable[[Any, str, Body], bool]] = []
"""Grants added by modules built on bodies, each on one line of its own module's policy
(federation: a member body's delegate may comment in the federation). A grant can only
add a power for a reason it names; it can never take one away."""


def can(person: Any, power: str, body: Body) -> bool:
    """May ``person`` (a Person, an AnonymousUser or None) use ``power`` in ``body``?"""
    return _can(person, power, body) or any(grant(person, power, body) for grant in GRANTS)


def _can(person: Any, power: str, body: Body) -> bool:
    charter = body.charter
    member = is_member(person, body)
    match power:
        case "body.view":
            return charter.visibility != "hidden" or member
        case "body.read":
            return charter.visibility == "public" or member
        case "members.view" | "journal.view":
            if charter.member_list == "public":
                return can(person, "body.read", body)
            if charter.member_list == "members":
                return member
            return holds_power(person, charter.member_list_power or "", body)
        case "mandates.view":
            return member or can(person, "members.view", body)
        case "invite":
            if charter.invite == "members":
                return member
            return holds_power(person, charter.invite_power or "", body)
        case "join":
            return (
                _signed_in(person)
                and charter.admission in ("open", "decision")
                and membership_status(person, body) is None
                and can(person, "body.view", body)
            )
        case "leave":
            return membership_status(person, body) is not None
        case "decisions.view":
            return member or (charter.visibility == "public" and charter.member_list == "public")
        case "vote" | "comment" | "cosign" | "stand" | "amend":
            return member
        case _:
            return holds_power(person, power, body)


def may_propose(person: Any, body: Body, decision_kind: str) -> bool:
    """A member may propose a decision of this kind if the charter's rule for it lets
    members propose, or names a power the member holds."""
    if not is_member(person, body):
        return False
    proposers = body.charter.rule_for(decision_kind).proposers
    return proposers == "member" or holds_power(person, proposers, body)


def body_for(person: Any, slug: str, power: str = "body.view") -> Body:
    """The body ``slug`` if ``person`` may use ``power`` there; otherwise NotFound, exactly
    as for a body that does not exist, so that a hidden body's existence does not leak."""
    body = Body.objects.filter(slug=slug).first()
    if body is None or not can(person, power, body):
        raise NotFound("no such body")
    return body


def bodies_where(person: Any, power: str) -> list[Body]:
    """Every body in which ``person`` may use ``power``."""
    if power == "body.view":
        visible = Q(visibility__in=["public", "members"])
        if _signed_in(person):
            visible |= Q(memberships__person=person, memberships__status=Membership.Status.MEMBER)
        candidates = Body.objects.filter(visible).distinct()
    elif power in IMPLIED_POWERS and power not in ("join",):
        candidates = Body.objects.filter(visibility="public")
        if _signed_in(person):
            candidates = candidates | Body.objects.filter(memberships__person=person).exclude(
                memberships__status=Membership.Status.FORMER
            )
        candidates = candidates.distinct()
    elif power == "join":
        candidates = Body.objects.filter(visibility__in=["public", "members"])
    else:
        if not _signed_in(person):
            return []
        now = timezone.now()
        ids = Mandate.objects.filter(
            holder=person, recalled_at__isnull=True, starts_at__lte=now, ends_at__gt=now
        ).values_list("body_id", flat=True)
        candidates = Body.objects.filter(pk__in=ids)
    bodies = list(candidates.order_by("name"))
    _warm(person, bodies)
    return [b for b in bodies if can(person, power, b)]


def _warm(person: Any, bodies: list[Body]) -> None:
    """Load the current charters of ``bodies`` and the person's memberships in them in two
    queries, so that asking ``can`` of each body does not query once per body."""
    if not bodies:
        return
    by_id = {b.pk: b for b in bodies}
    newest = CharterVersion.objects.filter(body=OuterRef("body")).order_by("-number")
    for version in CharterVersion.objects.filter(
        body__in=by_id, number=Subquery(newest.values("number")[:1])
    ):
        by_id[version.body_id]._charter_cache = version.charter
    if _signed_in(person):
        cache: dict[int, str | None] = person.__dict__.setdefault("_dp_membership_cache", {})
        live = dict(
            Membership.objects.filter(person=person, body__in=by_id)
            .exclude(status=Membership.Status.FORMER)
            .values_list("body_id", "status")
        )
        for pk in by_id:
            cache.setdefault(pk, live.get(pk))


def people_with(power: str, body: Body) -> QuerySet[Person]:
    """Every person who may use ``power`` in ``body`` (members and mandate holders only:
    for powers that the public has, this lists the members who have it)."""
    members = Person.objects.filter(
        memberships__body=body, memberships__status=Membership.Status.MEMBER
    )
    if power in IMPLIED_POWERS:
        ids = [p.pk for p in members if can(p, power, body)]
        return Person.objects.filter(pk__in=ids).order_by("email")
    holders = {m.holder_id for m in _live_mandates(body) if power in m.powers}
    return members.filter(pk__in=holders).order_by("email")
