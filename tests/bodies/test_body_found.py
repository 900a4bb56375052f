from __future__ import annotations

import pytest

from dualpower.accounts.models import Person
from dualpower.bodies import policy, selectors
from dualpower.bodies.charter import BODY_KINDS
from dualpower.bodies.journal import journal_verify
from dualpower.bodies.services import body_found
from dualpower.core.errors import Invalid


@pytest.mark.parametrize("kind", BODY_KINDS)
def test_every_kind_can_be_founded_with_its_starter_charter(alice: Person, kind: str) -> None:
    body = body_found(founder=alice, name=f"A {kind}", kind=kind)
    assert body.current_charter().number == 1
    assert policy.is_member(alice, body)
    assert [e.kind for e in selectors.body_journal(body=body)][:3] == [
        "body.founded",
        "charter.adopted",
        "member.joined",
    ]
    assert journal_verify(body=body).ok


def test_it_refuses_an_unknown_kind(alice: Person) -> None:
    with pytest.raises(Invalid, match="unknown kind"):
        body_found(founder=alice, name="X", kind="politburo")


def test_it_refuses_an_empty_name(alice: Person) -> None:
    with pytest.raises(Invalid, match="name"):
        body_found(founder=alice, name="   ", kind="assembly")


def test_slugs_are_unique(alice: Person) -> None:
    a = body_found(founder=alice, name="Food Co-op", kind="cooperative")
    b = body_found(founder=alice, name="Food Co-op", kind="cooperative")
    assert a.slug != b.slug


def test_a_union_founder_holds_a_recallable_founding_mandate(alice: Person) -> None:
    union = body_found(founder=alice, name="Union", kind="union")
    mandate = selectors.body_mandates(body=union).get()
    assert mandate.granted_by == "founding"
    assert "members.view" in mandate.powers
    assert policy.can(alice, "members.view", union)
