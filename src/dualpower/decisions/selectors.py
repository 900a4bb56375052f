"""Reads about proposals. Callers ask ``policy`` first; these refresh deadlines on access.

``proposal_page`` reads what the proposal page shows and asks ``policy`` what the viewer
(a Person, an AnonymousUser or None, as ``policy.can`` takes them) may do there.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies.charter import DecisionRule
from dualpower.bodies.models import Body, CharterVersion, Mandate
from dualpower.core.errors import DomainError, NotFound

from . import actions
from .charts import rounds_chart
from .counting import CHOICE_METHODS, MOTION_CHOICES, RANKED_METHODS, quorum_met
from .models import Amendment, Ballot, Comment, Outcome, Participation, Proposal
from .services import ballot_refusal, is_election, proposal_refresh
from .templatetags.decisions_web import CHOICE_WORDS


@dataclass(frozen=True)
class FederationChoices:
    """What the federation builders may offer (the view gets it from the federation
    module's selector; the engine itself does not know about federations)."""

    join: Sequence[Body] = ()
    member_of: Sequence[Body] = ()
    leave: Sequence[Body] = ()
    asked: Sequence[Body] = ()
    admit: Sequence[Body] = ()
    delegates: Sequence[Mandate] = ()
    proposals: Sequence[Proposal] = ()
    federating: bool = False


def proposal_list(*, body: Body, states: list[str] | None = None) -> list[Proposal]:
    qs = Proposal.objects.filter(body=body).select_related("author").order_by("-number")
    if states:
        qs = qs.filter(state__in=states)
    return [proposal_refresh(proposal=p) for p in qs]


def proposal_get(*, body: Body, number: int) -> Proposal:
    proposal = (
        Proposal.objects.filter(body=body, number=number).select_related("author", "body").first()
    )
    if proposal is None:
        raise NotFound("no such proposal")
    return proposal_refresh(proposal=proposal)


def proposal_comments(*, proposal: Proposal) -> QuerySet[Comment]:
    return Comment.objects.filter(proposal=proposal).select_related("author")


def proposal_published_ballots(*, proposal: Proposal) -> QuerySet[Ballot]:
    """After the close: every counted ballot, by receipt code. Secret ballots carry no
    voter; open ballots name theirs."""
    if proposal.state != Proposal.State.CLOSED:
        return Ballot.objects.none()
    return Ballot.objects.filter(proposal=proposal).select_related("voter").order_by("receipt")


def proposal_outcome_rows(*, proposals: list[Proposal]) -> list[tuple[Proposal, Outcome | None]]:
    """Each proposal with its outcome, if counted: one query for the whole list."""
    outcomes = {o.proposal_id: o for o in Outcome.objects.filter(proposal__in=proposals)}
    return [(p, outcomes.get(p.pk)) for p in proposals]


def comment_parent(*, proposal: Proposal, parent_id: int | None) -> Comment | None:
    """The comment of ``proposal`` a reply answers, or None for a new thread."""
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id, proposal=proposal).first()
    if parent is None:
        raise NotFound("no such comment")
    return parent


def amendment_get(*, proposal: Proposal, pk: int) -> Amendment:
    amendment = Amendment.objects.filter(pk=pk, proposal=proposal).first()
    if amendment is None:
        raise NotFound("no such amendment")
    return amendment


def proposal_options(*, proposal: Proposal) -> list[tuple[str, str]]:
    """The options as (key, label) pairs, in the order the proposal lists them."""
    return [(str(o["key"]), str(o["label"])) for o in proposal.options]


def proposal_blt_names(*, proposal: Proposal) -> dict[str, str]:
    """Candidate names for the BLT file: the options' labels, or their keys where two
    labels are the same (two candidates of one name)."""
    labels = [str(o["label"]) for o in proposal.options]
    unique = len(set(labels)) == len(labels)
    return {str(o["key"]): str(o["label"] if unique else o["key"]) for o in proposal.options}


# ------------------------------------------------------------------ the proposal page


