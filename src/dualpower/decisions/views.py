"""The decision pages under ``/bodies/<slug>/proposals/``.

Each view fetches (``policy.body_for(..., "decisions.view")`` first, so a person who may
not see a body's decisions gets the same 404 as for a missing body), calls one service
and renders. DomainErrors become a message with their status: on the error page
(``web.errors.domain_errors``), or, for a ballot or a comment, above the form they came
from. htmx requests get the ``_*.html`` partial of the same page.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dualpower import voting
from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.bodies import selectors as body_selectors
from dualpower.bodies.charter import DECISION_KINDS
from dualpower.bodies.models import Body, CharterVersion, Mandate
from dualpower.core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from dualpower.federation import selectors as federation_selectors
from dualpower.web.errors import domain_errors, is_htmx
from dualpower.web.views import TABS

from . import actions, selectors, services
from .charts import rounds_chart
from .counting import CHOICE_METHODS, MOTION_CHOICES, RANKED_METHODS, quorum_met
from .forms import AmendmentForm, CommentForm, ProposalForm, StandForm, ballot_content
from .models import Amendment, Ballot, Comment, Outcome, Participation, Proposal
from .templatetags.decisions_web import CHOICE_WORDS

GET_POST = require_http_methods(["GET", "POST"])
VIEW = "decisions.view"
PAGE_SIZE = 50
FILTERS: dict[str, list[str] | None] = {
    "all": None,
    "open": [Proposal.State.DRAFT, Proposal.State.DELIBERATION, Proposal.State.VOTING],
    "closed": [Proposal.State.CLOSED, Proposal.State.WITHDRAWN],
}
STV_NAMES = {"irv": "irv", "stv": "stv-scottish", "schulze": "schulze"}


def _me(request: HttpRequest) -> Person:
    assert isinstance(request.user, Person)
    return request.user


def _proposal(request: HttpRequest, slug: str, number: int) -> Proposal:
    body = policy.body_for(request.user, slug, VIEW)
    proposal = selectors.proposal_get(body=body, number=number)
    proposal.body = body  # the same object policy has warmed its caches on
    return proposal


def _body_context(request: HttpRequest, body: Body) -> dict[str, Any]:
    """What ``web/body/base.html`` needs: the body's tabs, with Proposals current."""
    tabs = [
        (t, label, reverse("web:body" if t == "about" else f"web:body_{t}", args=[body.slug]))
        for t, label, power in TABS
        if policy.can(request.user, power, body)
    ]
    status = policy.membership_status(request.user, body)
    return {"body": body, "tab": "proposals", "tabs": tabs, "status": status}


