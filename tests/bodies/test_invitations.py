from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors
from dualpower.bodies.models import Body, Invitation
from dualpower.bodies.services import body_found, invitation_accept, invitation_create
from dualpower.core.errors import Conflict, Gone, NotAllowed, NotFound


def test_an_invitation_admits_the_person_who_accepts_it(
    assembly: Body, alice: Person, carol: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    invitation_accept(token=token, person=carol)
    assert policy.is_member(carol, assembly)
    assert selectors.body_journal(body=assembly).last().kind == "member.joined"  # type: ignore[union-attr]


def test_only_the_digest_of_the_token_is_stored(assembly: Body, alice: Person) -> None:
    invitation, token = invitation_create(body=assembly, by=alice)
    stored = Invitation.objects.get(pk=invitation.pk)
    assert token not in (stored.digest, stored.note)


def test_an_invitation_cannot_be_used_twice(
    assembly: Body, alice: Person, carol: Person, dave: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    invitation_accept(token=token, person=carol)
    with pytest.raises(Gone, match="already been used"):
        invitation_accept(token=token, person=dave)
    assert not policy.is_member(dave, assembly)


def test_an_expired_invitation_says_so(assembly: Body, alice: Person, carol: Person) -> None:
    invitation, token = invitation_create(body=assembly, by=alice)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(Gone, match="expired"):
        invitation_accept(token=token, person=carol)
    assert not policy.is_member(carol, assembly)


def test_an_unknown_token_is_not_found(carol: Person) -> None:
    with pytest.raises(NotFound):
        invitation_accept(token="not-a-token", person=carol)


def test_a_member_cannot_accept_an_invitation_twice(
    assembly: Body, alice: Person, bob: Person
) -> None:
    _, token = invitation_create(body=assembly, by=alice)
    with pytest.raises(Conflict):
        invitation_accept(token=token, person=bob)


def test_a_non_member_cannot_invite(assembly: Body, dave: Person) -> None:
    with pytest.raises(NotAllowed):
        invitation_create(body=assembly, by=dave)


def test_in_a_union_only_the_holder_of_the_invite_power_invites_when_the_charter_says_so(
    alice: Person, bob: Person, carol: Person
) -> None:
    union = body_found(founder=alice, name="U", kind="union")
    from dualpower.bodies.services import charter_adopt

    rules = union.charter.model_dump(mode="json") | {
        "invite": "power",
        "invite_power": "members.invite",
    }
    charter_adopt(body=union, rules=rules, adopted_by="test decision")
    union.refresh_from_db()
    # alice's founding mandate names members.view only, not members.invite
    assert not policy.can(alice, "invite", union)
    with pytest.raises(NotAllowed):
        invitation_create(body=union, by=alice)


def test_where_admission_needs_a_decision_the_invited_person_waits_as_an_applicant(
    alice: Person, carol: Person
) -> None:
    coop = body_found(founder=alice, name="Bakery Co-op", kind="cooperative")
    assert coop.charter.admission == "decision"
    _, token = invitation_create(body=coop, by=alice)
    membership = invitation_accept(token=token, person=carol)
    assert membership.status == "applicant"
    assert not policy.is_member(carol, coop)
    assert list(selectors.body_applicants(body=coop).values_list("person__email", flat=True)) == [
        carol.email
    ]
