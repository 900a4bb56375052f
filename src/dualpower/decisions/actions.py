"""Actions: what a passed proposal does, each a small class with ``check()`` and ``apply()``.

A proposal stores action names and parameters; the engine validates the parameters with
the action's pydantic model, calls ``check()`` when the proposal is written and again at
execution, then ``apply()`` for every action in one transaction. ``apply()`` goes through
the bodies' services, which journal in that same transaction. New modules add actions
with ``@register``; the engine does not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.charter import POWER_PATTERN
from dualpower.bodies.journal import journal_append
from dualpower.bodies.models import Body, Mandate, Membership
from dualpower.bodies.services import (
    body_update_profile,
    charter_adopt,
    charter_validate,
    mandate_grant,
    mandate_recall,
    membership_admit,
    membership_leave,
)
from dualpower.core.errors import Conflict, Invalid


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Context:
    """What an action knows when it runs: the body, the decision's reference and, for
    elections, the winners of the count (option keys)."""

    body: Body
    decision: str
    winners: tuple[str, ...] = ()
    options: tuple[dict[str, Any], ...] = ()


class Action:
    name: ClassVar[str]
    label: ClassVar[str]
    decision_kind: ClassVar[str] = "general"
    params_model: ClassVar[type[Params]]

    def __init__(self, params: Params) -> None:
        self.params = params

    def check(self, ctx: Context) -> None:
        """Raise a DomainError if this action cannot be carried out in ``ctx`` now."""

    def apply(self, ctx: Context) -> None:
        raise NotImplementedError

    def describe(self, viewer: Any = None) -> str:
        """What the action does, in words, for the proposal's page. An action that names
        other bodies names only those ``viewer`` may see (``body.view``)."""
        return self.label


REGISTRY: dict[str, type[Action]] = {}


def register(cls: type[Action]) -> type[Action]:
    REGISTRY[cls.name] = cls
    return cls


def build(spec: Any) -> Action:
    """Build an action from its stored form ``{"name": ..., "params": {...}}``."""
    if not isinstance(spec, dict) or "name" not in spec:
        raise Invalid("an action needs a name and params")
    cls = REGISTRY.get(str(spec["name"]))
    if cls is None:
        raise Invalid(f"unknown action {spec['name']!r}; known: {', '.join(sorted(REGISTRY))}")
    try:
        params = cls.params_model.model_validate(spec.get("params") or {})
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        raise Invalid(f"action {cls.name}: {where}: {first['msg']}") from None
    return cls(params)


def _member(body: Body, person_id: int, *, status: str = Membership.Status.MEMBER) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None or policy.membership_status(person, body) != status:
        what = "a member" if status == Membership.Status.MEMBER else "an applicant"
        raise Conflict(f"person {person_id} is not {what} of {body.name}")
    return person


class ResolutionParams(Params):
    text: str = Field(default="", max_length=5000)


@register
class Resolution(Action):
    """A plain resolution: the decision itself is the record."""

    name = "resolution"
    label = "Adopt a resolution"
    params_model = ResolutionParams

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, ResolutionParams)
        journal_append(
            body=ctx.body,
            kind="resolution.adopted",
            payload={"by": ctx.decision, "text": self.params.text},
        )


class PersonParams(Params):
    person: int = Field(ge=1)


@register
class AdmitMember(Action):
    name = "admit_member"
    label = "Admit an applicant"
    decision_kind = "admit_member"
    params_model = PersonParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, PersonParams)
        _member(ctx.body, self.params.person, status=Membership.Status.APPLICANT)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, PersonParams)
        person = _member(ctx.body, self.params.person, status=Membership.Status.APPLICANT)
        membership_admit(body=ctx.body, person=person, admitted_by=ctx.decision)


@register
class RemoveMember(Action):
    name = "remove_member"
    label = "Remove a member"
    decision_kind = "remove_member"
    params_model = PersonParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, PersonParams)
        _member(ctx.body, self.params.person)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, PersonParams)
        person = _member(ctx.body, self.params.person)
        membership_leave(body=ctx.body, person=person, removed_by=ctx.decision)


class CharterParams(Params):
    rules: dict[str, Any]


@register
class AmendCharter(Action):
    name = "amend_charter"
    label = "Amend the charter"
    decision_kind = "amend_charter"
    params_model = CharterParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, CharterParams)
        charter_validate(self.params.rules)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, CharterParams)
        charter_adopt(body=ctx.body, rules=self.params.rules, adopted_by=ctx.decision)


class FillMandateParams(Params):
    role: str = Field(min_length=1, max_length=120)
    powers: list[str] = Field(default_factory=list, max_length=20)
    term_days: int = Field(default=365, ge=1, le=3650)
    holder: int | None = Field(default=None, description="one named person; None: the elected")

    def model_post_init(self, __context: Any) -> None:
        import re

        for power in self.powers:
            if not re.match(POWER_PATTERN, power):
                raise ValueError(f"{power!r} is not a power name (like ledger.record_external)")


@register
class FillMandate(Action):
    """Create a mandate and fill it: by a vote on one named person, or by an election
    (STV) of several among those who stood, who are the winners of the count."""

    name = "fill_mandate"
    label = "Create and fill a mandate"
    decision_kind = "fill_mandate"
    params_model = FillMandateParams

    def _holders(self, ctx: Context) -> list[Person]:
        assert isinstance(self.params, FillMandateParams)
        if self.params.holder is not None:
            return [_member(ctx.body, self.params.holder)]
        by_key = {str(o["key"]): o for o in ctx.options}
        return [
            _member(ctx.body, int(by_key[w]["person"]))
            for w in ctx.winners
            if by_key.get(w, {}).get("person")
        ]

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, FillMandateParams)
        if self.params.holder is not None:
            _member(ctx.body, self.params.holder)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, FillMandateParams)
        holders = self._holders(ctx)
        if not holders:
            raise Conflict("nobody was elected to the mandate")
        for person in holders:
            mandate_grant(
                body=ctx.body,
                holder=person,
                role=self.params.role,
                powers=self.params.powers,
                term_days=self.params.term_days,
                granted_by=ctx.decision,
            )


class MandateParams(Params):
    mandate: int = Field(ge=1)


@register
class RecallMandate(Action):
    name = "recall_mandate"
    label = "Recall a mandate"
    decision_kind = "recall_mandate"
    params_model = MandateParams

    def _mandate(self, ctx: Context) -> Mandate:
        assert isinstance(self.params, MandateParams)
        mandate = Mandate.objects.filter(
            pk=self.params.mandate, body=ctx.body, recalled_at__isnull=True
        ).first()
        if mandate is None:
            raise Conflict(
                f"mandate {self.params.mandate} is not a live mandate of {ctx.body.name}"
            )
        return mandate

    def check(self, ctx: Context) -> None:
        self._mandate(ctx)

    def apply(self, ctx: Context) -> None:
        mandate_recall(mandate=self._mandate(ctx), recalled_by=ctx.decision)


class ProfileParams(Params):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    about: str | None = Field(default=None, max_length=5000)
    visibility: Literal["public", "members", "hidden"] | None = None


@register
class ChangeProfile(Action):
    name = "change_profile"
    label = "Change the body's profile or visibility"
    params_model = ProfileParams

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, ProfileParams)
        if (
            self.params.name is None
            and self.params.about is None
            and self.params.visibility is None
        ):
            raise Invalid("change_profile needs a name, an about text or a visibility")

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, ProfileParams)
        if self.params.name is not None or self.params.about is not None:
            body_update_profile(
                body=ctx.body,
                name=self.params.name,
                about=self.params.about,
                changed_by=ctx.decision,
            )
        if (
            self.params.visibility is not None
            and self.params.visibility != ctx.body.charter.visibility
        ):
            rules = ctx.body.charter.model_dump(mode="json") | {
                "visibility": self.params.visibility
            }
            charter_adopt(body=ctx.body, rules=rules, adopted_by=ctx.decision)


class AmendmentParams(Params):
    amendment: int = Field(ge=1)


@register
class AcceptAmendment(Action):
    """Accept an amendment to another proposal, where the charter puts amendments to a
    vote of their own. The amended proposal must still be in deliberation."""

    name = "accept_amendment"
    label = "Accept an amendment"
    params_model = AmendmentParams

    def _amendment(self, ctx: Context) -> Any:
        from .models import Amendment, Proposal

        assert isinstance(self.params, AmendmentParams)
        amendment = (
            Amendment.objects.select_related("proposal")
            .filter(pk=self.params.amendment, proposal__body=ctx.body)
            .first()
        )
        if amendment is None:
            raise Conflict(
                f"amendment {self.params.amendment} is not an amendment in {ctx.body.name}"
            )
        if amendment.state != Amendment.State.PROPOSED:
            raise Conflict("this amendment was already decided")
        if amendment.proposal.state != Proposal.State.DELIBERATION:
            raise Conflict("the amended proposal is no longer in deliberation")
        return amendment

    def check(self, ctx: Context) -> None:
        self._amendment(ctx)

    def apply(self, ctx: Context) -> None:
        from django.utils import timezone

        amendment = self._amendment(ctx)
        amendment.state = "accepted"
        amendment.decided_at = timezone.now()
        amendment.save(update_fields=["state", "decided_at"])
        target = amendment.proposal
        target.text = amendment.text
        target.save(update_fields=["text"])
        journal_append(
            body=ctx.body,
            kind="proposal.amended",
            payload={"proposal": target.number, "amendment": amendment.pk, "by": ctx.decision},
        )
