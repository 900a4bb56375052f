"""Forms of the web pages. They check shape only; the services check the rules."""

from __future__ import annotations

from django import forms

from dualpower.bodies.models import KIND_CHOICES

VISIBILITY_CHOICES = [
    ("", "As the starter charter of its kind says"),
    ("public", "Public: anyone may see the body"),
    ("members", "Members only: outsiders see its front page, not its work"),
    ("hidden", "Hidden: only members know it exists"),
]


class BodyFoundForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example: Eastside Assembly.")
    kind = forms.ChoiceField(
        choices=KIND_CHOICES,
        help_text="Picks the starter charter; it grants no special power.",
    )
    about = forms.CharField(
        label="About",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the body is for, in a few sentences.",
    )
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False)


class InvitationForm(forms.Form):
    note = forms.CharField(
        max_length=200,
        required=False,
        label="Note (optional)",
        help_text="Only for you and the other members: whom the link is for.",
    )


class ApiTokenForm(forms.Form):
    label = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. 'my laptop' or 'a script'."
    )
