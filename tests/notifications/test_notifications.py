from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.core.errors import Invalid, NotFound
from dualpower.decisions.services import (
    ballot_cast,
    proposal_create,
    proposal_open,
    proposal_refresh,
)
from dualpower.notifications.models import Notification
from dualpower.notifications.services import (
    deliver_pending,
    notification_list,
    notifications_mark_read,
    preference_set,
)


def _open(body: Body, author: Person) -> None:
    proposal_open(
        proposal=proposal_create(body=body, author=author, title="Paint the hall"), by=author
    )


def test_every_member_hears_of_a_new_proposal_in_the_app_and_by_e_mail(
    assembly: Body, alice: Person, bob: Person, dave: Person
) -> None:
    _open(assembly, alice)
    assert [n.event for n in notification_list(person=bob)] == ["proposal.opened"]
    assert notification_list(person=dave) == []  # outsiders hear nothing
    assert deliver_pending() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, bob.email]
    assert "Paint the hall" in mail.outbox[0].subject
    assert "/bodies/eastside-assembly/proposals/1/" in mail.outbox[0].body
    assert deliver_pending() == 0  # each sent once


def test_a_person_who_chose_none_gets_no_e_mail(assembly: Body, alice: Person, bob: Person) -> None:
    preference_set(person=bob, body=assembly, mode="none")
    _open(assembly, alice)
    deliver_pending()
    assert [m.to[0] for m in mail.outbox] == [alice.email]
    assert len(notification_list(person=bob)) == 1


def test_a_digest_gathers_a_day_of_events_into_one_e_mail(
    assembly: Body, alice: Person, bob: Person
) -> None:
    preference_set(person=bob, body=assembly, mode="digest")
    _open(assembly, alice)
    _open(assembly, alice)
    deliver_pending()
    assert bob.email not in [m.to[0] for m in mail.outbox]
    mail.outbox.clear()
    assert deliver_pending(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    (digest,) = mail.outbox
    assert digest.to == [bob.email] and "digest (2)" in digest.subject


def test_members_hear_that_voting_opens_closes_soon_and_the_outcome(
    assembly: Body, alice: Person, bob: Person
) -> None:
    proposal = proposal_open(
        proposal=proposal_create(body=assembly, author=alice, title="Trees"), by=alice
    )
    assert proposal.voting_opens_at and proposal.voting_closes_at
    proposal = proposal_refresh(
        proposal=proposal, now=proposal.voting_opens_at + timedelta(minutes=1)
    )
    proposal = proposal_refresh(
        proposal=proposal, now=proposal.voting_closes_at - timedelta(hours=23)
    )
    proposal = proposal_refresh(
        proposal=proposal, now=proposal.voting_closes_at - timedelta(hours=22)
    )
    ballot_cast(proposal=proposal, voter=alice, content={"choice": "yes"})
    ballot_cast(proposal=proposal, voter=bob, content={"choice": "yes"})
    events = [n.event for n in reversed(notification_list(person=bob))]
    assert events == ["proposal.opened", "voting.opened", "voting.closing", "proposal.decided"]
    assert "passed" in notification_list(person=bob)[0].subject


def test_notifications_are_marked_read(assembly: Body, alice: Person, bob: Person) -> None:
    _open(assembly, alice)
    assert notifications_mark_read(person=bob) == 1
    assert notification_list(person=bob, unread_only=True) == []
    assert Notification.objects.filter(person=alice, read_at__isnull=True).count() == 1


def test_a_preference_needs_a_known_mode_and_a_body_of_ones_own(
    assembly: Body, bob: Person, dave: Person
) -> None:
    with pytest.raises(Invalid):
        preference_set(person=bob, body=assembly, mode="carrier pigeon")
    with pytest.raises(NotFound):
        preference_set(person=dave, body=assembly, mode="none")
