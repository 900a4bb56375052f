"""The charter option "either side records, the other may dispute within N days":
services, pages and API, denials included."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from ledger_helpers import account, fresh

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import JournalEntry
from dualpower.core.errors import Conflict, Invalid, NotAllowed
from dualpower.ledger import services
from dualpower.ledger.models import Currency, Transfer


@pytest.fixture
def either(hours: Currency) -> Currency:
    """The time bank's hours, where either side records and the other may dispute for 7
    days."""
    return services.ledger_settings_set(
        body=hours.body,
        currency=hours,
        recording="either_side_disputes",
        dispute_days=7,
        decision="decision test",
    )


def record(c: Currency, by: Person, amount: int = 150, key: str = "k", **side: Person) -> Transfer:
    return services.timebank_record(
        body=c.body, currency=c, by=by, amount=amount, memo="gardening", client_key=key, **side
    )


def dispute(c: Currency, r: Transfer, by: Person, reason: str = "it was one hour") -> Transfer:
    return services.timebank_dispute(body=c.body, record=r, by=by, reason=reason)


def close_window(r: Transfer) -> None:
    Transfer.objects.filter(pk=r.pk).update(dispute_until=timezone.now() - timedelta(seconds=1))


# ---------------------------------------------------------------- services


def test_the_giver_records_and_it_applies_at_once(
    either: Currency, alice: Person, bob: Person
) -> None:
    before = timezone.now()
    r = record(either, alice, receiver=bob)
    assert r.status == Transfer.Status.APPLIED
    assert r.dispute_until is not None
    assert before + timedelta(days=7) <= r.dispute_until <= timezone.now() + timedelta(days=7)
    assert fresh(account(either, alice)).balance == 150
    assert fresh(account(either, bob)).balance == -150
    assert record(either, alice, receiver=bob).pk == r.pk  # a retry applies once
    assert fresh(account(either, alice)).balance == 150
    with pytest.raises(Conflict):
        record(either, alice, amount=200, receiver=bob)  # same key, other content


def test_the_receiver_may_record_too(either: Currency, alice: Person, bob: Person) -> None:
    r = record(either, bob, giver=alice)
    assert r.status == Transfer.Status.APPLIED and r.created_by == bob
    assert fresh(account(either, alice)).balance == 150
    assert fresh(account(either, bob)).balance == -150


def test_under_receiver_confirms_only_the_giver_records(
    hours: Currency, alice: Person, bob: Person
) -> None:
    with pytest.raises(NotAllowed):
        record(hours, bob, giver=alice)
    r = record(hours, alice, receiver=bob)
    assert r.status == Transfer.Status.PENDING and r.dispute_until is None
    services.timebank_confirm(body=hours.body, record=r, by=bob)
    with pytest.raises(Conflict):  # a confirmed record is not disputed
        dispute(hours, r, bob)


def test_a_record_names_one_other_member(
    either: Currency, alice: Person, bob: Person, dave: Person
) -> None:
    with pytest.raises(Invalid):
        record(either, alice)
    with pytest.raises(Invalid):
        record(either, alice, receiver=bob, giver=bob)
    with pytest.raises(Invalid):
        record(either, alice, giver=alice)
    with pytest.raises(Invalid):
        record(either, alice, giver=dave)


def test_a_record_past_the_limit_is_refused(either: Currency, alice: Person, bob: Person) -> None:
    # The time bank's charter lets a member go 20 hours below zero.
    r = record(either, bob, amount=20_01, giver=alice)
    assert r.status == Transfer.Status.REFUSED and "over the limit" in r.reason
    assert fresh(account(either, bob)).balance == 0
    with pytest.raises(Conflict):
        dispute(either, r, alice)


def test_the_other_side_disputes_and_it_is_undone(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    reversal = dispute(either, r, bob, reason="  it was one hour  ")
    assert reversal.kind == Transfer.Kind.REVERSAL and reversal.reverses_id == r.pk
    assert reversal.status == Transfer.Status.APPLIED and "it was one hour" in reversal.memo
    assert fresh(account(either, alice)).balance == 0
    assert fresh(account(either, bob)).balance == 0
    entry = JournalEntry.objects.filter(body=either.body, kind="ledger.hours_disputed").get()
    assert entry.payload["transfer"] == r.pk and entry.payload["reversal"] == reversal.pk
    applied = JournalEntry.objects.get(
        body=either.body, kind="ledger.transfer_applied", payload__transfer=reversal.pk
    )
    assert applied.payload["by"] == f"person:{bob.pk}"  # the person, not the key's owner
    assert entry.payload["reason"] == "it was one hour"
    assert journal_verify(body=either.body).ok
    assert services.ledger_verify(body=either.body).ok


def test_the_giver_disputes_what_the_receiver_recorded(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, bob, giver=alice)
    with pytest.raises(NotAllowed):
        dispute(either, r, bob)  # not one's own record
    dispute(either, r, alice)
    assert fresh(account(either, alice)).balance == 0


def test_only_the_other_side_may_dispute(
    either: Currency, alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    r = record(either, alice, receiver=bob)
    for someone in (alice, carol, dave):
        with pytest.raises(NotAllowed):
            dispute(either, r, someone)
    assert fresh(account(either, alice)).balance == 150


def test_a_record_is_disputed_once(either: Currency, alice: Person, bob: Person) -> None:
    r = record(either, alice, receiver=bob)
    dispute(either, r, bob)
    with pytest.raises(Conflict):
        dispute(either, r, bob)
    with pytest.raises(Conflict):
        dispute(either, r, bob, reason="another reason")
    assert fresh(account(either, bob)).balance == 0


def test_a_members_own_client_key_never_collides_with_a_dispute(
    either: Currency, alice: Person, bob: Person
) -> None:
    """Bob's earlier record happened to use the key a dispute is stored under: the
    dispute still works (disputes keep their keys apart from the members' own)."""
    r = record(either, alice, receiver=bob)
    record(either, bob, amount=10, key=f"dispute-{r.pk}", giver=alice)
    reversal = dispute(either, r, bob)
    assert reversal.status == Transfer.Status.APPLIED and reversal.reverses_id == r.pk
    assert services.ledger_verify(body=either.body).ok


def test_after_the_window_it_can_no_longer_be_disputed(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    close_window(r)
    with pytest.raises(Conflict, match="time to dispute"):
        dispute(either, r, bob)
    assert fresh(account(either, alice)).balance == 150


def test_a_dispute_needs_a_reason(either: Currency, alice: Person, bob: Person) -> None:
    r = record(either, alice, receiver=bob)
    for reason in ("", "   ", "x" * 201):
        with pytest.raises(Invalid):
            dispute(either, r, bob, reason=reason)


def test_a_dispute_the_giver_cannot_pay_back_is_refused_and_may_be_made_again(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(either, alice, amount=5_00, receiver=bob)
    # alice spends her hours down to her limit (20 hours below zero).
    services.transfer_create(
        body=either.body, by=alice, from_account=account(either, alice),
        to_account=account(either, carol), amount=25_00, client_key="spend",
    )  # fmt: skip
    with pytest.raises(Conflict, match="over the limit"):
        dispute(either, r, bob)
    assert not Transfer.objects.filter(reverses=r).exists()
    services.transfer_create(
        body=either.body, by=carol, from_account=account(either, carol),
        to_account=account(either, alice), amount=5_00, client_key="back",
    )  # fmt: skip
    assert dispute(either, r, bob).status == Transfer.Status.APPLIED


def test_a_later_change_keeps_the_window_of_earlier_records(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    services.ledger_settings_set(
        body=either.body, currency=either, recording="receiver_confirms", dispute_days=7,
        decision="decision test 2",
    )  # fmt: skip
    assert dispute(either, r, bob).status == Transfer.Status.APPLIED


def test_settings_are_changed_by_a_decision_only(hours: Currency, acorns: Currency) -> None:
    with pytest.raises(NotAllowed):
        services.ledger_settings_set(
            body=hours.body, currency=hours, recording="either_side_disputes", dispute_days=7,
            decision="",
        )  # fmt: skip
    for recording, days in (
        ("sometimes", 7),
        ("either_side_disputes", 0),
        ("receiver_confirms", 366),
    ):
        with pytest.raises(Invalid):
            services.ledger_settings_set(
                body=hours.body, currency=hours, recording=recording, dispute_days=days,
                decision="d",
            )  # fmt: skip
    with pytest.raises(Invalid):
        services.ledger_settings_set(
            body=acorns.body, currency=acorns, recording="either_side_disputes", dispute_days=7,
            decision="d",
        )  # fmt: skip


# ---------------------------------------------------------------- pages


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def page(c: Currency) -> str:
    return f"/bodies/{c.body.slug}/ledger/{c.code}/"


def dispute_url(c: Currency, r: Transfer) -> str:
    return f"{page(c)}transfers/{r.pk}/dispute/"


def test_the_receiver_records_hours_on_the_page(
    either: Currency, alice: Person, bob: Person
) -> None:
    client = logged_in(bob)
    form = client.get(page(either) + "hours/")
    assert form.status_code == 200 and b"I received hours from" in form.content
    data = {"direction": "received", "receiver": "alice@example.org", "amount": "1.5",
            "memo": "moving", "client_key": "k"}  # fmt: skip
    assert client.post(page(either) + "hours/", data).status_code == 302
    assert client.post(page(either) + "hours/", data).status_code == 302  # double submit
    assert fresh(account(either, alice)).balance == 1_50
    assert Transfer.objects.count() == 1


def test_the_other_side_sees_a_dispute_button_and_uses_it(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(either, alice, receiver=bob)
    assert b"Dispute" not in logged_in(alice).get(page(either)).content
    assert b"Dispute" not in logged_in(carol).get(page(either)).content
    client = logged_in(bob)
    shown = client.get(page(either))
    assert b"Dispute" in shown.content and dispute_url(either, r).encode() in shown.content
    done = client.post(dispute_url(either, r), {"reason": "it was one hour"})
    assert done.status_code == 302
    after = client.get(done["Location"])
    assert b"disputed and undone" in after.content
    assert dispute_url(either, r).encode() not in after.content
    assert fresh(account(either, bob)).balance == 0


def test_the_dispute_button_is_gone_after_the_window(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    close_window(r)
    client = logged_in(bob)
    assert dispute_url(either, r).encode() not in client.get(page(either)).content
    late = client.post(dispute_url(either, r), {"reason": "late"})
    assert late.status_code == 409 and b"time to dispute" in late.content


def test_dispute_denials_on_the_pages(
    either: Currency, alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    r = record(either, alice, receiver=bob)
    assert logged_in(carol).post(dispute_url(either, r), {"reason": "no"}).status_code == 403
    missing = logged_in(dave).get("/bodies/no-such-body/ledger/")
    denied = logged_in(dave).post(dispute_url(either, r), {"reason": "no"})
    assert denied.status_code == 404 and denied.content == missing.content
    assert logged_in(bob).post(dispute_url(either, r), {"reason": ""}).status_code == 422
    assert logged_in(bob).get(dispute_url(either, r)).status_code == 405
    assert fresh(account(either, alice)).balance == 150


# ---------------------------------------------------------------- API


class Api:
    def __init__(self, person: Person) -> None:
        self.client = Client()
        _, clear = api_token_create(person=person, label="tests")
        self.headers = {"Authorization": f"Bearer {clear}"}

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return self.client.post(
            f"/api/v1/bodies/{path}", json.dumps(body), content_type="application/json",
            headers=headers,
        )  # fmt: skip


def status(response: Any, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.content
    body: dict[str, Any] = json.loads(response.content)
    return body


@pytest.mark.urls("ledger_api_urls")
def test_api_record_either_side_and_dispute(
    either: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    slug = either.body.slug
    made = status(Api(bob).post(f"{slug}/ledger/h/hours", {"giver": "alice@example.org",
                                                          "hours": "2"}, key="k"), 201)  # fmt: skip
    assert made["status"] == "applied" and made["dispute_until"] is not None
    path = f"{slug}/ledger/h/transfers/{made['id']}/dispute"
    assert status(Api(carol).post(path, {"reason": "no"}), 403)["detail"]
    assert status(Api(bob).post(path, {"reason": "mine"}), 403)["detail"]
    undone = status(Api(alice).post(path, {"reason": "I was not there"}), 201)
    assert undone["reverses"] == made["id"] and undone["kind"] == "reversal"
    assert status(Api(alice).post(path, {"reason": "again"}), 409)["detail"]
    assert fresh(account(either, alice)).balance == 0


@pytest.mark.urls("ledger_api_urls")
def test_api_dispute_after_the_window_is_409(either: Currency, alice: Person, bob: Person) -> None:
    r = record(either, alice, receiver=bob)
    close_window(r)
    path = f"{either.body.slug}/ledger/h/transfers/{r.pk}/dispute"
    assert "time to dispute" in status(Api(bob).post(path, {"reason": "late"}), 409)["detail"]
    assert status(Api(bob).post(f"{either.body.slug}/ledger/h/transfers/999999/dispute",
                                {"reason": "x"}), 404)  # fmt: skip


@pytest.mark.urls("ledger_api_urls")
def test_api_receiver_confirms_refuses_a_record_by_the_receiver(
    hours: Currency, alice: Person, bob: Person
) -> None:
    body = {"giver": "alice@example.org", "hours": "1"}
    assert status(Api(bob).post(f"{hours.body.slug}/ledger/h/hours", body, key="k"), 403)
    both = {"giver": "alice@example.org", "receiver": "carol@example.org", "hours": "1"}
    assert status(Api(alice).post(f"{hours.body.slug}/ledger/h/hours", both, key="k2"), 422)


def test_a_dispute_reason_with_a_nul_is_refused_not_a_database_error(
    either: Currency, alice: Person, bob: Person
) -> None:
    r = record(either, alice, receiver=bob)
    with pytest.raises(Invalid, match="NUL"):
        dispute(either, r, bob, reason="not\x00me")
    assert Transfer.objects.filter(reverses=r).count() == 0
