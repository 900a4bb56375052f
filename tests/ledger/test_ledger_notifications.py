"""Time-bank records tell the one side concerned, never the rest of the body: hours to
confirm → the receiver; confirmed, refused or declined → the recorder; withdrawn by the
recorder → the receiver; recorded where either side records → the other side; disputed →
the recorder. Each once, after commit, as each person chose for the body; nothing on a
rollback or a repeat."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.core.errors import Conflict
from dualpower.ledger import services
from dualpower.ledger.models import Currency, Transfer
from dualpower.notifications.models import Notification
from dualpower.notifications.services import deliver_pending, preference_set
from dualpower.notifications.tasks import notifications_deliver

PAGE = "/bodies/riverside-time-bank/ledger/h/"


@pytest.fixture
def either(hours: Currency) -> Currency:
    return services.ledger_settings_set(
        body=hours.body, currency=hours, recording="either_side_disputes", dispute_days=7,
        decision="decision test",
    )  # fmt: skip


def record(
    c: Currency, by: Person, amount: int = 200, key: str = "k", memo: str = "", **side: Person
) -> Transfer:
    return services.timebank_record(
        body=c.body, currency=c, by=by, amount=amount, memo=memo, client_key=key, **side
    )


def confirm(c: Currency, r: Transfer, by: Person) -> Transfer:
    return services.timebank_confirm(body=c.body, record=r, by=by)


def decline(c: Currency, r: Transfer, by: Person) -> Transfer:
    return services.timebank_decline(body=c.body, record=r, by=by)


def heard(person: Person) -> list[tuple[str, str]]:
    """(event, subject) of each notification of ``person``, oldest first."""
    rows = Notification.objects.filter(person=person).order_by("pk")
    return list(rows.values_list("event", "subject"))


def deliveries() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="notifications_deliver").count()


# ---------------------------------------------------------------- who hears what


def test_the_receiver_hears_of_hours_to_confirm_and_no_one_else(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    record(hours, alice, memo="gardening", receiver=bob)
    assert heard(bob) == [
        ("hours.to_confirm", "Alice recorded 2.00 hours given to you: confirm or decline")
    ]
    n = Notification.objects.get(person=bob)
    assert n.url == PAGE and n.body == hours.body
    assert n.text.startswith('Alice recorded 2.00 hours ("gardening") given to you.')
    assert heard(alice) == heard(carol) == []
    # The link leads to the page where bob answers.
    client = Client()
    client.force_login(bob)
    page = client.get(n.url).content.decode()
    assert f"/ledger/records/{Transfer.objects.get().pk}/confirm/" in page


def test_a_retried_record_tells_the_receiver_once(
    hours: Currency, alice: Person, bob: Person
) -> None:
    first = record(hours, alice, receiver=bob)
    assert record(hours, alice, receiver=bob).pk == first.pk
    assert len(heard(bob)) == 1


def test_the_recorder_hears_of_a_confirmation_once(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(hours, alice, amount=100, receiver=bob)
    confirm(hours, r, bob)
    confirm(hours, r, bob)  # a repeat answers the same and tells no one
    assert heard(alice) == [("hours.confirmed", "Bob confirmed the 1.00 hour you recorded")]
    assert [e for e, _ in heard(bob)] == ["hours.to_confirm"]
    assert heard(carol) == []


def test_the_recorder_hears_of_a_decline_once(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(hours, alice, receiver=bob)
    decline(hours, r, bob)
    decline(hours, r, bob)
    assert heard(alice) == [("hours.declined", "Bob declined the 2.00 hours you recorded")]
    assert "Nothing moved." in Notification.objects.get(person=alice).text
    assert [e for e, _ in heard(bob)] == ["hours.to_confirm"]
    assert heard(carol) == []


def test_the_receiver_hears_once_that_the_recorder_withdrew_the_hours(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(hours, alice, memo="moving", receiver=bob)
    services.timebank_withdraw(body=hours.body, record=r, by=alice)
    services.timebank_withdraw(body=hours.body, record=r, by=alice)  # a repeat: no one
    assert heard(bob) == [
        ("hours.to_confirm", "Alice recorded 2.00 hours given to you: confirm or decline"),
        ("hours.withdrawn", "Alice withdrew the 2.00 hours recorded for you"),
    ]
    assert "moving" in Notification.objects.filter(person=bob).last().text  # type: ignore[union-attr]
    assert heard(alice) == [] and heard(carol) == []


def test_a_refused_confirmation_tells_the_recorder_without_the_receivers_figures(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, amount=30_00, receiver=bob)  # the charter's limit is 20 hours
    assert confirm(hours, r, bob).status == Transfer.Status.REFUSED
    assert confirm(hours, r, bob).status == Transfer.Status.REFUSED
    assert heard(alice) == [("hours.refused", "The 30.00 hours you recorded could not be applied")]
    text = Notification.objects.get(person=alice).text
    assert "refused: over the limit of Bob's account." in text
    assert "-20" not in text and "20.00" not in text


def test_where_either_side_records_the_other_side_hears_it_may_dispute(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(either, alice, receiver=bob)
    assert heard(bob) == [("hours.recorded", "Alice recorded 2.00 hours given to you")]
    assert r.dispute_until is not None
    until = r.dispute_until.strftime("%Y-%m-%d %H:%M UTC")
    assert f"you may dispute them until {until}" in Notification.objects.get(person=bob).text
    record(either, bob, key="k2", giver=carol)
    assert heard(carol) == [("hours.recorded", "Bob recorded 2.00 hours received from you")]
    assert heard(alice) == []


def test_a_record_refused_over_a_limit_tells_no_one(
    either: Currency, alice: Person, bob: Person
) -> None:
    assert record(either, alice, amount=30_00, receiver=bob).status == Transfer.Status.REFUSED
    assert heard(alice) == heard(bob) == []


def test_the_recorder_hears_of_a_dispute_with_its_reason(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(either, alice, receiver=bob)
    services.timebank_dispute(body=either.body, record=r, by=bob, reason="it was one hour")
    assert heard(alice) == [("hours.disputed", "Bob disputed the 2.00 hours you recorded")]
    text = Notification.objects.get(person=alice).text
    assert "saying: it was one hour" in text and "undone" in text
    assert [e for e, _ in heard(bob)] == ["hours.recorded"]
    assert heard(carol) == []
    with pytest.raises(Conflict):  # a second dispute is refused and tells no one
        services.timebank_dispute(body=either.body, record=r, by=bob, reason="again")
    assert len(heard(alice)) == 1


def test_a_dispute_that_cannot_undo_the_hours_tells_no_one(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(either, alice, amount=20_00, receiver=bob)
    # alice receives hours from carol worth what bob got and more, down to her limit:
    # undoing bob's hours would take her past it, so the dispute is refused.
    record(either, carol, amount=20_00, key="k2", receiver=alice)
    record(either, carol, amount=20_00, key="k3", receiver=alice)
    with pytest.raises(Conflict):
        services.timebank_dispute(body=either.body, record=r, by=bob, reason="no")
    assert [e for e, _ in heard(alice)] == ["hours.recorded", "hours.recorded"]


# ---------------------------------------------------------------- after commit only


def test_the_e_mail_goes_to_the_receiver_after_commit(
    hours: Currency, alice: Person, bob: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record(hours, alice, receiver=bob)
        assert deliveries() == 0  # nothing before the commit
    assert deliveries() == 1
    assert notifications_deliver.call() == 1
    (sent,) = mail.outbox
    assert sent.to == [bob.email]
    assert sent.subject == (
        "[dualpower] Riverside Time Bank: Alice recorded 2.00 hours given to you: "
        "confirm or decline"
    )
    assert f"{settings.SITE_URL}{PAGE}" in sent.body


def test_nothing_is_told_when_the_answer_rolls_back(
    hours: Currency, alice: Person, bob: Person, django_capture_on_commit_callbacks: Any
) -> None:
    r = record(hours, alice, receiver=bob)
    deliver_pending()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            confirm(hours, r, bob)
            raise RuntimeError("a later step of the same change failed")
    assert callbacks == []
    assert Transfer.objects.get(pk=r.pk).status == Transfer.Status.PENDING
    assert heard(alice) == []
    assert deliver_pending() == 0 and mail.outbox == []


# ---------------------------------------------------------------- each one's choice


def test_each_side_hears_by_e_mail_as_they_chose_for_the_body(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    preference_set(person=bob, body=hours.body, mode="none")
    preference_set(person=carol, body=hours.body, mode="digest")
    record(hours, alice, receiver=bob)  # bob: in the app only
    for_carol = record(hours, alice, key="k2", receiver=carol)  # carol: a digest
    confirm(hours, for_carol, carol)  # alice: an e-mail each
    assert [e for e, _ in heard(bob)] == ["hours.to_confirm"]
    assert [e for e, _ in heard(carol)] == ["hours.to_confirm"]
    assert deliver_pending() == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "Carol confirmed the 2.00 hours you recorded" in mail.outbox[0].subject
    mail.outbox.clear()
    assert deliver_pending(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    (digest,) = mail.outbox
    assert digest.to == [carol.email] and "digest (1)" in digest.subject
    assert "Alice recorded 2.00 hours given to you" in digest.body


# ---------------------------------------------------------------- how they are shown


def test_the_page_and_the_api_show_the_new_events(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    services.timebank_dispute(body=either.body, record=r, by=bob, reason="<b>one</b> hour")
    client = Client()
    client.force_login(alice)
    page = client.get("/me/notifications/").content.decode()
    assert "Bob disputed the 2.00 hours you recorded" in page
    assert "saying: &lt;b&gt;one&lt;/b&gt; hour" in page  # the reason, escaped
    assert f'href="{PAGE}"' in page
    _, token = api_token_create(person=alice, label="tests")
    answer = Client().get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    (item,) = json.loads(answer.content)
    assert (item["event"], item["body"], item["url"]) == (
        "hours.disputed",
        "riverside-time-bank",
        PAGE,
    )
    assert "<b>one</b> hour" in item["text"]
