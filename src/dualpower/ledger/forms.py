"""Forms of the ledger's pages. They check shape only; the services check the rules.

Each form carries a client key made when the form is shown, so a double submit or a
browser retry applies once (the service answers the first outcome)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from dualpower.accounts.models import Person
from dualpower.core.errors import Invalid

from .units import amount_parse


def new_key() -> str:
    return uuid.uuid4().hex


class _Keyed(forms.Form):
    client_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    amount = forms.CharField(max_length=30, help_text="For example 1.5")
    memo = forms.CharField(max_length=200, required=False, label="What for")

    def __init__(self, *args: Any, decimals: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decimals = decimals

    def clean_amount(self) -> int:
        """The amount in the currency's smallest unit."""
        return typed_amount(self.cleaned_data["amount"], self.decimals)


def typed_amount(text: str, decimals: int) -> int:
    """An amount typed in a form field (``units.amount_parse``), its refusal shown on the
    field."""
    try:
        return amount_parse(text, decimals)
    except Invalid as e:
        raise forms.ValidationError(e.message) from None


def _member_choices(members: Any) -> list[tuple[str, str]]:
    """No member is chosen until the member chooses one (a hurried submit must not
    credit whoever comes first in the list)."""
    people = [(p.email, f"{p.name} ({p.email})") for p in members if isinstance(p, Person)]
    return [("", "Choose a member"), *people]


class PayForm(_Keyed):
    to = forms.ChoiceField(label="Pay to")
    field_order = ["to", "amount", "memo", "client_key"]

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = _member_choices(members)  # type: ignore[attr-defined]


class HoursForm(_Keyed):
    receiver = forms.ChoiceField(label="Hours I gave to")
    field_order = ["receiver", "amount", "memo", "client_key"]

    def __init__(
        self, *args: Any, members: Any = (), either_side: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = _member_choices(members)  # type: ignore[attr-defined]
        if either_side:
            # Either side records: the member says which way the hours went.
            self.fields["direction"] = forms.ChoiceField(
                choices=[("gave", "I gave hours to"), ("received", "I received hours from")],
                initial="gave",
                widget=forms.RadioSelect,
            )
            self.fields["receiver"].label = "Member"
            self.order_fields(["direction", "receiver", "amount", "memo", "client_key"])
        self.fields["amount"].label = "Hours"
        self.fields["amount"].help_text = "For example 1.5 for an hour and a half"


class ExternalForm(_Keyed):
    direction = forms.ChoiceField(
        choices=[("in", "Money came in"), ("out", "Money went out")], widget=forms.RadioSelect
    )
    field_order = ["direction", "amount", "memo", "client_key"]
