"""``ledger_verify``: on a healthy ledger every currency holds; on a tampered one it names
each problem once, in order (accounts, then transfers, then the sum), and only in the
currency where it is."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from ledger_helpers import account, fresh, pay

from dualpower.accounts.models import Person
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Entry, Transfer


def entries_through_the_view(currency: Currency) -> dict[int, int]:
    """Each account's entries summed through ``Entry`` (the view ledger_entry)."""
    accounts = Account.objects.filter(currency=currency).annotate(s=Sum("entries__amount"))
    return {a.pk: a.s or 0 for a in accounts}


def test_a_healthy_ledger_holds_in_every_currency(
    acorns: Currency, hours: Currency, euros: Currency, alice: Person, bob: Person,
    carol: Person,
) -> None:  # fmt: skip
    seeds = services.currency_create(
        body=acorns.body, kind="mutual_credit", name="Seeds", code="seed", by="founding"
    )
    paid = pay(acorns, alice, bob, 5_00, "a1")
    pay(acorns, bob, carol, 2_00, "a2")
    assert pay(acorns, carol, alice, 300_00, "a3").status == "refused"
    services.transfer_reverse(body=acorns.body, transfer=paid, by=bob, client_key="a4")
    pay(seeds, carol, alice, 3_00, "s1")
    confirmed = services.timebank_record(
        body=hours.body, currency=hours, by=alice, receiver=bob, amount=150, client_key="h1"
    )
    declined = services.timebank_record(
        body=hours.body, currency=hours, by=carol, receiver=bob, amount=50, client_key="h2"
    )
    services.timebank_record(
        body=hours.body, currency=hours, by=bob, receiver=carol, amount=25, client_key="h3"
    )
    services.timebank_confirm(body=hours.body, record=confirmed, by=bob)
    services.timebank_decline(body=hours.body, record=declined, by=bob)
    services.external_record(
        body=euros.body, currency=euros, by=alice, direction="in", amount=100_00,
        memo="grant", client_key="e1",
    )  # fmt: skip

    network = services.ledger_verify(body=acorns.body)
    assert network.ok
    assert [(c.code, c.accounts, c.transfers, c.total) for c in network.currencies] == [
        ("acorn", 4, 3, 0),
        ("seed", 3, 1, 0),
    ]
    holds = "balances equal entries and sum to zero"
    assert network.lines() == [
        f"{acorns.body.slug} acorn: 4 accounts, 3 transfers, {holds}",
        f"{acorns.body.slug} seed: 3 accounts, 1 transfers, {holds}",
    ]
    timebank = services.ledger_verify(body=hours.body)
    coop = services.ledger_verify(body=euros.body)
    assert timebank.ok and coop.ok
    assert [(c.code, c.accounts, c.transfers) for c in timebank.currencies] == [("h", 4, 1)]
    assert [(c.code, c.accounts, c.transfers) for c in coop.currencies] == [("eur", 2, 1)]
    for currency in (acorns, seeds, hours, euros):
        balances = dict(Account.objects.filter(currency=currency).values_list("pk", "balance"))
        assert entries_through_the_view(currency) == balances


def test_it_names_each_problem_once_in_the_currency_where_it_is(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    seeds = services.currency_create(
        body=acorns.body, kind="mutual_credit", name="Seeds", code="seed", by="founding"
    )
    pay(seeds, alice, bob, 1_00, "s1")
    paid = pay(acorns, alice, bob, 5_00, "a1")
    passed_on = pay(acorns, bob, carol, 2_00, "a2")
    refused = pay(acorns, carol, alice, 300_00, "a3")
    a, b, c = (account(acorns, p).pk for p in (alice, bob, carol))
    # The payer's side gone: the transfer has no entries at all (as in the view).
    Transfer.objects.filter(pk=passed_on.pk).update(from_balance_after=None)
    # A payee's side on a refused transfer: no entries either, but a side where none may be.
    Transfer.objects.filter(pk=refused.pk).update(to_balance_after=7)
    Account.objects.filter(pk=a).update(balance=-4_00)

    report = services.ledger_verify(body=acorns.body)
    acorn, seed = report.currencies
    assert not report.ok and seed.ok
    assert acorn.problems == [
        f"account {a} has balance -400 but its entries sum to -500",
        f"account {b} has balance 300 but its entries sum to 500",
        f"account {c} has balance 200 but its entries sum to 0",
        f"transfer {passed_on.pk} does not have one debit and one credit",
        f"transfer {refused.pk} has entries but is not applied",
        "balances sum to 100, not zero",
    ]
    assert (acorn.accounts, acorn.transfers, acorn.total) == (4, 2, 100)
    assert entries_through_the_view(acorns) == {
        services.body_account(currency=acorns, kind="commons").pk: 0,
        a: -5_00,
        b: 5_00,
        c: 0,
    }
    assert paid.status == "applied" and fresh(account(seeds, bob)).balance == 1_00


def test_sides_stored_on_a_refused_transfer_count_as_its_entries(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    """As in the view, a transfer whose payer's side is stored has both entries."""
    refused = pay(acorns, bob, alice, 200_00, "refused")
    Transfer.objects.filter(pk=refused.pk).update(from_balance_after=-1)
    b, a = account(acorns, bob).pk, account(acorns, alice).pk  # bob's opened first
    assert services.ledger_verify(body=acorns.body).currencies[0].problems == [
        f"account {b} has balance 0 but its entries sum to -20000",
        f"account {a} has balance 0 but its entries sum to 20000",
        f"transfer {refused.pk} has entries but is not applied",
    ]
    assert Entry.objects.filter(transfer=refused).count() == 2


def test_it_reads_the_transfers_of_the_currency_not_the_view(
    acorns: Currency, alice: Person, bob: Person, django_assert_max_num_queries: Any
) -> None:
    """PostgreSQL cannot push a currency into the branches of the ``ledger_entry`` view: a
    verify through it read every transfer of the instance."""
    pay(acorns, alice, bob, 1_00, "one")
    with django_assert_max_num_queries(20) as queries:
        assert services.ledger_verify(body=acorns.body).ok
    assert not [q["sql"] for q in queries.captured_queries if "ledger_entry" in q["sql"]]
