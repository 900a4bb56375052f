"""How federation plugs into the decisions engine."""

from __future__ import annotations

from dualpower.bodies import policy
from dualpower.decisions import services as decisions

from . import actions  # noqa: F401  (registers the federation actions)
from .services import (
    delegate_may_comment,
    ratification_guard,
    ratification_record,
    ratification_tally,
    ratifications_open,
)


def install() -> None:
    for hooks, hook in (
        (decisions.VOTING_OPENED, ratifications_open),
        (decisions.CLOSED, ratification_record),
        (decisions.TALLY, ratification_tally),
        (decisions.BALLOT_GUARD, ratification_guard),
    ):
        if hook not in hooks:
            hooks.append(hook)  # type: ignore[arg-type]
    if delegate_may_comment not in policy.GRANTS:
        policy.GRANTS.append(delegate_may_comment)
