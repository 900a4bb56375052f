"""``/api/v1/me/notifications``: the in-app list, marking read, and e-mail choices."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from dualpower.api.auth import WRITE, person
from dualpower.api.schemas import In, Problem
from dualpower.bodies import policy

from . import services

router = Router(tags=["notifications"])
PROBLEMS: dict[int, type[Problem]] = {c: Problem for c in (401, 403, 404, 409, 422)}


class NotificationOut(Schema):
    id: int
    body: str
    event: str
    subject: str
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


class PreferenceIn(In):
    mode: str


class PreferenceOut(Schema):
    body: str
    mode: str


class MarkedOut(Schema):
    marked: int


@router.get("", auth=WRITE, response={200: list[NotificationOut], **PROBLEMS})
def notification_list(request: HttpRequest, unread: bool = False) -> list[NotificationOut]:
    return [
        NotificationOut(
            id=n.pk,
            body=n.body.slug,
            event=n.event,
            subject=n.subject,
            text=n.text,
            url=n.url,
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n in services.notification_list(person=person(request), unread_only=unread)
    ]


@router.post("/read", auth=WRITE, response={200: MarkedOut, **PROBLEMS})
def notification_mark_read(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.notifications_mark_read(person=person(request)))


@router.put("/preferences/{slug}", auth=WRITE, response={200: PreferenceOut, **PROBLEMS})
def preference_set(request: HttpRequest, slug: str, payload: PreferenceIn) -> PreferenceOut:
    """Choose how you hear of a body by e-mail: ``every``, ``digest`` or ``none``."""
    body = policy.body_for(person(request), slug, "leave")
    pref = services.preference_set(person=person(request), body=body, mode=payload.mode)
    return PreferenceOut(body=body.slug, mode=pref.mode)
