"""Reads about bodies. Callers ask ``policy`` before showing what these return."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from dualpower.accounts.models import Person

from .models import Body, CharterVersion, JournalEntry, Mandate, Membership


def body_members(*, body: Body) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body=body, status=Membership.Status.MEMBER)
        .select_related("person")
        .order_by("joined_at", "pk")
    )


def body_applicants(*, body: Body) -> QuerySet[Membership]:
    return Membership.objects.filter(body=body, status=Membership.Status.APPLICANT).select_related(
        "person"
    )


def body_member_count(*, body: Body) -> int:
    return Membership.objects.filter(body=body, status=Membership.Status.MEMBER).count()


def body_mandates(*, body: Body, include_past: bool = False) -> QuerySet[Mandate]:
    qs = Mandate.objects.filter(body=body).select_related("holder")
    if not include_past:
        now = timezone.now()
        qs = qs.filter(recalled_at__isnull=True, ends_at__gt=now)
    return qs.order_by("role", "starts_at")


def body_charter_versions(*, body: Body) -> QuerySet[CharterVersion]:
    return CharterVersion.objects.filter(body=body).order_by("-number")


def body_journal(*, body: Body, after: int = 0, limit: int | None = None) -> QuerySet[JournalEntry]:
    qs = JournalEntry.objects.filter(body=body, seq__gt=after).order_by("seq")
    return qs[:limit] if limit else qs


def person_bodies(*, person: Person) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(person=person)
        .exclude(status=Membership.Status.FORMER)
        .select_related("body")
        .order_by("body__name")
    )