def proposal_page(*, proposal: Proposal, viewer: Any) -> dict[str, Any]:
    """Everything the proposal page shows, and what ``viewer`` may do there."""
    body, user = proposal.body, viewer
    rule = proposal.decision_rule
    me = user if isinstance(user, Person) else None
    state = proposal.state
    author = me is not None and me.pk == proposal.author_id
    cosigners = list(proposal.cosignatures.select_related("person"))
    candidacies = list(proposal.candidacies.select_related("person"))
    voted = me is not None and Participation.objects.filter(proposal=proposal, person=me).exists()
    open_ballots = (
        list(Ballot.objects.filter(proposal=proposal, voter__isnull=False).select_related("voter"))
        if rule.ballot == "open"
        else []
    )
    mine = next((b.content for b in open_ballots if me and b.voter_id == me.pk), None)
    refusal = ballot_refusal(proposal=proposal, voter=me) if state == "voting" else None
    may = {
        "cosign": state == "draft" and not author and policy.can(user, "cosign", body)
        and all(c.person_id != getattr(me, "pk", None) for c in cosigners),
        "open": author and state == "draft",
        "withdraw": author and state in ("draft", "deliberation"),
        "comment": state in ("deliberation", "voting") and policy.can(user, "comment", body),
        "amend": state == "deliberation" and policy.can(user, "amend", body),
        "decide": author and state == "deliberation" and rule.amendments == "author",
        "stand": state in ("draft", "deliberation") and is_election(proposal.actions)
        and policy.can(user, "stand", body)
        and all(c.person_id != getattr(me, "pk", None) for c in candidacies),
        "vote": state == "voting" and policy.can(user, "vote", body) and refusal is None,
    }  # fmt: skip
    options = proposal_options(proposal=proposal)
    labels = dict(options)
    page: dict[str, Any] = {
        "proposal": proposal, "rule": rule, "may": may, "labels": labels,
        "is_election": is_election(proposal.actions),
        "cosigners": cosigners, "candidacies": candidacies, "voted": voted,
        "open_ballots": open_ballots,
        "actions": proposal_action_descriptions(proposal=proposal, viewer=user),
        "amendments": list(proposal.amendments.select_related("author").order_by("created_at")),
        "ballot_refusal": refusal,
    }  # fmt: skip
    page.update(proposal_comment_tree(proposal=proposal))
    page.update(
        ballot_rows(method=rule.method, options=options, mine=mine, score_max=rule.score_max)
    )
    if state == Proposal.State.CLOSED:
        page.update(proposal_result(proposal=proposal, rule=rule, labels=labels))
    return page


def proposal_comment_tree(*, proposal: Proposal) -> dict[str, Any]:
    """The threads: top-level comments, the replies to each comment, and the count."""
    comments = list(proposal_comments(proposal=proposal))
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    roots = [c for c in comments if c.parent_id is None]
    return {"comments": roots, "replies": replies, "comment_count": len(comments)}


def ballot_rows(
    *, method: str, options: list[tuple[str, str]], mine: dict[str, Any] | None, score_max: int
) -> dict[str, Any]:
    """The rows of the ballot form, prefilled with the person's open ballot if any.
    A ranked ballot lists the options in the order last chosen."""
    mine = mine or {}
    values = mine.get("scores") or mine.get("votes") or {}
    ranking = list(mine.get("ranking") or [])
    approved = set(mine.get("approve") or [])
    rows = [
        {
            "i": i, "key": key, "label": label, "value": values.get(key, ""),
            "rank": ranking.index(key) + 1 if key in ranking else None,
            "approved": key in approved,
        }
        for i, (key, label) in enumerate(options)
    ]  # fmt: skip
    if method in RANKED_METHODS:
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["i"]))
    choices = [(c, CHOICE_WORDS[c]) for c in MOTION_CHOICES.get(method, ())]
    cost = sum(int(v) ** 2 for v in values.values()) if method == "quadratic" else 0
    return {
        "rows": rows,
        "choices": choices,
        "my_choice": mine.get("choice", ""),
        "my_reason": mine.get("reason", ""),
        "numbers": list(range(1, len(options) + 1)),
        "score_values": list(range(score_max + 1)),
        "cost": cost,
        "is_ranked": method in RANKED_METHODS,
        "is_choice": method in CHOICE_METHODS,
    }


