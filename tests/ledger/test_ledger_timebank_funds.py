"""Hours recorded and confirmed in a time bank; money in and out of a co-op's funds;
ledger_verify; amounts as text."""

from __future__ import annotations

import pytest
from ledger_helpers import account, fresh

from dualpower.accounts.models import Person
from dualpower.core.errors import Conflict, Invalid, NotAllowed, NotFound
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Transfer
from dualpower.ledger.units import amount_format, amount_parse


def record(hours: Currency, by: Person, receiver: Person, amount: int, key: str) -> Transfer:
    return services.timebank_record(
        body=hours.body,
        currency=hours,
        by=by,
        receiver=receiver,
        amount=amount,
        memo="gardening",
        client_key=key,
    )


def test_recorded_hours_wait_for_the_receiver(hours: Currency, alice: Person, bob: Person) -> None:
    r = record(hours, alice, bob, 150, "k")
    assert r.status == Transfer.Status.PENDING
    assert fresh(account(hours, alice)).balance == 0
    assert record(hours, alice, bob, 150, "k").pk == r.pk  # a retry records once
    done = services.timebank_confirm(body=hours.body, record=r, by=bob)
    assert done.status == Transfer.Status.APPLIED
    assert fresh(account(hours, alice)).balance == 150
    assert fresh(account(hours, bob)).balance == -150
    again = services.timebank_confirm(body=hours.body, record=r, by=bob)
    assert again.status == Transfer.Status.APPLIED
    assert fresh(account(hours, alice)).balance == 150


def test_only_the_receiver_confirms(
    hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    r = record(hours, alice, bob, 100, "k")
    for other in (alice, carol):
        with pytest.raises(NotAllowed):
            services.timebank_confirm(body=hours.body, record=r, by=other)


def test_the_receiver_may_decline(hours: Currency, alice: Person, bob: Person) -> None:
    r = record(hours, alice, bob, 100, "k")
    assert services.timebank_decline(body=hours.body, record=r, by=bob).status == "declined"
    with pytest.raises(Conflict):
        services.timebank_confirm(body=hours.body, record=r, by=bob)
    assert fresh(account(hours, alice)).balance == 0


def test_a_confirmation_past_the_limit_is_refused(
    hours: Currency, alice: Person, bob: Person
) -> None:
    # The time bank's charter lets a member go 20 hours below zero.
    r = record(hours, alice, bob, 20_01, "k")
    assert services.timebank_confirm(body=hours.body, record=r, by=bob).status == "refused"


def test_hours_are_recorded_between_members_only(
    hours: Currency, alice: Person, dave: Person
) -> None:
    with pytest.raises(Invalid):
        record(hours, alice, dave, 100, "k")
    with pytest.raises(NotAllowed):
        record(hours, dave, alice, 100, "k")
    with pytest.raises(Invalid):
        record(hours, alice, alice, 100, "k")


def test_the_treasurer_records_money_in_and_out(euros: Currency, alice: Person) -> None:
    put = services.external_record(
        body=euros.body, currency=euros, by=alice, direction="in", amount=100_00,
        memo="market stall", client_key="in-1",
    )  # fmt: skip
    assert put.status == Transfer.Status.APPLIED
    funds = services.body_account(currency=euros, kind=Account.Kind.FUNDS)
    assert fresh(funds).balance == 100_00
    out = services.external_record(
        body=euros.body, currency=euros, by=alice, direction="out", amount=100_01,
        memo="flour", client_key="out-1",
    )  # fmt: skip
    assert out.status == Transfer.Status.REFUSED
    assert fresh(funds).balance == 100_00


def test_recording_money_needs_the_mandate(euros: Currency, bob: Person) -> None:
    with pytest.raises(NotAllowed):
        services.external_record(
            body=euros.body, currency=euros, by=bob, direction="in", amount=1,
            memo="x", client_key="k",
        )  # fmt: skip


def test_ledger_verify_holds_and_finds_a_tampered_balance(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    services.transfer_create(
        body=acorns.body, by=alice, from_account=account(acorns, alice),
        to_account=account(acorns, bob), amount=42, client_key="k",
    )  # fmt: skip
    report = services.ledger_verify(body=acorns.body)
    assert report.ok, report.lines()
    assert report.currencies[0].transfers == 1
    Account.objects.filter(pk=account(acorns, bob).pk).update(balance=43)
    report = services.ledger_verify(body=acorns.body)
    assert not report.ok
    text = "\n".join(report.lines())
    assert "entries sum to 42" in text and "sum to 1, not zero" in text


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [("1.25", 2, 125), ("3", 2, 300), ("0,5", 2, 50), ("7", 0, 7), (" 2.5 ", 1, 25)],
)
def test_amounts_are_read_in_the_smallest_unit(text: str, decimals: int, units: int) -> None:
    assert amount_parse(text, decimals) == units


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "1.234", "nan", "inf", "1e30"])
def test_bad_amounts_are_invalid(text: str) -> None:
    with pytest.raises(Invalid):
        amount_parse(text, 2)


def test_amounts_are_written_with_their_decimals() -> None:
    assert amount_format(-5, 2) == "-0.05"
    assert amount_format(12345, 2) == "123.45"
    assert amount_format(7, 0) == "7"


def test_a_missing_currency_is_not_found(hours: Currency, acorns: Currency, alice: Person) -> None:
    with pytest.raises(NotFound):
        services.account_open(body=hours.body, currency=acorns, person=alice)
