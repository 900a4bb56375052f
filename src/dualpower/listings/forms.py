"""Forms of the listings pages. They check shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from dualpower.ledger.forms import typed_amount

from .models import HubSettings, Listing

HONEYPOT = "website"


def _choices(names: list[str], blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((n, n) for n in names)]


class ListingForm(forms.Form):
    kind = forms.ChoiceField(choices=Listing.Kind.choices)
    title = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ChoiceField(choices=[])
    area = forms.ChoiceField(choices=[], required=False)
    urgency = forms.ChoiceField(choices=Listing.Urgency.choices, initial="normal")
    when = forms.CharField(
        required=False, max_length=120, help_text="For example: weekday evenings, by Friday."
    )
    visibility = forms.ChoiceField(choices=Listing.Visibility.choices, initial="members")
    hours = forms.CharField(
        required=False,
        max_length=30,
        help_text="Time bank: the hours this exchange is worth, settled when it is done.",
    )
    contact = forms.CharField(
        required=False,
        max_length=200,
        label="How to reach you",
        help_text="Shown only to the person you are matched with, after the match.",
    )

    def __init__(self, *args: Any, hub: HubSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(hub.categories, "Choose a category")  # type: ignore[attr-defined]
        self.fields["area"].choices = _choices(hub.areas, "No particular area")  # type: ignore[attr-defined]

    def clean_hours(self) -> int:
        """In hundredths, read as the ledger reads hours (``1.5`` or ``1,5``; no exponent,
        no thousands separator); none is 0. The service checks the range."""
        text = (self.cleaned_data.get("hours") or "").strip()
        if not text.strip("0.,"):  # empty, or a zero ("0", "0.00")
            return 0
        return typed_amount(text, 2)

    def service_args(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ClaimForm(forms.Form):
    contact = forms.CharField(required=False, max_length=200, label="How to reach you")


class UrgencyForm(forms.Form):
    urgency = forms.ChoiceField(choices=Listing.Urgency.choices)


class DispatchForm(forms.Form):
    volunteer = forms.IntegerField(min_value=1)


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, label="Number of the request it repeats")


CONTACT_LABELS = {
    "name": "Your name (or what we should call you)",
    "phone": "Phone",
    "email": "E-mail",
    "address": "Address or meeting point",
}


class HelpRequestForm(forms.Form):
    """The public form: only the fields the hub asks for, plus a honeypot that people
    never see (the ``hidden`` attribute) and bots fill in."""

    description = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label="What do you need?"
    )
    category = forms.ChoiceField(choices=[])
    area = forms.ChoiceField(choices=[], required=False)
    when = forms.CharField(required=False, max_length=120, label="When do you need it?")

    def __init__(self, *args: Any, hub: HubSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(hub.categories, "Choose what fits best")  # type: ignore[attr-defined]
        if hub.areas:
            self.fields["area"].choices = _choices(hub.areas, "Prefer not to say")  # type: ignore[attr-defined]
        else:
            del self.fields["area"]
        for name in hub.intake_fields:
            self.fields[name] = forms.CharField(
                required=False, max_length=254, label=CONTACT_LABELS[name]
            )
        self.fields[HONEYPOT] = forms.CharField(required=False, max_length=200)

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in CONTACT_LABELS if n in self.fields]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "category": data["category"],
            "area": data.get("area") or "",
            "when": data.get("when") or "",
            "contact": {n: data.get(n) or "" for n in CONTACT_LABELS},
        }
