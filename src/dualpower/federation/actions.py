"""Actions of federation: join (the body's decision), admit (the federation's), leave."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dualpower.bodies import policy
from dualpower.bodies.models import Body, Mandate
from dualpower.core.errors import Conflict
from dualpower.decisions.actions import Action, Context, Params, register
from dualpower.decisions.models import Proposal

from . import services


def _named(slug: str, viewer: Any, unseen: str) -> str:
    """A body's name where ``viewer`` may see the body, else ``unseen``."""
    body = Body.objects.filter(slug=slug).first()
    return body.name if body is not None and policy.can(viewer, "body.view", body) else unseen


class FederationParams(Params):
    federation: str = Field(min_length=1, max_length=60, description="the federation's slug")


class MemberParams(Params):
    body: str = Field(min_length=1, max_length=60, description="the member body's slug")


@register
class FederationJoin(Action):
    """This body decides to join a federation (which must also admit it)."""

    name = "federation_join"
    label = "Join a federation"
    decision_kind = "federation"
    params_model = FederationParams

    def describe(self, viewer: Any = None) -> str:
        assert isinstance(self.params, FederationParams)
        return f"Join {_named(self.params.federation, viewer, 'a federation')}."

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, FederationParams)
        services.federation_check(
            federation=services.body_by_slug(self.params.federation), member=ctx.body
        )

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, FederationParams)
        federation = services.body_by_slug(self.params.federation)
        services.federation_consent(
            federation=federation, member=ctx.body, side="body", decision=ctx.decision
        )


@register
class FederationAdmit(Action):
    """This federation decides to admit a body (which must also decide to join)."""

    name = "federation_admit"
    label = "Admit a member body"
    decision_kind = "federation"
    params_model = MemberParams

    def describe(self, viewer: Any = None) -> str:
        assert isinstance(self.params, MemberParams)
        return f"Admit {_named(self.params.body, viewer, 'a body')} as a member body."

    def check(self, ctx: Context) -> None:
        assert isinstance(self.params, MemberParams)
        services.federation_check(
            federation=ctx.body, member=services.body_by_slug(self.params.body)
        )

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, MemberParams)
        member = services.body_by_slug(self.params.body)
        services.federation_consent(
            federation=ctx.body, member=member, side="federation", decision=ctx.decision
        )


@register
class FederationLeave(Action):
    """This body leaves a federation: its own decision is enough."""

    name = "federation_leave"
    label = "Leave a federation"
    decision_kind = "federation"
    params_model = FederationParams

    def describe(self, viewer: Any = None) -> str:
        assert isinstance(self.params, FederationParams)
        return f"Leave {_named(self.params.federation, viewer, 'a federation')}."

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, FederationParams)
        federation = services.body_by_slug(self.params.federation)
        services.federation_leave(federation=federation, member=ctx.body, decision=ctx.decision)


class InstructParams(Params):
    mandate: int = Field(ge=1, description="the delegate's mandate in this body")
    federation: str = Field(min_length=1, max_length=60)
    proposal: int = Field(ge=1, description="the federation proposal's number")
    vote: str = Field(pattern="^(yes|no|abstain)$")


@register
class InstructDelegate(Action):
    """This body instructs its delegate how to vote on a named federation proposal."""

    name = "instruct_delegate"
    label = "Instruct our delegate"
    decision_kind = "federation"
    params_model = InstructParams

    def describe(self, viewer: Any = None) -> str:
        assert isinstance(self.params, InstructParams)
        how = "abstain" if self.params.vote == "abstain" else f"vote {self.params.vote}"
        federation = _named(self.params.federation, viewer, "a federation")
        return f"Instruct our delegate to {how} on #{self.params.proposal} of {federation}."

    def _targets(self, ctx: Context) -> tuple[Mandate, Proposal]:
        assert isinstance(self.params, InstructParams)
        mandate = Mandate.objects.filter(
            pk=self.params.mandate, body=ctx.body, recalled_at__isnull=True
        ).first()
        if mandate is None:
            raise Conflict(
                f"mandate {self.params.mandate} is not a live mandate of {ctx.body.name}"
            )
        federation = services.body_by_slug(self.params.federation)
        proposal = Proposal.objects.filter(body=federation, number=self.params.proposal).first()
        if proposal is None:
            raise Conflict(f"{federation.name} has no proposal {self.params.proposal}")
        return mandate, proposal

    def check(self, ctx: Context) -> None:
        self._targets(ctx)

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, InstructParams)
        mandate, proposal = self._targets(ctx)
        services.delegate_instruct(
            mandate=mandate, fed_proposal=proposal, vote=self.params.vote, decided_by=ctx.decision
        )
