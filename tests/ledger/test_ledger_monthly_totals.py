"""A currency's months (``selectors.monthly_totals``): the amount its applied transfers
moved and how many members had an entry, read from the transfers' two sides; refused,
declined and pending records count in neither, nor do another currency's transfers. A
reversed transfer and its reversal count as entries, not in the amount."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from ledger_helpers import account, pay, record

from dualpower.accounts.models import Person
from dualpower.ledger import selectors, services
from dualpower.ledger.models import Account, Currency, Entry, Transfer
from dualpower.ledger.selectors import Month


def settled_in(month: int, *transfers: Transfer) -> None:
    """As if settled mid-``month`` of 2024 (an entry's date is its transfer's)."""
    when = datetime(2024, month, 15, 12, tzinfo=UTC)
    Transfer.objects.filter(pk__in=[t.pk for t in transfers]).update(settled_at=when)


def members_through_the_view(currency: Currency) -> dict[date, int]:
    """Members with an entry per month, read through ``Entry`` (the view ledger_entry)."""
    rows = (
        Entry.objects.filter(account__currency=currency, account__kind=Account.Kind.MEMBER)
        .annotate(m=TruncMonth("created_at"))
        .values_list("m")
        .annotate(n=Count("account", distinct=True))
        .values_list("m", "n")
    )
    return {m.date(): n for m, n in rows}


def test_months_count_applied_transfers_and_each_member_once(
    acorns: Currency, hours: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    """Two bodies, one currency each, with the same three people in both."""
    # Acorns. January: bob receives and pays (one member, once); carol's refusal is
    # not counted. February: bob gives back what alice paid him (a reversal: neither it
    # nor the payment it undoes counts in the volume, both count as entries). March:
    # the commons pays carol by decision (the commons is not a member). April: only a
    # refusal, so no April.
    paid = pay(acorns, alice, bob, 5_00, "a1")
    passed_on = pay(acorns, bob, carol, 2_00, "a2")
    over_limit = pay(acorns, carol, alice, 300_00, "a3")
    back = services.transfer_reverse(body=acorns.body, transfer=paid, by=bob, client_key="a4")
    commons = services.body_account(currency=acorns, kind=Account.Kind.COMMONS)
    grant = services.transfer_create(
        body=acorns.body, by=None, from_account=commons, to_account=account(acorns, carol),
        amount=1_00, client_key="a5", decision="grant",
    )  # fmt: skip
    late_refusal = pay(acorns, bob, alice, 500_00, "a6")
    assert [t.status for t in (paid, passed_on, back, grant)] == ["applied"] * 4
    assert [t.status for t in (over_limit, late_refusal)] == ["refused"] * 2
    settled_in(1, paid, passed_on, over_limit)
    settled_in(2, back)
    settled_in(3, grant)
    settled_in(4, late_refusal)
    # Hours. January: bob confirms alice's hours. February: bob declines carol's. March:
    # carol confirms alice's. Bob's hours for carol stay pending (no month at all).
    confirmed = record(hours, alice, bob, 150, "h1")
    declined = record(hours, carol, bob, 50, "h2")
    later = record(hours, alice, carol, 100, "h3")
    record(hours, bob, carol, 25, "h4")
    services.timebank_confirm(body=hours.body, record=confirmed, by=bob)
    services.timebank_decline(body=hours.body, record=declined, by=bob)
    services.timebank_confirm(body=hours.body, record=later, by=carol)
    settled_in(1, confirmed)
    settled_in(2, declined)
    settled_in(3, later)

    assert selectors.monthly_totals(currency=acorns) == [
        Month(date(2024, 1, 1), volume=2_00, active=3),
        Month(date(2024, 2, 1), volume=0, active=2),
        Month(date(2024, 3, 1), volume=1_00, active=1),
    ]
    assert selectors.monthly_totals(currency=hours) == [
        Month(date(2024, 1, 1), volume=150, active=2),
        Month(date(2024, 3, 1), volume=100, active=2),
    ]
    for currency in (acorns, hours):
        months = selectors.monthly_totals(currency=currency)
        assert {m.month: m.active for m in months} == members_through_the_view(currency)


def test_money_between_the_bodys_own_accounts_has_no_active_members(
    euros: Currency, alice: Person
) -> None:
    came_in = services.external_record(
        body=euros.body, currency=euros, by=alice, direction="in", amount=100_00,
        memo="grant", client_key="in",
    )  # fmt: skip
    settled_in(1, came_in)
    assert selectors.monthly_totals(currency=euros) == [Month(date(2024, 1, 1), 100_00, 0)]
    assert members_through_the_view(euros) == {}


def test_a_currency_without_transfers_has_no_months(acorns: Currency) -> None:
    assert selectors.monthly_totals(currency=acorns) == []


def test_the_months_take_two_queries_whatever_the_transfers(
    acorns: Currency, alice: Person, bob: Person, carol: Person, django_assert_num_queries: Any
) -> None:
    for n in range(6):
        pay(acorns, (alice, bob, carol)[n % 3], (bob, carol, alice)[n % 3], 1_00, f"k{n}")
    with django_assert_num_queries(2) as queries:
        months = selectors.monthly_totals(currency=acorns)
    assert [(m.volume, m.active) for m in months] == [(6_00, 3)]
    # By the transfers of this currency, not through the view of every body's entries
    # (PostgreSQL cannot push the currency into the view's branches: it scanned them all).
    assert not [q["sql"] for q in queries.captured_queries if "ledger_entry" in q["sql"]]
