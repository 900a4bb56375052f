from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualpower.accounts.models import Person
from dualpower.bodies.charter import BODY_KINDS, Charter, starter_charter
from dualpower.bodies.models import Body
from dualpower.bodies.services import charter_adopt, charter_validate
from dualpower.core.errors import Invalid


@given(st.sampled_from(BODY_KINDS))
def test_every_starter_charter_round_trips_through_json(kind: str) -> None:
    charter = starter_charter(kind)
    assert Charter.model_validate(charter.model_dump(mode="json")) == charter


def test_a_charter_with_an_unknown_rule_is_refused() -> None:
    rules = starter_charter("assembly").model_dump(mode="json") | {"king": "me"}
    with pytest.raises(Invalid, match="king"):
        charter_validate(rules)


def test_a_power_gated_member_list_needs_the_power_named() -> None:
    rules = starter_charter("assembly").model_dump(mode="json") | {"member_list": "power"}
    with pytest.raises(Invalid, match="member_list_power"):
        charter_validate(rules)


def test_a_threshold_over_one_is_refused() -> None:
    rules = starter_charter("assembly").model_dump(mode="json")
    rules["decisions"]["general"]["threshold"] = 1.5
    with pytest.raises(Invalid, match="threshold"):
        charter_validate(rules)


def test_adopting_a_charter_makes_a_new_version_and_keeps_the_old(
    assembly: Body, alice: Person
) -> None:
    rules = assembly.charter.model_dump(mode="json") | {"visibility": "hidden"}
    version = charter_adopt(body=assembly, rules=rules, adopted_by="decision 1")
    assert version.number == 2
    assembly.refresh_from_db()
    assert assembly.visibility == "hidden"
    assert assembly.charter_versions.count() == 2


def test_a_refused_charter_leaves_nothing_behind(assembly: Body) -> None:
    before = assembly.journal.count()
    with pytest.raises(Invalid):
        charter_adopt(body=assembly, rules={"visibility": "everyone"}, adopted_by="decision 1")
    assert assembly.charter_versions.count() == 1
    assert assembly.journal.count() == before