@require_GET
@domain_errors
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug, VIEW)
    show = request.GET.get("show", "all") if request.GET.get("show") in FILTERS else "all"
    page = Paginator(selectors.proposal_list(body=body, states=FILTERS[show]), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    outcomes = {o.proposal_id: o for o in Outcome.objects.filter(proposal__in=list(page))}
    rows = [(p, outcomes.get(p.pk)) for p in page]
    may_propose = any(policy.may_propose(request.user, body, k) for k in DECISION_KINDS)
    context = _body_context(request, body) | {
        "page": page, "rows": rows, "show": show, "may_propose": may_propose,
        "filters": [("all", "All"), ("open", "Open"), ("closed", "Closed")],
    }  # fmt: skip
    return render(request, "decisions/list.html", context)


@GET_POST
@login_required
@domain_errors
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    body = policy.body_for(request.user, slug, VIEW)
    if not any(policy.may_propose(request.user, body, k) for k in DECISION_KINDS):
        raise NotAllowed("only members may write proposals here")
    form = _proposal_form(request, body)
    status = 422 if form.is_bound else 200
    if form.is_valid():
        try:
            proposal = services.proposal_create(
                body=body, author=_me(request), title=form.cleaned_data["title"],
                text=form.cleaned_data["text"], decision_kind=form.cleaned_data["decision_kind"],
                actions=form.actions, options=form.option_lines(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(request, "Your draft is written. Gather co-signers, then open it.")
            return redirect(proposal.path)
    context = _body_context(request, body) | {"form": form}
    return render(request, "decisions/new.html", context, status=status)


def _proposal_form(request: HttpRequest, body: Body) -> ProposalForm:
    # The person pickers list members and applicants: only for those who may see the
    # member list (in a union, its secretary), never a way around the charter.
    listed = policy.can(request.user, "members.view", body)
    return ProposalForm(
        request.POST if request.method == "POST" else None,
        body=body,
        members=[m.person for m in body_selectors.body_members(body=body)] if listed else [],
        applicants=[m.person for m in body_selectors.body_applicants(body=body)] if listed else [],
        mandates=list(body_selectors.body_mandates(body=body)),
        federation=federation_selectors.builder_choices(body=body, viewer=request.user),
    )


@require_GET
@domain_errors
def proposal_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    return render(request, "decisions/detail.html", _detail(request, proposal))


@require_GET
@domain_errors
def proposal_result(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    if proposal.state != Proposal.State.CLOSED:
        raise Conflict("the result is known when voting closes")
    return render(request, "decisions/result.html", _detail(request, proposal))


@require_POST
@login_required
@domain_errors
def proposal_cosign(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    services.proposal_cosign(proposal=proposal, person=_me(request))
    messages.success(request, "You co-signed this proposal.")
    return redirect(proposal.path)


@require_POST
@login_required
@domain_errors
def proposal_open(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = services.proposal_open(proposal=_proposal(request, slug, number), by=_me(request))
    word = "Voting is open" if proposal.state == Proposal.State.VOTING else "Deliberation is open"
    messages.success(request, f"{word}. The members are told.")
    return redirect(proposal.path)


@require_POST
@login_required
@domain_errors
def proposal_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    services.proposal_withdraw(proposal=proposal, by=_me(request))
    messages.success(request, "You withdrew the proposal.")
    return redirect(proposal.path)


@require_POST
@login_required
@domain_errors
def candidacy_stand(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    form = StandForm(request.POST)
    if not form.is_valid():
        raise Invalid("a statement has at most 5,000 characters")
    statement = form.cleaned_data["statement"]
    services.candidacy_stand(proposal=proposal, person=_me(request), statement=statement)
    messages.success(request, "You stand as a candidate.")
    return redirect(proposal.path)


@require_POST
@login_required
@domain_errors
def comment_post(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid("a comment needs 1 to 10,000 characters")
        parent = _comment_parent(proposal, form.cleaned_data["parent"])
        services.comment_add(
            proposal=proposal, author=_me(request), text=form.cleaned_data["text"], parent=parent
        )
    except DomainError as error:
        return _detail_response(request, proposal, "_comments", error)
    if is_htmx(request):
        return render(request, "decisions/_comments.html", _detail(request, proposal), status=201)
    return redirect(proposal.path + "#comments")


def _comment_parent(proposal: Proposal, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id, proposal=proposal).first()
    if parent is None:
        raise NotFound("no such comment")
    return parent


@require_POST
@login_required
@domain_errors
def amendment_post(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        raise Invalid("an amendment needs the amended text")
    services.amendment_propose(proposal=proposal, author=_me(request), **form.cleaned_data)
    messages.success(request, "Your amendment is proposed.")
    return redirect(proposal.path + "#amendments")


@require_POST
@login_required
@domain_errors
def amendment_decide(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    amendment = Amendment.objects.filter(pk=pk, proposal=proposal).first()
    if amendment is None:
        raise NotFound("no such amendment")
    accept = request.POST.get("decision") == "accept"
    services.amendment_decide(amendment=amendment, by=_me(request), accept=accept)
    messages.success(
        request, "The amendment is accepted." if accept else "The amendment is rejected."
    )
    return redirect(proposal.path + "#amendments")


@require_POST
@login_required
@domain_errors
def ballot_post(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    proposal = _proposal(request, slug, number)
    try:
        content = ballot_content(proposal.decision_rule.method, _options(proposal), request.POST)
        receipt = services.ballot_cast(
            proposal=proposal, voter=_me(request), content=content,
            receipt=request.POST.get("receipt") or None,
        )  # fmt: skip
    except DomainError as error:
        return _detail_response(request, proposal, "_ballot", error)
    proposal.refresh_from_db()
    if proposal.state == Proposal.State.CLOSED:  # everyone has voted: it closed early
        messages.success(request, f"Your ballot is counted (receipt {receipt}). Voting closed.")
        target = proposal.path + "result/"
        return HttpResponseClientRedirect(target) if is_htmx(request) else redirect(target)
    if is_htmx(request):
        context = _detail(request, proposal) | {"receipt": receipt}
        return render(request, "decisions/_ballot.html", context, status=201)
    messages.success(request, f"Your ballot is counted. Your receipt code: {receipt}")
    return redirect(proposal.path + "#ballot")


def _detail_response(
    request: HttpRequest, proposal: Proposal, part: str, error: DomainError
) -> HttpResponse:
    """The page (or, for htmx, the part) with the error above the form it came from."""
    context = _detail(request, proposal) | {f"{part[1:]}_error": error}
    template = f"decisions/{part}.html" if is_htmx(request) else "decisions/detail.html"
    return render(request, template, context, status=error.status)


@require_GET
@domain_errors
def ballots_blt(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The published ballots of a closed ranked vote as a BLT file that ``dualpower
    tally`` recounts."""
    proposal = _proposal(request, slug, number)
    rule = proposal.decision_rule
    if rule.method not in RANKED_METHODS or proposal.state != Proposal.State.CLOSED:
        raise Conflict("ranked ballots are published as BLT once voting has closed")
    names = _blt_names(proposal)
    rankings = [
        [names[k] for k in b.content["ranking"]]
        for b in selectors.proposal_published_ballots(proposal=proposal)
        if b.content.get("ranking")
    ]
    if not rankings:
        raise Conflict("no ranked ballots were cast")
    profile = voting.Profile.from_rankings(rankings, candidates=[names[k] for k in names])
    seats = min(rule.seats, len(names))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ballots.blt")
        voting.write_blt(path, profile, seats=seats, title=proposal.title)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"{proposal.body.slug}-proposal-{proposal.number}.blt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _blt_names(proposal: Proposal) -> dict[str, str]:
    """Candidate names for the BLT file: the options' labels, or their keys where two
    labels are the same (two candidates of one name)."""
    labels = [str(o["label"]) for o in proposal.options]
    unique = len(set(labels)) == len(labels)
    return {str(o["key"]): str(o["label"] if unique else o["key"]) for o in proposal.options}


def _options(proposal: Proposal) -> list[tuple[str, str]]:
    return [(str(o["key"]), str(o["label"])) for o in proposal.options]


# ------------------------------------------------------------------ page context


def _detail(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    """Everything the proposal page shows, and what the person may do there."""
    body, user = proposal.body, request.user
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
    refusal = services.ballot_refusal(proposal=proposal, voter=me) if state == "voting" else None
    may = {
        "cosign": state == "draft" and not author and policy.can(user, "cosign", body)
        and all(c.person_id != getattr(me, "pk", None) for c in cosigners),
        "open": author and state == "draft",
        "withdraw": author and state in ("draft", "deliberation"),
        "comment": state in ("deliberation", "voting") and policy.can(user, "comment", body),
        "amend": state == "deliberation" and policy.can(user, "amend", body),
        "decide": author and state == "deliberation" and rule.amendments == "author",
        "stand": state in ("draft", "deliberation") and services.is_election(proposal.actions)
        and policy.can(user, "stand", body)
        and all(c.person_id != getattr(me, "pk", None) for c in candidacies),
        "vote": state == "voting" and policy.can(user, "vote", body) and refusal is None,
    }  # fmt: skip
    labels = dict(_options(proposal))
    context = _body_context(request, body) | {
        "proposal": proposal, "rule": rule, "may": may, "labels": labels,
        "is_election": services.is_election(proposal.actions),
        "cosigners": cosigners, "candidacies": candidacies, "voted": voted,
        "open_ballots": open_ballots, "actions": _describe_actions(proposal, user),
        "amendments": list(proposal.amendments.select_related("author").order_by("created_at")),
        "comment_form": CommentForm(), "amendment_form": AmendmentForm(initial={"text": proposal.text}),
        "stand_form": StandForm(),
        "ballot_refusal": refusal,
        "now": timezone.now(),
    }  # fmt: skip
    context.update(_comment_tree(proposal))
    context.update(_ballot_rows(rule.method, _options(proposal), mine, rule.score_max))
    if state == Proposal.State.CLOSED:
        context.update(_result(proposal, rule, labels))
    return context


def _comment_tree(proposal: Proposal) -> dict[str, Any]:
    comments = list(selectors.proposal_comments(proposal=proposal))
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    roots = [c for c in comments if c.parent_id is None]
    return {"comments": roots, "replies": replies, "comment_count": len(comments)}


def _ballot_rows(
    method: str, options: list[tuple[str, str]], mine: dict[str, Any] | None, score_max: int
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


def _result(proposal: Proposal, rule: Any, labels: dict[str, str]) -> dict[str, Any]:
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
        "published": list(selectors.proposal_published_ballots(proposal=proposal)),
        "blt": rule.method in RANKED_METHODS,
    }


def _describe_actions(proposal: Proposal, viewer: Any) -> list[dict[str, Any]]:
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