def proposal_result(
    *, proposal: Proposal, rule: DecisionRule, labels: dict[str, str]
) -> dict[str, Any]:
    """The count of a closed proposal, round by round, or nothing before it is counted."""
    outcome = Outcome.objects.filter(proposal=proposal).first()
    if outcome is None:
        return {}
    rounds = list(outcome.result.get("rounds", []))
    keys: list[str] = []
    for r in rounds:
        keys.extend(k for k in r.get("counts", {}) if k not in keys)
    table = [
        (labels.get(k, CHOICE_WORDS.get(k, k)), [r.get("counts", {}).get(k) for r in rounds])
        for k in keys
    ]
    chart_labels = {k: labels.get(k, CHOICE_WORDS.get(k, k)) for k in keys}
    title = f"Count of proposal {proposal.number}, round by round"
    return {
        "outcome": outcome,
        "rounds": rounds,
        "round_table": table,
        "chart": rounds_chart(rounds, chart_labels, title=title),
        "winners": [labels.get(w, CHOICE_WORDS.get(w, w)) for w in outcome.winners()],
        "quorum_reached": quorum_met(rule, outcome.participants, outcome.members),
        "published": list(proposal_published_ballots(proposal=proposal)),
        "blt": rule.method in RANKED_METHODS,
    }


def proposal_action_descriptions(*, proposal: Proposal, viewer: Any) -> list[dict[str, Any]]:
    """Each action in words, and for a charter amendment a diff of the rules."""
    ids = [
        int(v)
        for spec in proposal.actions
        for k, v in (spec.get("params") or {}).items()
        if k in ("person", "holder") and v
    ]
    people = Person.objects.in_bulk(ids)
    described = []
    for spec in proposal.actions:
        name, params = spec["name"], spec.get("params") or {}
        item: dict[str, Any] = {
            "name": name,
            "text": _action_words(name, params, people, viewer),
        }
        if name == "amend_charter":
            item["diff"] = _charter_diff(proposal, params.get("rules") or {})
        described.append(item)
    return described


def _who(people: dict[int, Person], pk: Any) -> str:
    person = people.get(int(pk)) if pk else None
    return person.name if person else f"person {pk}"


def _action_words(name: str, params: dict[str, Any], people: dict[int, Person], viewer: Any) -> str:
    match name:
        case "resolution":
            return f"Adopt the resolution: “{params.get('text', '')}”"
        case "admit_member":
            return f"Admit {_who(people, params.get('person'))} as a member."
        case "remove_member":
            return f"Remove {_who(people, params.get('person'))} from the body."
        case "amend_charter":
            return "Adopt the amended charter shown below."
        case "fill_mandate":
            powers = ", ".join(params.get("powers") or []) or "no special powers"
            holder = params.get("holder")
            by = (
                f"held by {_who(people, holder)}"
                if holder
                else "filled by election among those who stand"
            )
            return (
                f"Create the mandate “{params.get('role')}” ({powers}; "
                f"{params.get('term_days')} days), {by}."
            )
        case "recall_mandate":
            mandate = (
                Mandate.objects.filter(pk=int(params.get("mandate") or 0))
                .select_related("holder")
                .first()
            )
            what = f"“{mandate.role}” held by {mandate.holder.name}" if mandate else "a mandate"
            return f"Recall the mandate {what}."
        case "change_profile":
            parts = []
            if params.get("name"):
                parts.append(f"rename the body to “{params['name']}”")
            if params.get("about"):
                parts.append(f"set its description to “{params['about']}”")
            if params.get("visibility"):
                parts.append(f"make it {params['visibility']}")
            text = "; ".join(parts) or "change nothing"
            return text[:1].upper() + text[1:] + "."
        case "accept_amendment":
            return f"Accept amendment {params.get('amendment')} to the proposal it amends."
        case _:
            # a module's action (federation) says what it does itself
            try:
                return actions.build({"name": name, "params": params}).describe(viewer)
            except DomainError:
                return name.replace("_", " ").capitalize()


def _charter_diff(proposal: Proposal, rules: dict[str, Any]) -> list[tuple[str, str]]:
    """A line diff of the charter in force when the proposal opened (or now, for a draft)
    and the proposed rules, each pretty-printed with sorted keys."""
    when = proposal.opened_at or timezone.now()
    version = (
        CharterVersion.objects.filter(body=proposal.body, adopted_at__lte=when)
        .order_by("-number")
        .first()
    )
    old = json.dumps(version.rules if version else {}, indent=2, sort_keys=True).splitlines()
    new = json.dumps(rules, indent=2, sort_keys=True).splitlines()
    lines = []
    for line in difflib.unified_diff(old, new, "in force", "proposed", lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line))
    return lines
