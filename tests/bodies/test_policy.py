"""Every denial of bodies/policy.py, power by power."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.models import Body
from dualpower.bodies.services import body_found, charter_adopt, mandate_grant
from dualpower.core.errors import NotFound

ANON = AnonymousUser()


def test_a_public_body_shows_its_front_page_and_charter_to_anyone(
    assembly: Body, dave: Person
) -> None:
    for who in (ANON, dave, None):
        assert policy.can(who, "body.view", assembly)
        assert policy.can(who, "body.read", assembly)


@pytest.mark.parametrize(
    "power", ["members.view", "journal.view", "mandates.view", "invite", "leave"]
)
def test_a_non_member_is_denied_a_members_only_member_list_and_the_rest(
    assembly: Body, dave: Person, power: str
) -> None:
    assert not policy.can(dave, power, assembly)
    assert not policy.can(ANON, power, assembly)


@pytest.mark.parametrize(
    "power", ["members.view", "journal.view", "mandates.view", "invite", "leave"]
)
def test_a_member_has_them(assembly: Body, bob: Person, power: str) -> None:
    assert policy.can(bob, power, assembly)


def test_a_union_member_list_is_for_holders_of_members_view_only(
    union: Body, alice: Person, bob: Person
) -> None:
    assert policy.can(alice, "members.view", union)  # founding convenor
    assert not policy.can(bob, "members.view", union)
    assert not policy.can(bob, "journal.view", union)
    assert policy.can(bob, "mandates.view", union)  # members see who holds power over them
    assert list(policy.people_with("members.view", union)) == [alice]


def test_a_hidden_body_does_not_exist_for_outsiders(
    caucus: Body, bob: Person, dave: Person
) -> None:
    assert policy.can(bob, "body.view", caucus)
    for who in (dave, ANON):
        assert not policy.can(who, "body.view", caucus)
        with pytest.raises(NotFound) as hidden:
            policy.body_for(who, caucus.slug)
        with pytest.raises(NotFound) as missing:
            policy.body_for(who, "no-such-body")
        assert str(hidden.value) == str(missing.value)
    assert caucus not in policy.bodies_where(dave, "body.view")
    assert caucus in policy.bodies_where(bob, "body.view")


def test_a_members_only_body_shows_its_name_but_not_its_charter(
    alice: Person, dave: Person
) -> None:
    body = body_found(founder=alice, name="Quiet Circle", kind="working_group")
    assert body.charter.visibility == "members"
    assert policy.can(dave, "body.view", body)
    assert not policy.can(dave, "body.read", body)
    assert not policy.can(dave, "join", body)  # invitation only


def test_an_outsider_may_join_an_open_body_but_not_anonymously(
    assembly: Body, dave: Person
) -> None:
    assert policy.can(dave, "join", assembly)
    assert not policy.can(ANON, "join", assembly)


def test_a_public_member_list_is_public(alice: Person, dave: Person) -> None:
    federation = body_found(founder=alice, name="Federation", kind="federation")
    assert policy.can(dave, "members.view", federation)
    assert policy.can(ANON, "journal.view", federation)


def test_server_staff_hold_no_power_inside_a_body(assembly: Body, dave: Person) -> None:
    dave.is_staff = dave.is_superuser = True
    dave.save(update_fields=["is_staff", "is_superuser"])
    assert not policy.can(dave, "members.view", assembly)
    assert not policy.can(dave, "moderate", assembly)


def test_a_charter_change_moves_the_member_list_behind_a_power(
    assembly: Body, alice: Person, bob: Person
) -> None:
    rules = assembly.charter.model_dump(mode="json") | {
        "member_list": "power",
        "member_list_power": "members.view",
    }
    charter_adopt(body=assembly, rules=rules, adopted_by="decision 3")
    assert not policy.can(bob, "members.view", assembly)
    mandate_grant(
        body=assembly,
        holder=bob,
        role="Secretary",
        powers=["members.view"],
        term_days=30,
        granted_by="d",
    )
    assert policy.can(bob, "members.view", assembly)
    assert not policy.can(alice, "members.view", assembly)
