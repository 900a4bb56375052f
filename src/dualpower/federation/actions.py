"""Actions of federation: join (the body's decision), admit (the federation's), leave."""

from __future__ import annotations

from pydantic import Field

from dualpower.decisions.actions import Action, Context, Params, register

from . import services


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

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, FederationParams)
        federation = services.body_by_slug(self.params.federation)
        services.federation_leave(federation=federation, member=ctx.body, decision=ctx.decision)
