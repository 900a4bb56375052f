from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies.models import Body
from dualpower.bodies.services import charter_adopt
from dualpower.decisions.models import Proposal
from dualpower.decisions.services import proposal_create, proposal_open, proposal_refresh


def advance(proposal: Proposal, *, days: float) -> Proposal:
    """Let ``days`` pass for the proposal, as the worker or a first access would."""
    return proposal_refresh(proposal=proposal, now=timezone.now() + timedelta(days=days))


def set_rule(body: Body, kind: str, **changes: Any) -> None:
    """Amend the body's charter directly (as a passed decision would)."""
    rules = body.charter.model_dump(mode="json")
    rule = rules["decisions"].get(kind) or dict(rules["decisions"]["general"])
    rules["decisions"][kind] = rule | changes
    charter_adopt(body=body, rules=rules, adopted_by="test setup")
    body.__dict__.pop("_charter_cache", None)


def voting_proposal(body: Body, author: Person, **kwargs: Any) -> Proposal:
    """A proposal opened and moved on to voting."""
    kwargs.setdefault("title", "Plant trees on Elm Street")
    proposal = proposal_create(body=body, author=author, **kwargs)
    proposal = proposal_open(proposal=proposal, by=author)
    return advance(proposal, days=proposal.decision_rule.deliberation_days + 0.001)
