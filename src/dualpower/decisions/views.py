"""The decision pages under ``/bodies/<slug>/proposals/``.

Each view fetches (``policy.body_for(..., "decisions.view")`` first, so a person who may
not see a body's decisions gets the same 404 as for a missing body), calls one service
and renders. DomainErrors become a message with their status: on the error page
(``web.errors.domain_errors``), or, for a ballot or a comment, above the form they came
from. htmx requests get the ``_*.html`` partial of the same page.
"""

from __future__ import annotations

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
from dualpower.bodies.models import Body
from dualpower.core.errors import Conflict, DomainError, Invalid, NotAllowed
from dualpower.federation import selectors as federation_selectors
from dualpower.web.errors import domain_errors, is_htmx
from dualpower.web.views import TABS

from . import selectors, services
from .counting import RANKED_METHODS
from .forms import AmendmentForm, CommentForm, ProposalForm, StandForm, ballot_content
from .models import Proposal

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
    rows = selectors.proposal_outcome_rows(proposals=list(page))
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
        parent = selectors.comment_parent(proposal=proposal, parent_id=form.cleaned_data["parent"])
        services.comment_add(
            proposal=proposal, author=_me(request), text=form.cleaned_data["text"], parent=parent
        )
    except DomainError as error:
        return _detail_response(request, proposal, "_comments", error)
    if is_htmx(request):
        return render(request, "decisions/_comments.html", _detail(request, proposal), status=201)
    return redirect(proposal.path + "#comments")


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
    amendment = selectors.amendment_get(proposal=proposal, pk=pk)
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
        content = ballot_content(
            proposal.decision_rule.method,
            selectors.proposal_options(proposal=proposal),
            request.POST,
        )
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
    names = selectors.proposal_blt_names(proposal=proposal)
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


# ------------------------------------------------------------------ page context


def _detail(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    """The proposal page: the body's tabs, what the person sees and may do there
    (``selectors.proposal_page``), the empty forms and the time."""
    page = selectors.proposal_page(proposal=proposal, viewer=request.user)
    forms = {
        "comment_form": CommentForm(), "amendment_form": AmendmentForm(initial={"text": proposal.text}),
        "stand_form": StandForm(), "now": timezone.now(),
    }  # fmt: skip
    return _body_context(request, proposal.body) | page | forms
