"""Forms of the decision pages. They check shape only; the services check the rules.

``ProposalForm`` builds the proposal's actions from a few plain fields (one builder per
action); ``ballot_content`` turns a posted ballot form into the ballot shape of the
method (``counting.ballot_validate`` then judges it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict

from dualpower.accounts.models import Person
from dualpower.bodies.charter import DECISION_KINDS
from dualpower.bodies.models import Body, Mandate
from dualpower.core.errors import Invalid

from .actions import REGISTRY
from .counting import MOTION_CHOICES, RANKED_METHODS
from .models import Proposal
from .selectors import FederationChoices

ACTION_CHOICES = [
    ("", "Nothing: it is a question or a statement of the members' view"),
    ("resolution", "Adopt a resolution"),
    ("admit_member", "Admit an applicant"),
    ("remove_member", "Remove a member"),
    ("amend_charter", "Amend the charter"),
    ("fill_mandate", "Create and fill a mandate"),
    ("recall_mandate", "Recall a mandate"),
    ("change_profile", "Change the body's name, description or visibility"),
    ("federation_join", "Join a federation"),
    ("federation_leave", "Leave a federation"),
    ("federation_admit", "Admit a member body into this federation"),
    ("instruct_delegate", "Instruct our delegate on a federation proposal"),
    ("other", "Another action (ledger, listings...), with its parameters"),
]
BUILT_IN = {name for name, _ in ACTION_CHOICES}
VISIBILITY_CHOICES = [
    ("", "Leave as it is"),
    ("public", "Public"),
    ("members", "Members only"),
    ("hidden", "Hidden"),
]
INSTRUCTION_CHOICES = [("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")]


def _slugs(bodies: Sequence[Body]) -> list[tuple[str, str]]:
    return [(_key(b), b.name) for b in bodies]


def _key(choice: Body | Mandate | Proposal) -> str:
    """The value of a body, mandate or federation proposal in a picker."""
    if isinstance(choice, Body):
        return choice.slug
    if isinstance(choice, Mandate):
        return str(choice.pk)
    return f"{choice.body.slug}/{choice.number}"


# Each picker's error when nothing is chosen, and what its choices are.
PICKERS = {
    "join_federation": ("Choose the federation to join.", "a federation this body can join"),
    "leave_federation": ("Choose the federation to leave.", "a federation this body is in"),
    "admit_body": ("Choose the body to admit.", "a body this federation can admit"),
    "instruct_mandate": ("Choose the delegate.", "a live delegate's mandate of this body"),
    "instruct_proposal": (
        "Choose the federation proposal.",
        "an open proposal of a federation this body is in",
    ),
}


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        label="Text",
        required=False,
        max_length=50000,
        widget=_textarea(10),
        help_text="Markdown: *emphasis*, **strong**, lists, links. Raw HTML is not kept.",
    )
    decision_kind = forms.ChoiceField(
        label="Kind of decision",
        choices=[(k, k.replace("_", " ").capitalize()) for k in DECISION_KINDS],
        initial="general",
        help_text="The charter's rule for this kind sets the timing, method and ballot. "
        "An action below picks its own kind.",
    )
    options = forms.CharField(
        label="Options, one per line",
        required=False,
        widget=_textarea(4),
        help_text="Only for approval, score, ranked or quadratic votes. "
        "Leave empty for a yes/no question.",
    )
    action = forms.ChoiceField(
        label="When it passes, the system will", choices=ACTION_CHOICES, required=False
    )
    resolution_text = forms.CharField(
        label="Resolution", required=False, max_length=5000, widget=_textarea(3)
    )
    admit_person = forms.TypedChoiceField(
        label="Applicant to admit", required=False, coerce=int, empty_value=None
    )
    remove_person = forms.TypedChoiceField(
        label="Member to remove", required=False, coerce=int, empty_value=None
    )
    charter_rules = forms.CharField(
        label="The charter's rules, as amended (JSON)",
        required=False,
        widget=_textarea(16),
        help_text="Prefilled with the charter in force. Change what you propose to change.",
    )
    mandate_role = forms.CharField(label="Role", required=False, max_length=120)
    mandate_powers = forms.CharField(
        label="Powers, comma-separated",
        required=False,
        max_length=1000,
        help_text="For example: ledger.record_external, moderate",
    )
    mandate_term_days = forms.IntegerField(
        label="Term in days", required=False, min_value=1, max_value=3650
    )
    mandate_holder = forms.TypedChoiceField(
        label="Holder", required=False, coerce=int, empty_value=None
    )
    recall_mandate = forms.TypedChoiceField(
        label="Mandate to recall", required=False, coerce=int, empty_value=None
    )
    profile_name = forms.CharField(label="New name", required=False, max_length=120)
    profile_about = forms.CharField(
        label="New description", required=False, max_length=5000, widget=_textarea(3)
    )
    profile_visibility = forms.ChoiceField(
        label="New visibility", choices=VISIBILITY_CHOICES, required=False
    )
    # The federation pickers are plain text fields shown as selects: ``_pick`` judges the
    # posted value only when its builder is chosen, and says what the list holds (a
    # ChoiceField would say "not one of the available choices" whatever the action).
    join_federation = forms.CharField(
        label="Federation to join", required=False, max_length=60, widget=forms.Select
    )
    leave_federation = forms.CharField(
        label="Federation to leave", required=False, max_length=60, widget=forms.Select
    )
    admit_body = forms.CharField(
        label="Body to admit",
        required=False,
        max_length=60,
        widget=forms.Select,
        help_text="It becomes a member once it has decided to join too.",
    )
    instruct_mandate = forms.CharField(
        label="Delegate", required=False, max_length=20, widget=forms.Select
    )
    instruct_proposal = forms.CharField(
        label="Federation proposal", required=False, max_length=80, widget=forms.Select
    )
    instruct_vote = forms.ChoiceField(
        label="They are to vote",
        required=False,
        choices=[("", "Choose the vote"), *INSTRUCTION_CHOICES],
    )
    other_name = forms.ChoiceField(label="Action", required=False)
    other_params = forms.CharField(
        label="Its parameters (JSON)",
        required=False,
        widget=_textarea(4),
        help_text='For example, to pay from the body\'s funds: {"currency": "money", '
        '"to_person": 12, "amount": 2500, "memo": "flour"}. '
        "The actions and their parameters are listed in docs/decisions.md.",
    )

    def __init__(
        self,
        data: QueryDict | None,
        *,
        body: Body,
        members: Sequence[Person],
        applicants: Sequence[Person],
        mandates: Sequence[Mandate],
        federation: FederationChoices | None = None,
    ) -> None:
        super().__init__(data)
        self.federation = federation or FederationChoices()
        people = [(p.pk, p.name) for p in members]
        self._choices(
            "admit_person", [("", "Choose an applicant")], [(p.pk, p.name) for p in applicants]
        )
        self._choices("remove_person", [("", "Choose a member")], people)
        self._choices("mandate_holder", [("", "Elect among those who stand")], people)
        self._choices(
            "recall_mandate",
            [("", "Choose a mandate")],
            [(m.pk, f"{m.role}: {m.holder.name}") for m in mandates],
        )
        self._choices(
            "other_name",
            [("", "Choose an action")],
            [
                (name, f"{cls.label} ({name})")
                for name, cls in sorted(REGISTRY.items())
                if name not in BUILT_IN
            ],
        )
        self._federation_choices()
        self.fields["charter_rules"].initial = json.dumps(
            body.charter.model_dump(mode="json"), indent=2, sort_keys=True
        )
        self.fields["mandate_term_days"].initial = body.charter.mandates.term_days
        self.actions: list[dict[str, Any]] = []

    def _choices(self, name: str, head: list[tuple[Any, str]], rest: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = head + rest

    def _federation_choices(self) -> None:
        fed = self.federation
        self._options("join_federation", "Choose a federation", _slugs(fed.join))
        self._options("leave_federation", "Choose a federation", _slugs(fed.leave))
        self._options(
            "admit_body",
            "Choose a body",
            [("Decided to join", _slugs(fed.asked)), ("Other bodies", _slugs(fed.admit))],
        )
        self._options(
            "instruct_mandate",
            "Choose the delegate",
            [(_key(m), f"{m.role}: {m.holder.name}") for m in fed.delegates],
        )
        self._options(
            "instruct_proposal",
            "Choose the proposal",
            [(_key(p), f"{p.body.name}, {p.number}. {p.title}") for p in fed.proposals],
        )
        if not fed.federating:
            action = self.fields["action"]
            assert isinstance(action, forms.ChoiceField)
            action.choices = [c for c in ACTION_CHOICES if c[0] != "federation_admit"]

    def _options(self, name: str, head: str, rest: list[Any]) -> None:
        widget = self.fields[name].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", head), *rest]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action") or ""
        params = self._params(action, data) if action else None
        if params is not None:
            self.actions = [{"name": action, "params": params}]
        return data

    def _need(self, data: dict[str, Any], field: str, message: str) -> Any:
        value = data.get(field)
        if value in (None, ""):
            self.add_error(field, message)
        return value

    def _params(self, action: str, data: dict[str, Any]) -> dict[str, Any] | None:
        match action:
            case "resolution":
                return {"text": data.get("resolution_text") or ""}
            case "admit_member":
                return {"person": self._need(data, "admit_person", "Choose the applicant.")}
            case "remove_member":
                return {"person": self._need(data, "remove_person", "Choose the member.")}
            case "amend_charter":
                return {"rules": self._rules(data.get("charter_rules") or "")}
            case "fill_mandate":
                powers = [p.strip() for p in (data.get("mandate_powers") or "").split(",")]
                return {
                    "role": self._need(data, "mandate_role", "Name the role."),
                    "powers": [p for p in powers if p],
                    "term_days": data.get("mandate_term_days") or 365,
                    "holder": data.get("mandate_holder"),
                }
            case "recall_mandate":
                return {"mandate": self._need(data, "recall_mandate", "Choose the mandate.")}
            case "federation_join":
                already = {b.slug: b.name for b in self.federation.member_of}
                value = data.get("join_federation") or ""
                if value in already:
                    self.add_error("join_federation", f"This body is already in {already[value]}.")
                    return None
                return {"federation": self._pick(data, "join_federation", self.federation.join)}
            case "federation_leave":
                return {"federation": self._pick(data, "leave_federation", self.federation.leave)}
            case "federation_admit":
                fed = self.federation
                return {"body": self._pick(data, "admit_body", [*fed.asked, *fed.admit])}
            case "instruct_delegate":
                return self._instruction(data)
            case "other":
                name = self._need(data, "other_name", "Choose the action.")
                if not name:
                    return None
                params = self._json(data.get("other_params") or "{}", "other_params")
                self.actions = [{"name": name, "params": params}]
                return None
            case _:  # change_profile
                changes = {
                    "name": data.get("profile_name") or None,
                    "about": data.get("profile_about") or None,
                    "visibility": data.get("profile_visibility") or None,
                }
                return {k: v for k, v in changes.items() if v is not None}

    def _pick(self, data: dict[str, Any], field: str, offered: Sequence[Any]) -> str:
        """The posted value of a picker if the page offered it; otherwise an error on the
        field, the same for a body that does not exist and one the person may not see (so
        that a hidden body's existence does not leak)."""
        missing, what = PICKERS[field]
        value = str(self._need(data, field, missing) or "")
        if value and value not in {_key(o) for o in offered}:
            self.add_error(field, f"“{value}” is not {what}: choose one from the list.")
        return value

    def _instruction(self, data: dict[str, Any]) -> dict[str, Any] | None:
        fed = self.federation
        mandate = self._pick(data, "instruct_mandate", fed.delegates)
        key = self._pick(data, "instruct_proposal", fed.proposals)
        vote = self._need(data, "instruct_vote", "Choose how they are to vote.")
        if not (mandate and key and vote) or self.errors:
            return None
        slug, number = key.rsplit("/", 1)
        return {"mandate": int(mandate), "federation": slug, "proposal": int(number), "vote": vote}

    def _json(self, text: str, field: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            self.add_error(field, f"Not valid JSON: {e.msg} (line {e.lineno}).")
            return {}
        if not isinstance(value, dict):
            self.add_error(field, "The parameters are a JSON object: { ... }.")
            return {}
        return value

    def _rules(self, text: str) -> dict[str, Any]:
        try:
            rules = json.loads(text)
        except json.JSONDecodeError as e:
            self.add_error("charter_rules", f"Not valid JSON: {e.msg} (line {e.lineno}).")
            return {}
        if not isinstance(rules, dict):
            self.add_error("charter_rules", "The rules are a JSON object: { ... }.")
            return {}
        return rules

    def option_lines(self) -> list[str]:
        return [line for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class CommentForm(forms.Form):
    text = forms.CharField(label="Comment", max_length=10000, widget=_textarea(3))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AmendmentForm(forms.Form):
    text = forms.CharField(
        label="The text as you would amend it", max_length=50000, widget=_textarea(8)
    )
    reason = forms.CharField(label="Why", required=False, max_length=5000, widget=_textarea(2))


class StandForm(forms.Form):
    statement = forms.CharField(
        label="Your statement (optional)", required=False, max_length=5000, widget=_textarea(3)
    )


def _whole(value: str, label: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise Invalid(f"the value for {label!r} must be a whole number") from None


def ballot_content(
    method: str, options: Sequence[tuple[str, str]], data: QueryDict
) -> dict[str, Any]:
    """The ballot a posted form describes; ``options`` are (key, label) pairs. Options
    are posted by position (``o0``, ``rank_0``...) because their keys may be any text.
    Duplicate ranks are refused here: the numbered selects are the only place where they
    can arise."""
    if method in MOTION_CHOICES:
        return {"choice": data.get("choice", ""), "reason": data.get("reason", "")}
    if method == "approval":
        return {"approve": data.getlist("approve")}
    if method in ("score", "quadratic"):
        values = {
            key: _whole(data.get(f"o{i}", ""), label)
            for i, (key, label) in enumerate(options)
            if data.get(f"o{i}", "").strip()
        }
        return {"scores" if method == "score" else "votes": values}
    assert method in RANKED_METHODS
    ranks: dict[int, tuple[str, str]] = {}
    for i, (key, label) in enumerate(options):
        raw = data.get(f"rank_{i}", "").strip()
        if not raw:
            continue
        rank = _whole(raw, label)
        if not 1 <= rank <= len(options):
            raise Invalid(f"ranks run from 1 to {len(options)}")
        if rank in ranks:
            raise Invalid(f"two options have rank {rank}: {ranks[rank][1]!r} and {label!r}")
        ranks[rank] = (key, label)
    return {"ranking": [ranks[r][0] for r in sorted(ranks)]}
