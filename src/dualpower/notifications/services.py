"""Tell members what happens in their bodies (``notify_members``), or only the members
it concerns (``notify_persons``: each side of a time-bank record): in the app always, by
e-mail as each person chose for that body (every event, a daily digest, or none).

E-mail goes out from the worker (``notifications_deliver``), through Django's mail
backend, after the transaction that caused it commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body, Membership
from dualpower.core.errors import Invalid, NotFound

from .models import Notification, Preference

EVENTS = {
    "proposal.opened": "A proposal was opened",
    "voting.opened": "Voting is open",
    "voting.closing": "Voting closes within 24 hours",
    "proposal.decided": "A proposal was decided",
    # Time-bank records: each goes to one side of an exchange only (``notify_persons``).
    "hours.to_confirm": "Hours recorded for you wait for your confirmation",
    "hours.recorded": "Hours were recorded with you (you may dispute them)",
    "hours.confirmed": "Hours you recorded were confirmed",
    "hours.refused": "Hours you recorded could not be applied",
    "hours.declined": "Hours you recorded were declined",
    "hours.disputed": "Hours you recorded were disputed",
    "hours.withdrawn": "Hours recorded for you were withdrawn",
}


def preference_of(*, person: Person, body: Body) -> str:
    mode = (
        Preference.objects.filter(person=person, body=body).values_list("mode", flat=True).first()
    )
    return mode or Preference.Mode.EVERY


def preference_set(*, person: Person, body: Body, mode: str) -> Preference:
    if mode not in Preference.Mode.values:
        raise Invalid(f"choose one of {', '.join(Preference.Mode.values)}")
    if policy.membership_status(person, body) is None:
        raise NotFound("no such body")
    pref, _ = Preference.objects.update_or_create(person=person, body=body, defaults={"mode": mode})
    return pref


def notify_members(*, body: Body, event: str, subject: str, text: str, url: str = "") -> int:
    """Notify every member of ``body``; return how many were notified."""
    members = Membership.objects.filter(body=body, status=Membership.Status.MEMBER)
    return _notify(
        body=body,
        people=list(members.values_list("person_id", flat=True)),
        event=event, subject=subject, text=text, url=url,
    )  # fmt: skip


def notify_persons(
    *,
    body: Body,
    persons: Iterable[Person],
    event: str,
    subject: str,
    text: str,
    url: str = "",
) -> int:
    """Notify only ``persons`` of something in ``body`` that concerns them (a time-bank
    record, say), each as they chose for that body, exactly like ``notify_members``; call
    it inside the transaction that makes the change. Someone who is no longer a member is
    skipped: they could neither open the page it links to nor change how they hear of the
    body. Return how many were notified."""
    wanted = {p.pk for p in persons}
    members = Membership.objects.filter(
        body=body, status=Membership.Status.MEMBER, person_id__in=wanted
    )
    return _notify(
        body=body,
        people=sorted(members.values_list("person_id", flat=True)),
        event=event, subject=subject, text=text, url=url,
    )  # fmt: skip


def _notify(*, body: Body, people: list[int], event: str, subject: str, text: str, url: str) -> int:
    """Store one in-app notification per person with their choice for ``body``, and have
    the worker e-mail them once the caller's transaction commits (nothing is sent if it
    rolls back: the rows go with it and ``on_commit`` drops the delivery)."""
    assert event in EVENTS, event
    if not people:
        return 0
    modes = dict(
        Preference.objects.filter(body=body, person_id__in=people).values_list("person_id", "mode")
    )
    Notification.objects.bulk_create(
        Notification(
            person_id=pid,
            body=body,
            event=event,
            subject=subject[:200],
            text=text[:5000],
            url=url,
            mode=modes.get(pid, Preference.Mode.EVERY),
        )
        for pid in people
    )
    chosen = {modes.get(pid, Preference.Mode.EVERY) for pid in people}
    if Preference.Mode.EVERY in chosen:
        transaction.on_commit(lambda: _enqueue_delivery(None))
    if Preference.Mode.DIGEST in chosen:
        in_a_day = timezone.now() + timedelta(days=1, minutes=1)
        transaction.on_commit(lambda: _enqueue_delivery(in_a_day))
    return len(people)


def _enqueue_delivery(run_after: datetime | None) -> None:
    from .tasks import notifications_deliver

    task = (
        notifications_deliver
        if run_after is None
        else notifications_deliver.using(run_after=run_after)
    )
    task.enqueue()


def notification_list(*, person: Person, unread_only: bool = False) -> list[Notification]:
    qs = Notification.objects.filter(person=person).select_related("body")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[:200])


def notifications_mark_read(*, person: Person, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def deliver_pending(*, now: datetime | None = None) -> int:
    """Send one e-mail per pending 'every' notification, and one digest per person whose
    oldest pending digest notification is a day old. Return the e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for n in Notification.objects.filter(
        mode=Preference.Mode.EVERY, emailed_at__isnull=True
    ).select_related("person", "body"):
        send_mail(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{n.body.name}: {n.subject}",
            f"{n.text}\n\n{_absolute(n.url)}\n\nChoose how you hear of {n.body.name} at "
            f"{_absolute('/me/notifications/')}",
            None,
            [n.person.email],
        )
        Notification.objects.filter(pk=n.pk).update(emailed_at=now)
        sent += 1
    digest: dict[int, list[Notification]] = defaultdict(list)
    for n in Notification.objects.filter(
        mode=Preference.Mode.DIGEST, emailed_at__isnull=True
    ).select_related("person", "body"):
        digest[n.person_id].append(n)
    for items in digest.values():
        if min(i.created_at for i in items) > now - timedelta(days=1):
            continue
        lines = [
            f"- {i.body.name}: {i.subject}\n  {_absolute(i.url)}"
            for i in sorted(items, key=lambda i: i.created_at)
        ]
        send_mail(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}your daily digest ({len(items)})",
            "What happened in your bodies:\n\n" + "\n".join(lines),
            None,
            [items[0].person.email],
        )
        Notification.objects.filter(pk__in=[i.pk for i in items]).update(emailed_at=now)
        sent += 1
    return sent
