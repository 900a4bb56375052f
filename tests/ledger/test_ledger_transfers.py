"""transfer_create, transfer_reverse, limits and idempotency through the service layer."""

from __future__ import annotations

import pytest
from ledger_helpers import account, fresh, pay

from dualpower.accounts.models import Person
from dualpower.bodies.models import JournalEntry
from dualpower.core.errors import Conflict, Invalid, NotAllowed
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Entry, Transfer


def test_a_transfer_moves_the_balances_with_two_entries_and_a_journal_entry(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    t = pay(acorns, alice, bob, 1250, "k1", "bread")
    assert t.status == Transfer.Status.APPLIED
    assert fresh(account(acorns, alice)).balance == -1250
    assert fresh(account(acorns, bob)).balance == 1250
    assert sorted(Entry.objects.filter(transfer=t).values_list("amount", flat=True)) == [
        -1250,
        1250,
    ]
    last = JournalEntry.objects.filter(body=acorns.body).order_by("-seq").first()
    assert last is not None and last.kind == "ledger.transfer_applied"
    assert last.payload["amount"] == 1250 and last.payload["memo"] == "bread"


def test_it_refuses_an_overdraft_and_moves_nothing(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    # The credit network's charter lets a member go 100 acorns below zero.
    assert account(acorns, bob).limit == 100_00
    t = pay(acorns, bob, alice, 100_01, "k1")
    assert t.status == Transfer.Status.REFUSED
    assert "over the limit" in t.reason
    assert fresh(account(acorns, bob)).balance == 0
    assert not Entry.objects.filter(transfer=t).exists()
    assert pay(acorns, bob, alice, 100_00, "k2").status == Transfer.Status.APPLIED


def test_the_same_key_and_content_applies_once_and_answers_the_first_outcome(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    first = pay(acorns, alice, bob, 500, "same")
    again = pay(acorns, alice, bob, 500, "same")
    assert again.pk == first.pk and again.status == Transfer.Status.APPLIED
    assert fresh(account(acorns, bob)).balance == 500
    assert Transfer.objects.count() == 1


def test_the_same_key_with_other_content_is_a_conflict(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    pay(acorns, alice, bob, 500, "same")
    with pytest.raises(Conflict):
        pay(acorns, alice, bob, 501, "same")
    with pytest.raises(Conflict):
        pay(acorns, alice, carol, 500, "same")
    with pytest.raises(Conflict):
        pay(acorns, alice, bob, 500, "same", memo="other")
    assert fresh(account(acorns, bob)).balance == 500


def test_keys_belong_to_their_requester(acorns: Currency, alice: Person, bob: Person) -> None:
    pay(acorns, alice, bob, 500, "k")
    assert pay(acorns, bob, alice, 100, "k").status == Transfer.Status.APPLIED


def test_a_refused_key_stays_refused_after_balances_change(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    refused = pay(acorns, bob, alice, 150_00, "big")
    assert refused.status == Transfer.Status.REFUSED
    pay(acorns, carol, bob, 100_00, "top-up")  # now bob could afford it
    again = pay(acorns, bob, alice, 150_00, "big")
    assert again.pk == refused.pk and again.status == Transfer.Status.REFUSED
    assert fresh(account(acorns, alice)).balance == 0
    assert pay(acorns, bob, alice, 150_00, "big-2").status == Transfer.Status.APPLIED


def test_a_ceiling_refuses_the_receiving_side(acorns: Currency, alice: Person, bob: Person) -> None:
    services.limit_set(
        body=acorns.body, currency=acorns, limit=100_00, ceiling=10_00, decision="d1"
    )
    t = pay(acorns, alice, bob, 10_01, "k")
    assert t.status == Transfer.Status.REFUSED and "ceiling" in t.reason


def test_members_pay_only_from_their_own_account(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    with pytest.raises(NotAllowed):
        services.transfer_create(
            body=acorns.body,
            by=carol,
            from_account=account(acorns, alice),
            to_account=account(acorns, carol),
            amount=100,
            client_key="steal",
        )
    commons = services.body_account(currency=acorns, kind=Account.Kind.COMMONS)
    with pytest.raises(NotAllowed):
        services.transfer_create(
            body=acorns.body,
            by=alice,
            from_account=commons,
            to_account=account(acorns, alice),
            amount=100,
            client_key="commons",
        )


def test_the_body_pays_from_its_commons_only_by_decision(acorns: Currency, alice: Person) -> None:
    commons = services.body_account(currency=acorns, kind=Account.Kind.COMMONS)
    t = services.transfer_create(
        body=acorns.body,
        by=None,
        from_account=commons,
        to_account=account(acorns, alice),
        amount=300,
        client_key="action-1",
        decision="proposal 7",
    )
    assert t.status == Transfer.Status.APPLIED and t.kind == Transfer.Kind.DECISION
    with pytest.raises(NotAllowed):
        services.transfer_create(
            body=acorns.body,
            by=None,
            from_account=commons,
            to_account=account(acorns, alice),
            amount=300,
            client_key="action-2",
        )


def test_an_outsider_cannot_open_an_account(acorns: Currency, dave: Person) -> None:
    with pytest.raises(Conflict):
        account(acorns, dave)


@pytest.mark.parametrize("amount", [0, -5, 10**16])
def test_it_rejects_amounts_that_are_not_positive_or_too_large(
    acorns: Currency, alice: Person, bob: Person, amount: int
) -> None:
    with pytest.raises(Invalid):
        pay(acorns, alice, bob, amount, "k")


def test_it_rejects_a_missing_key(acorns: Currency, alice: Person, bob: Person) -> None:
    with pytest.raises(Invalid):
        pay(acorns, alice, bob, 5, "  ")


def test_it_rejects_a_key_with_control_characters_and_stores_nothing(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    with pytest.raises(Invalid, match="printable"):
        pay(acorns, alice, bob, 5, "key\x00one")
    assert not Transfer.objects.filter(currency=acorns).exists()


def test_it_rejects_a_memo_with_a_nul_character_and_stores_nothing(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    with pytest.raises(Invalid, match="NUL"):
        pay(acorns, alice, bob, 5, "nul", memo="rent\x00")
    assert not Transfer.objects.filter(currency=acorns).exists()


def test_the_receiver_reverses_a_transfer_once(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    t = pay(acorns, alice, bob, 700, "k")
    r = services.transfer_reverse(body=acorns.body, transfer=t, by=bob, client_key="undo")
    assert r.status == Transfer.Status.APPLIED and r.reverses_id == t.pk
    assert fresh(account(acorns, alice)).balance == 0
    assert fresh(account(acorns, bob)).balance == 0
    again = services.transfer_reverse(body=acorns.body, transfer=t, by=bob, client_key="undo")
    assert again.pk == r.pk
    with pytest.raises(Conflict):
        services.transfer_reverse(body=acorns.body, transfer=t, by=bob, client_key="undo-2")


def test_the_payer_cannot_take_a_transfer_back(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    t = pay(acorns, alice, bob, 700, "k")
    with pytest.raises(NotAllowed):
        services.transfer_reverse(body=acorns.body, transfer=t, by=alice, client_key="undo")


def test_a_reversal_obeys_the_limits(
    acorns: Currency, alice: Person, bob: Person, carol: Person
) -> None:
    t = pay(acorns, alice, bob, 100_00, "k")
    pay(acorns, bob, carol, 200_00, "spent")  # bob is at -100, his limit
    r = services.transfer_reverse(body=acorns.body, transfer=t, by=bob, client_key="undo")
    assert r.status == Transfer.Status.REFUSED
    refused_reversal_can_be_retried_later = services.transfer_reverse(
        body=acorns.body, transfer=t, by=None, client_key="undo", decision="d"
    )
    assert refused_reversal_can_be_retried_later.status == Transfer.Status.REFUSED


def test_limit_set_for_everyone_applies_to_later_accounts(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    account(acorns, alice)
    changed = services.limit_set(body=acorns.body, currency=acorns, limit=5_00, decision="d1")
    assert changed == 1
    assert fresh(account(acorns, alice)).limit == 5_00
    assert account(acorns, bob).limit == 5_00


def test_limit_set_for_one_member(acorns: Currency, alice: Person, bob: Person) -> None:
    a, b = account(acorns, alice), account(acorns, bob)
    services.limit_set(body=acorns.body, currency=acorns, limit=0, account=a, decision="d1")
    assert fresh(a).limit == 0 and fresh(b).limit == 100_00
    assert pay(acorns, alice, bob, 1, "k").status == Transfer.Status.REFUSED


def test_limit_set_refuses_to_strand_a_member_beyond_it(
    acorns: Currency, alice: Person, bob: Person
) -> None:
    pay(acorns, alice, bob, 50_00, "k")
    with pytest.raises(Conflict, match="Alice"):
        services.limit_set(body=acorns.body, currency=acorns, limit=10_00, decision="d1")
    assert fresh(account(acorns, alice)).limit == 100_00
    with pytest.raises(NotAllowed):
        services.limit_set(body=acorns.body, currency=acorns, limit=10_00, decision="")


def test_the_database_refuses_a_balance_past_its_limit(acorns: Currency, alice: Person) -> None:
    from django.db import IntegrityError, transaction

    a = account(acorns, alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=a.pk).update(balance=-100_01)


def test_currency_codes_are_unique_per_body(acorns: Currency) -> None:
    with pytest.raises(Conflict):
        services.currency_create(
            body=acorns.body, kind="mutual_credit", name="More", code="acorn", by="founding"
        )
    with pytest.raises(Invalid):
        services.currency_create(body=acorns.body, kind="gold", name="G", code="g", by="x")
