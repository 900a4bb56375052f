"""The ledger's decision actions and the ledgers a body starts with."""

from __future__ import annotations

from typing import Any

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, body_join, charter_adopt, mandate_grant
from dualpower.core.errors import Conflict
from dualpower.decisions.models import Outcome, Proposal
from dualpower.decisions.services import ballot_cast, proposal_create, proposal_open
from dualpower.ledger import services
from dualpower.ledger.actions import open_starter_ledger
from dualpower.ledger.models import Account, Currency


@pytest.fixture(autouse=True)
def _starter_ledgers(monkeypatch: pytest.MonkeyPatch) -> None:
    from dualpower.bodies import services as body_services

    monkeypatch.setattr(body_services, "ON_FOUNDED", [open_starter_ledger])


def _pass(
    body: Body, author: Person, voters: list[Person], actions: list[dict[str, Any]]
) -> Outcome:
    rules = body.charter.model_dump(mode="json")
    for rule in rules["decisions"].values():
        rule["deliberation_days"] = 0
    charter_adopt(body=body, rules=rules, adopted_by="test setup")
    body.__dict__.pop("_charter_cache", None)
    proposal = proposal_open(
        proposal=proposal_create(body=body, author=author, title="Ledger", actions=actions),
        by=author,
    )
    for person in voters:
        proposal.refresh_from_db()
        if proposal.state == Proposal.State.VOTING:
            ballot_cast(proposal=proposal, voter=person, content={"choice": "yes"})
    return Outcome.objects.get(proposal=proposal)


def test_a_time_bank_starts_with_hours_and_a_network_with_its_credit(alice: Person) -> None:
    timebank = body_found(founder=alice, name="Time Bank", kind="time_bank")
    network = body_found(founder=alice, name="Network", kind="credit_network")
    assembly = body_found(founder=alice, name="Assembly", kind="assembly")
    assert list(Currency.objects.filter(body=timebank).values_list("kind", flat=True)) == ["hours"]
    assert list(Currency.objects.filter(body=network).values_list("kind", flat=True)) == [
        "mutual_credit"
    ]
    assert not Currency.objects.filter(body=assembly).exists()


def test_no_treasurer_spends_alone_the_members_decide_a_transfer(
    alice: Person, bob: Person
) -> None:
    coop = body_found(founder=alice, name="Co-op", kind="cooperative")
    body_join(body=coop, person=bob)
    from dualpower.bodies.services import membership_admit

    membership_admit(body=coop, person=bob, admitted_by="test")
    money = Currency.objects.get(body=coop)
    mandate_grant(
        body=coop,
        holder=alice,
        role="Treasurer",
        powers=["ledger.record_external"],
        term_days=90,
        granted_by="d",
    )
    services.external_record(
        body=coop,
        by=alice,
        currency=money,
        direction="in",
        amount=10_000,
        memo="dues",
        client_key="k1",
    )
    outcome = _pass(
        coop,
        alice,
        [alice, bob],
        [
            {
                "name": "transfer",
                "params": {
                    "currency": money.code,
                    "to_person": bob.pk,
                    "amount": 2_500,
                    "memo": "flour",
                },
            }
        ],
    )
    assert outcome.passed and outcome.execution == "carried_out"
    assert Account.objects.get(currency=money, person=bob).balance == 2_500
    assert Account.objects.get(currency=money, kind="funds").balance == 7_500
    assert services.ledger_verify(body=coop).ok


def test_a_transfer_over_the_funds_is_passed_not_carried_out(alice: Person, bob: Person) -> None:
    coop = body_found(founder=alice, name="Co-op", kind="cooperative")
    money = Currency.objects.get(body=coop)
    outcome = _pass(
        coop,
        alice,
        [alice],
        [{"name": "transfer", "params": {"currency": money.code, "amount": 100}}],
    )
    assert outcome.passed and outcome.execution == "not_carried_out"
    assert "refused" in outcome.execution_error
    assert Account.objects.get(currency=money, kind="funds").balance == 0


def test_the_members_set_everyones_limit(alice: Person, bob: Person) -> None:
    timebank = body_found(founder=alice, name="Time Bank", kind="time_bank")
    body_join(body=timebank, person=bob)
    hours = Currency.objects.get(body=timebank)
    services.account_open(body=timebank, currency=hours, person=bob)
    outcome = _pass(
        timebank,
        alice,
        [alice, bob],
        [{"name": "limit_set", "params": {"currency": hours.code, "limit": 1000}}],
    )
    assert outcome.execution == "carried_out"
    assert Account.objects.get(currency=hours, person=bob).limit == 1000


def test_the_members_let_either_side_record_hours(alice: Person, bob: Person) -> None:
    timebank = body_found(founder=alice, name="Time Bank", kind="time_bank")
    body_join(body=timebank, person=bob)
    hours = Currency.objects.get(body=timebank)
    assert hours.recording == "receiver_confirms" and hours.dispute_days == 7
    params = {"currency": hours.code, "recording": "either_side_disputes", "dispute_days": 3}
    outcome = _pass(timebank, alice, [alice, bob], [{"name": "ledger_settings", "params": params}])
    assert outcome.execution == "carried_out"
    hours.refresh_from_db()
    assert hours.recording == "either_side_disputes" and hours.dispute_days == 3
    record = services.timebank_record(
        body=timebank, currency=hours, by=bob, giver=alice, amount=100, client_key="k"
    )
    assert record.status == "applied"


def test_ledger_settings_apply_to_hours_only(alice: Person) -> None:
    network = body_found(founder=alice, name="Network", kind="credit_network")
    credit = Currency.objects.get(body=network)
    params = {"currency": credit.code, "recording": "either_side_disputes"}
    with pytest.raises(Conflict, match="not an hours currency"):
        _pass(network, alice, [alice], [{"name": "ledger_settings", "params": params}])
    credit.refresh_from_db()
    assert credit.recording == "receiver_confirms"
