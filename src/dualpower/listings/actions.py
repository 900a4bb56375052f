"""The action a decision uses to change a hub's lists and rules."""

from __future__ import annotations

from pydantic import Field

from dualpower.core.errors import Invalid
from dualpower.decisions.actions import Action, Context, Params, register

from .models import INTAKE_FIELDS
from .services import hub_settings_update


class HubSettingsParams(Params):
    categories: list[str] | None = Field(default=None, max_length=50)
    areas: list[str] | None = Field(default=None, max_length=50)
    intake_fields: list[str] | None = Field(
        default=None, description=f"any of {', '.join(INTAKE_FIELDS)}"
    )
    retention_days: int | None = Field(default=None, ge=0, le=3650)


@register
class ListingsSettings(Action):
    """Set the hub's categories, neighbourhoods, the public form's fields and how many
    days after closing a requester's contact details are kept."""

    name = "listings_settings"
    label = "Change the listings settings"
    params_model = HubSettingsParams

    def check(self, ctx: Context) -> None:
        if "listings" not in ctx.body.charter.modules:
            raise Invalid(f"{ctx.body.name} keeps no listings")
        assert isinstance(self.params, HubSettingsParams)
        unknown = set(self.params.intake_fields or ()) - set(INTAKE_FIELDS)
        if unknown:
            raise Invalid(f"unknown intake fields: {', '.join(sorted(unknown))}")

    def apply(self, ctx: Context) -> None:
        assert isinstance(self.params, HubSettingsParams)
        hub_settings_update(body=ctx.body, by=ctx.decision, **self.params.model_dump())
