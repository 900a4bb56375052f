from __future__ import annotations

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.models import Body
from dualpower.bodies.services import (
    body_found,
    body_join,
    mandate_grant,
    mandate_recall,
    membership_admit,
    membership_leave,
)
from dualpower.core.errors import Conflict, NotAllowed


def test_anyone_may_join_an_open_assembly(assembly: Body, carol: Person) -> None:
    body_join(body=assembly, person=carol)
    assert policy.is_member(carol, assembly)


def test_joining_twice_is_a_conflict(assembly: Body, bob: Person) -> None:
    with pytest.raises(Conflict):
        body_join(body=assembly, person=bob)


def test_a_body_admitting_by_invitation_refuses_a_direct_join(union: Body, carol: Person) -> None:
    with pytest.raises(NotAllowed):
        body_join(body=union, person=carol)
    assert policy.membership_status(carol, union) is None


def test_an_applicant_is_admitted_by_decision(alice: Person, carol: Person) -> None:
    coop = body_found(founder=alice, name="Co-op", kind="cooperative")
    body_join(body=coop, person=carol)
    assert policy.membership_status(carol, coop) == "applicant"
    membership_admit(body=coop, person=carol, admitted_by="decision 1")
    assert policy.is_member(carol, coop)
    with pytest.raises(Conflict):
        membership_admit(body=coop, person=carol, admitted_by="decision 2")


def test_leaving_ends_membership_and_live_mandates(assembly: Body, bob: Person) -> None:
    mandate = mandate_grant(
        body=assembly,
        holder=bob,
        role="Facilitator",
        powers=["moderate"],
        term_days=30,
        granted_by="d",
    )
    assert policy.can(bob, "moderate", assembly)
    membership_leave(body=assembly, person=bob)
    assert not policy.is_member(bob, assembly)
    assert not policy.can(bob, "moderate", assembly)
    mandate.refresh_from_db()
    assert mandate.recalled_at is not None
    kinds = [e.kind for e in selectors.body_journal(body=assembly)]
    assert kinds[-2:] == ["mandate.ended", "member.left"]
    assert journal_verify(body=assembly).ok


def test_a_former_member_may_come_back(assembly: Body, bob: Person) -> None:
    membership_leave(body=assembly, person=bob)
    body_join(body=assembly, person=bob)
    assert policy.is_member(bob, assembly)


def test_leaving_a_body_you_are_not_in_is_a_conflict(assembly: Body, carol: Person) -> None:
    with pytest.raises(Conflict):
        membership_leave(body=assembly, person=carol)


def test_a_mandate_is_held_only_by_a_member(assembly: Body, carol: Person) -> None:
    with pytest.raises(Conflict):
        mandate_grant(
            body=assembly, holder=carol, role="Delegate", powers=[], term_days=10, granted_by="d"
        )


def test_a_recalled_mandate_confers_nothing(assembly: Body, bob: Person) -> None:
    mandate = mandate_grant(
        body=assembly,
        holder=bob,
        role="Treasurer",
        powers=["ledger.record_external"],
        term_days=30,
        granted_by="d",
    )
    assert policy.people_with("ledger.record_external", assembly).get() == bob
    mandate_recall(mandate=mandate, recalled_by="decision 7")
    assert not policy.can(bob, "ledger.record_external", assembly)
    assert not policy.people_with("ledger.record_external", assembly).exists()
    with pytest.raises(Conflict):
        mandate_recall(mandate=mandate, recalled_by="decision 8")


def test_power_in_one_body_is_not_power_in_another(
    assembly: Body, alice: Person, bob: Person
) -> None:
    other = body_found(founder=alice, name="Other", kind="assembly")
    mandate_grant(
        body=assembly, holder=bob, role="Mod", powers=["moderate"], term_days=30, granted_by="d"
    )
    assert not policy.can(bob, "moderate", other)
    assert [b.slug for b in policy.bodies_where(bob, "moderate")] == [assembly.slug]
