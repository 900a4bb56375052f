"""The ledger's API router, mounted on a test API (see ledger_api_urls.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ledger_helpers import account, fresh, problem

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.ledger import services
from dualpower.ledger.models import Currency, Transfer

pytestmark = pytest.mark.urls("ledger_api_urls")


class Api:
    def __init__(self, person: Person | None) -> None:
        self.client = Client()
        self.headers = {}
        if person is not None:
            _, clear = api_token_create(person=person, label="tests")
            self.headers["Authorization"] = f"Bearer {clear}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/bodies/{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return self.client.post(
            f"/api/v1/bodies/{path}", json.dumps(body), content_type="application/json",
            headers=headers,
        )  # fmt: skip


def test_members_list_the_currencies_with_their_account(acorns: Currency, alice: Person) -> None:
    account(acorns, alice)
    r = Api(alice).get(f"{acorns.body.slug}/ledger")
    assert r.status_code == 200
    assert r.json() == [
        {
            "code": "acorn", "name": "Acorns", "kind": "mutual_credit", "decimals": 2,
            "recording": "receiver_confirms", "dispute_days": 7,
            "account": {"balance": "0.00", "limit": "100.00", "ceiling": None},
        }
    ]  # fmt: skip


def test_outsiders_and_anonymous_get_the_same_404_as_a_missing_body(
    acorns: Currency, dave: Person
) -> None:
    slug = acorns.body.slug
    missing = Api(dave).get("nope/ledger")
    for api in (Api(dave), Api(None)):
        for path in (f"{slug}/ledger", f"{slug}/ledger/acorn", f"{slug}/ledger/acorn/statement"):
            r = api.get(path)
            assert r.status_code == 404 and r.content == missing.content
    assert problem(Api(dave).post(f"{slug}/ledger/acorn/transfers", {}, key="k"), 422)
    body = {"to": "alice@example.org", "amount": "1"}
    problem(Api(dave).post(f"{slug}/ledger/acorn/transfers", body, key="k"), 404)
    problem(Api(None).post(f"{slug}/ledger/acorn/transfers", body, key="k"), 401)


def test_pay_retry_and_conflict(acorns: Currency, alice: Person, bob: Person) -> None:
    api, path = Api(alice), f"{acorns.body.slug}/ledger/acorn/transfers"
    body = {"to": "bob@example.org", "amount": "2.50", "memo": "soup"}
    first = api.post(path, body, key="abc")
    assert first.status_code == 201
    assert first.json()["status"] == "applied" and first.json()["amount"] == "2.50"
    again = api.post(path, body, key="abc")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert fresh(account(acorns, bob)).balance == 2_50
    problem(api.post(path, {**body, "amount": "3"}, key="abc"), 409)
    problem(api.post(path, body), 422)  # no key
    problem(api.post(path, {**body, "amount": "x"}, key="new"), 422)


def test_a_refusal_past_the_payees_ceiling_does_not_give_the_payer_its_figure(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    services.limit_set(
        body=acorns.body, currency=acorns, limit=100_00, ceiling=30_00, account=account(acorns, bob),
        decision="decision test",
    )  # fmt: skip
    api, path = Api(alice), f"{acorns.body.slug}/ledger/acorn/transfers"
    refused = problem(api.post(path, {"to": "bob@example.org", "amount": "40"}, key="k"), 422)
    assert refused["detail"] == "refused: over the ceiling of Bob's account"
    stored = Transfer.objects.get(pk=refused["transfer"]).reason
    assert stored == "over the ceiling: Bob may not hold more than 30.00 acorn"  # his to read


def test_a_refusal_answers_422_every_time(acorns: Currency, alice: Person, bob: Person) -> None:
    api, path = Api(alice), f"{acorns.body.slug}/ledger/acorn/transfers"
    body = {"to": "bob@example.org", "amount": "100.01"}
    first = problem(api.post(path, body, key="k"), 422)
    assert first["detail"].startswith("refused: over the limit")
    services.transfer_create(
        body=acorns.body, by=bob, from_account=account(acorns, bob),
        to_account=account(acorns, alice), amount=50_00, client_key="b",
    )  # fmt: skip
    assert problem(api.post(path, body, key="k"), 422)["transfer"] == first["transfer"]


def test_hours_recorded_and_confirmed(hours: Currency, alice: Person, bob: Person) -> None:
    slug = hours.body.slug
    r = Api(alice).post(f"{slug}/ledger/h/hours", {"receiver": "bob@example.org", "hours": "2"},
                        key="k")  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "pending"
    pk = r.json()["id"]
    problem(Api(alice).post(f"{slug}/ledger/records/{pk}/confirm", {}), 403)
    done = Api(bob).post(f"{slug}/ledger/records/{pk}/confirm", {})
    assert done.status_code == 200 and done.json()["status"] == "applied"
    assert fresh(account(hours, alice)).balance == 2_00


def test_reverse_a_received_transfer(acorns: Currency, alice: Person, bob: Person) -> None:
    t = services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=5_00, client_key="k",
    )  # fmt: skip
    path = f"{acorns.body.slug}/ledger/transfers/{t.pk}/reverse"
    problem(Api(alice).post(path, {}, key="r"), 403)
    r = Api(bob).post(path, {}, key="r")
    assert r.status_code == 201 and r.json()["reverses"] == t.pk
    problem(Api(bob).post(path, {}, key="r2"), 409)


def test_statement_totals_and_view_all(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=5_00, memo="tea", client_key="k",
    )  # fmt: skip
    slug = acorns.body.slug
    mine = Api(bob).get(f"{slug}/ledger/acorn/statement").json()
    assert mine["balance"] == "5.00" and mine["lines"][0]["counterpart"] == "Alice"
    problem(Api(carol).get(f"{slug}/ledger/acorn/statement", person_id=bob.pk), 404)
    totals = Api(carol).get(f"{slug}/ledger/acorn").json()
    assert totals["exchanged"] == "5.00" and totals["months"][0]["active_members"] == 2


def test_external_money_needs_the_power(euros: Currency, alice: Person, bob: Person) -> None:
    path = f"{euros.body.slug}/ledger/eur/external"
    body = {"direction": "in", "amount": "10", "memo": "dues"}
    problem(Api(bob).post(path, body, key="k"), 403)
    r = Api(alice).post(path, body, key="k")
    assert r.status_code == 201 and r.json()["kind"] == Transfer.Kind.EXTERNAL


def test_an_unknown_field_is_a_422_naming_it(
    acorns: Currency, hours: Currency, euros: Currency, alice: Person, bob: Person
) -> None:
    """A typo ("memmo") is not silently dropped: nothing is paid without the memo."""
    api, path = Api(alice), f"{acorns.body.slug}/ledger/acorn/transfers"
    typo = problem(api.post(path, {"to": "bob@example.org", "amount": "1", "memmo": "soup"},
                            key="k"), 422)  # fmt: skip
    assert typo["detail"] == "memmo: Extra inputs are not permitted"
    assert typo["errors"] == [{"field": "memmo", "message": "Extra inputs are not permitted"}]
    assert not Transfer.objects.exists()
    paid = api.post(path, {"to": "bob@example.org", "amount": "1", "memo": "soup"}, key="k")
    assert paid.status_code == 201 and paid.json()["memo"] == "soup"  # the key was not used
    for where, body in (
        (f"{hours.body.slug}/ledger/h/hours", {"receiver": "bob@example.org", "hours": "1"}),
        (f"{euros.body.slug}/ledger/eur/external", {"direction": "in", "amount": "1", "memo": "x"}),
        (f"{acorns.body.slug}/ledger/transfers/{paid.json()['id']}/reverse", {}),
        (f"{hours.body.slug}/ledger/h/transfers/1/dispute", {"reason": "wrong"}),
    ):
        extra = problem(Api(bob if "reverse" in where else alice).post(
            where, {**body, "extra": 1}, key="e"), 422)  # fmt: skip
        assert extra["detail"] == "extra: Extra inputs are not permitted", where
    assert Transfer.objects.count() == 1
