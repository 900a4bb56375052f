"""The giver withdraws hours they recorded while the record waits for the receiver:
services, API and pages, denials included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ledger_helpers import account, fresh, pay, problem, record

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import JournalEntry
from dualpower.bodies.services import membership_leave
from dualpower.core.errors import Conflict, Invalid, NotAllowed, NotFound
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Currency, Transfer
from dualpower.notifications.models import Notification


def withdraw(record: Transfer, by: Person) -> Transfer:
    return services.timebank_withdraw(body=record.body, record=record, by=by)


# ---------------------------------------------------------------- services


def test_the_giver_withdraws_a_record_that_waits(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 1000_00, "typo")
    done = withdraw(r, alice)
    assert done.pk == r.pk
    assert (done.status, done.reason) == (Transfer.Status.DECLINED, services.WITHDRAWN)
    assert done.settled_at is not None
    assert fresh(account(hours, alice)).balance == 0 and fresh(account(hours, bob)).balance == 0
    assert not selectors.pending_for(body=hours.body, person=bob).exists()
    with pytest.raises(Conflict):  # the receiver can no longer confirm it
        services.timebank_confirm(body=hours.body, record=r, by=bob)
    entry = JournalEntry.objects.get(body=hours.body, kind="ledger.hours_withdrawn")
    assert entry.payload["transfer"] == r.pk and entry.payload["by"]["id"] == alice.pk
    assert journal_verify(body=hours.body).ok
    assert services.ledger_verify(body=hours.body).ok


def test_withdrawing_twice_answers_the_same(hours: Currency, alice: Person, bob: Person) -> None:
    r = record(hours, alice, bob, 100, "k")
    first, again = withdraw(r, alice), withdraw(r, alice)
    assert (again.pk, again.status, again.reason) == (first.pk, first.status, first.reason)
    assert again.settled_at == first.settled_at
    assert JournalEntry.objects.filter(kind="ledger.hours_withdrawn").count() == 1


def test_only_the_member_who_recorded_it_withdraws(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    for other in (bob, carol):
        with pytest.raises(NotAllowed):
            withdraw(r, other)
    assert Transfer.objects.get(pk=r.pk).status == Transfer.Status.PENDING


@pytest.mark.parametrize("answer", ["confirmed", "refused", "declined"])
def test_a_record_the_receiver_answered_cannot_be_withdrawn(
    hours: Currency, alice: Person, bob: Person, answer: str
) -> None:
    # The time bank's charter lets a member go 20 hours below zero: 20.01 is refused.
    r = record(hours, alice, bob, 20_01 if answer == "refused" else 100, "k")
    act = services.timebank_decline if answer == "declined" else services.timebank_confirm
    before = act(body=hours.body, record=r, by=bob)
    with pytest.raises(Conflict, match=f"already {before.get_status_display().lower()}"):
        withdraw(r, alice)
    after = Transfer.objects.get(pk=r.pk)
    assert (after.status, after.reason) == (before.status, before.reason)


def test_the_receiver_cannot_decline_what_the_giver_withdrew(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    withdraw(r, alice)
    with pytest.raises(Conflict, match="withdrawn"):
        services.timebank_decline(body=hours.body, record=r, by=bob)
    assert not JournalEntry.objects.filter(kind="ledger.hours_declined").exists()


def test_the_giver_withdraws_after_the_receiver_left(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    membership_leave(body=hours.body, person=bob)
    assert withdraw(r, alice).status == Transfer.Status.DECLINED


def test_only_pending_hours_of_this_body_are_withdrawn(
    hours: Currency, acorns: Currency, alice: Person, bob: Person
) -> None:
    payment = pay(acorns, alice, bob, 100, "p")
    with pytest.raises(NotFound):  # a payment is no record of hours
        services.timebank_withdraw(body=acorns.body, record=payment, by=alice)
    r = record(hours, alice, bob, 100, "k")
    with pytest.raises(NotFound):  # another body's record
        services.timebank_withdraw(body=acorns.body, record=r, by=alice)


# ---------------------------------------------------------------- API


def api_post(person: Person, path: str) -> Any:
    _, clear = api_token_create(person=person, label="tests")
    return Client().post(
        f"/api/v1/bodies/{path}", "{}", content_type="application/json",
        headers={"Authorization": f"Bearer {clear}"},
    )  # fmt: skip


@pytest.mark.urls("ledger_api_urls")
def test_api_the_giver_withdraws_and_a_repeat_answers_the_same(
    hours: Currency, alice: Person, bob: Person, carol: Person, dave: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    path = f"{hours.body.slug}/ledger/records/{r.pk}/withdraw"
    assert "recorded" in problem(api_post(bob, path), 403)["detail"]
    problem(api_post(carol, path), 403)
    problem(api_post(dave, path), 404)  # an outsider: as for a missing body
    first = api_post(alice, path)
    assert first.status_code == 200
    assert first.json()["status"] == "declined"
    assert first.json()["reason"] == "withdrawn by the giver"
    again = api_post(alice, path)
    assert again.status_code == 200 and again.json() == first.json()
    problem(api_post(bob, f"{hours.body.slug}/ledger/records/{r.pk}/confirm"), 409)
    problem(api_post(alice, f"{hours.body.slug}/ledger/records/999999/withdraw"), 404)


@pytest.mark.urls("ledger_api_urls")
def test_api_withdrawing_a_confirmed_record_is_409(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    assert api_post(bob, f"{hours.body.slug}/ledger/records/{r.pk}/confirm").status_code == 200
    body = problem(api_post(alice, f"{hours.body.slug}/ledger/records/{r.pk}/withdraw"), 409)
    assert body["detail"] == "this record was already applied"
    assert fresh(account(hours, alice)).balance == 100


# ---------------------------------------------------------------- pages


def logged_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_giver_withdraws_from_the_currency_page(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 1000_00, "typo")
    page_url = f"/bodies/{hours.body.slug}/ledger/h/"
    withdraw_url = f"/bodies/{hours.body.slug}/ledger/records/{r.pk}/withdraw/"
    client = logged_in(alice)
    page = client.get(page_url)
    assert b"Withdraw" in page.content and withdraw_url.encode() in page.content
    assert client.get(withdraw_url).status_code == 405
    assert logged_in(bob).post(withdraw_url).status_code == 403
    response = client.post(withdraw_url, follow=True)
    assert response.redirect_chain == [(page_url, 302)]
    assert b"1000.00 h: withdrawn." in response.content
    assert b"Declined: withdrawn by the giver" in response.content
    assert withdraw_url.encode() not in response.content  # no button once withdrawn
    assert client.post(withdraw_url).status_code == 302  # a double submit: the same
    assert Transfer.objects.get(pk=r.pk).status == Transfer.Status.DECLINED
    assert b"Withdraw" not in logged_in(bob).get(page_url).content


def test_the_currency_page_shows_why_a_record_was_refused_or_declined(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    refused = record(hours, alice, bob, 20_01, "r")  # past bob's 20-hour limit
    services.timebank_confirm(body=hours.body, record=refused, by=bob)
    declined = record(hours, alice, carol, 100, "d")
    services.timebank_decline(body=hours.body, record=declined, by=carol)
    content = logged_in(alice).get(f"/bodies/{hours.body.slug}/ledger/h/").content.decode()
    assert "Refused: over the limit of Bob&#x27;s account" in content
    assert "may not go below" not in content  # bob's limit is his to read, not alice's
    assert "Declined by Carol" in content


def test_the_currency_page_counts_transfers_and_shows_a_zero_limit(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    pay(acorns, alice, bob, 100, "one")
    services.limit_set(body=acorns.body, currency=acorns, limit=0, account=account(acorns, bob),
                       decision="decision test")  # fmt: skip
    content = logged_in(bob).get(f"/bodies/{acorns.body.slug}/ledger/acorn/").content.decode()
    assert "in 1 transfer<" in content
    assert "down to 0.00" in content and "-0.00" not in content
    pay(acorns, alice, bob, 100, "two")
    content = logged_in(alice).get(f"/bodies/{acorns.body.slug}/ledger/acorn/").content.decode()
    assert "in 2 transfers<" in content and "down to -100.00" in content


# ---------------------------------------------------------------- declining with a reason


def test_the_receiver_says_why_they_decline_and_the_recorder_reads_it(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    page = f"/bodies/{hours.body.slug}/ledger/"
    form = logged_in(bob).get(page).content.decode()
    assert 'name="reason"' in form
    url = f"/bodies/{hours.body.slug}/ledger/records/{r.pk}/decline/"
    assert logged_in(bob).post(url, {"reason": "  I was away that week "}).status_code == 302
    declined = Transfer.objects.get(pk=r.pk)
    assert (declined.status, declined.reason) == ("declined", "I was away that week")
    entry = JournalEntry.objects.get(kind="ledger.hours_declined")
    assert entry.payload["reason"] == "I was away that week"
    assert journal_verify(body=hours.body).ok
    told = Notification.objects.get(person=alice, event="hours.declined").text
    assert "They said: I was away that week" in told
    content = logged_in(alice).get(f"{page}h/").content.decode()
    assert "Declined by Bob: I was away that week" in content
    again = services.timebank_decline(body=hours.body, record=r, by=bob, reason="other")
    assert again.reason == "I was away that week"  # the first answer stands


def test_a_decline_reason_that_would_read_as_a_withdrawal_is_refused(
    hours: Currency, alice: Person, bob: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    for bad in (services.WITHDRAWN, "x" * 201, "a\x00b"):
        with pytest.raises(Invalid):
            services.timebank_decline(body=hours.body, record=r, by=bob, reason=bad)
    assert Transfer.objects.get(pk=r.pk).status == Transfer.Status.PENDING


@pytest.mark.urls("ledger_api_urls")
def test_api_decline_with_a_reason_or_without_a_body(
    hours: Currency, alice: Person, bob: Person
) -> None:
    _, clear = api_token_create(person=bob, label="tests")
    auth = {"Authorization": f"Bearer {clear}"}
    with_reason, bare = record(hours, alice, bob, 100, "a"), record(hours, alice, bob, 100, "b")
    base = f"/api/v1/bodies/{hours.body.slug}/ledger/records"
    answered = Client().post(
        f"{base}/{with_reason.pk}/decline", json.dumps({"reason": "not me"}),
        content_type="application/json", headers=auth,
    )  # fmt: skip
    assert answered.status_code == 200 and answered.json()["reason"] == "not me"
    no_body = Client().post(f"{base}/{bare.pk}/decline", "", "application/json", headers=auth)
    assert no_body.status_code == 200 and no_body.json()["status"] == "declined"
    assert no_body.json()["reason"] == ""
    typo = Client().post(
        f"{base}/{bare.pk}/decline", json.dumps({"reasn": "x"}),
        content_type="application/json", headers=auth,
    )  # fmt: skip
    assert "reasn" in problem(typo, 422)["detail"]
