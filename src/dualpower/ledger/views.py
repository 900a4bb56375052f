"""The ledger's pages under ``/bodies/<slug>/ledger/``. Each view fetches, asks the policy
(through ``selectors.ledger_body_for``, which answers a non-member exactly like a missing
body), calls one service and renders. DomainErrors become a message page with their
status (``web.errors.domain_errors``); a refused transfer is shown on its form (422)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dualpower.accounts.models import Person
from dualpower.bodies import policy
from dualpower.core.errors import NotAllowed
from dualpower.web.errors import domain_errors

from . import selectors, services
from .charts import HEIGHT, WIDTH, month_bars
from .forms import ExternalForm, HoursForm, PayForm, new_key
from .models import Currency, Transfer
from .units import amount_format

GET_POST = require_http_methods(["GET", "POST"])


def _me(request: HttpRequest) -> Person:
    assert isinstance(request.user, Person)
    return request.user


def _ledger(request: HttpRequest, slug: str, code: str) -> tuple[Person, Currency]:
    body = selectors.ledger_body_for(request.user, slug)
    return _me(request), selectors.currency_get(body=body, code=code)


@login_required
@require_GET
@domain_errors
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    body = selectors.ledger_body_for(request.user, slug)
    rows = []
    for currency in selectors.body_currencies(body=body):
        mine = selectors.account_of(currency=currency, person=_me(request))
        rows.append((currency, mine, amount_format(mine.balance if mine else 0, currency.decimals)))
    pending = selectors.pending_for(body=body, person=_me(request))
    ctx = {"body": body, "rows": rows, "pending": pending}
    return render(request, "ledger/overview.html", ctx)


@login_required
@require_GET
@domain_errors
def currency_page(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    body = currency.body
    totals = selectors.body_totals(currency=currency)
    months = selectors.monthly_totals(currency=currency)
    ctx: dict[str, Any] = {
        "body": body,
        "currency": currency,
        "account": selectors.account_of(currency=currency, person=me),
        "totals": totals,
        "bars": month_bars(months, currency.decimals),
        "chart": {"width": WIDTH, "height": HEIGHT, "baseline": HEIGHT - 40},
        "pending": selectors.pending_for(body=body, person=me).filter(currency=currency),
        "recorded": selectors.recorded_by(currency=currency, person=me),
        "disputable": selectors.disputable_for(currency=currency, person=me),
        "may_record_external": policy.can(me, "ledger.record_external", body),
    }
    if policy.can(me, "ledger.view_all", body):
        ctx["member_accounts"] = selectors.member_accounts(currency=currency)
    return render(request, "ledger/currency.html", ctx)


def _fmt(request: HttpRequest, currency: Currency, units: int) -> str:
    return f"{amount_format(units, currency.decimals)} {currency.code}"


def _outcome(request: HttpRequest, t: Transfer, ctx: dict[str, Any]) -> HttpResponse:
    """Redirect after an applied or pending transfer; show a refusal on the form, with a
    new client key: the refused request stays refused (a retry of it answers the same),
    and what the member sends after correcting it is a new request."""
    if t.status == Transfer.Status.REFUSED:
        ctx["refusal"] = t.reason_for(request.user.pk)
        form = ctx["form"]
        form.data = form.data.copy()  # (a QueryDict is immutable)
        form.data["client_key"] = new_key()
        return render(request, "ledger/form.html", ctx, status=422)
    what = "recorded; it waits for confirmation" if t.status == "pending" else "done"
    messages.success(request, f"{_fmt(request, t.currency, t.amount)}: {what}.")
    return redirect("ledger:currency", t.body.slug, t.currency.code)


@login_required
@GET_POST
@domain_errors
def pay(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    members = selectors.payable_members(body=currency.body, exclude=me)
    form = PayForm(
        request.POST or None,
        members=members,
        decimals=currency.decimals,
        initial={"client_key": new_key()},
    )
    ctx = {"body": currency.body, "currency": currency, "form": form, "title": "Pay a member"}
    if request.method != "POST" or not form.is_valid():
        return render(request, "ledger/form.html", ctx, status=422 if form.is_bound else 200)
    to = selectors.member_by_email(body=currency.body, email=form.cleaned_data["to"])
    t = services.transfer_create(
        body=currency.body,
        by=me,
        from_account=services.account_open(body=currency.body, currency=currency, person=me),
        to_account=services.account_open(body=currency.body, currency=currency, person=to),
        amount=form.cleaned_data["amount"],
        memo=form.cleaned_data["memo"],
        client_key=form.cleaned_data["client_key"],
    )
    return _outcome(request, t, ctx)


@login_required
@GET_POST
@domain_errors
def hours(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    members = selectors.payable_members(body=currency.body, exclude=me)
    form = HoursForm(
        request.POST or None,
        members=members,
        decimals=currency.decimals,
        either_side=currency.recording == Currency.Recording.EITHER_SIDE_DISPUTES,
        initial={"client_key": new_key()},
    )
    ctx = {"body": currency.body, "currency": currency, "form": form, "title": "Record hours"}
    if request.method != "POST" or not form.is_valid():
        return render(request, "ledger/form.html", ctx, status=422 if form.is_bound else 200)
    other = selectors.member_by_email(body=currency.body, email=form.cleaned_data["receiver"])
    received = form.cleaned_data.get("direction") == "received"
    t = services.timebank_record(
        body=currency.body,
        currency=currency,
        by=me,
        receiver=None if received else other,
        giver=other if received else None,
        amount=form.cleaned_data["amount"],
        memo=form.cleaned_data["memo"],
        client_key=form.cleaned_data["client_key"],
    )
    return _outcome(request, t, ctx)


@login_required
@GET_POST
@domain_errors
def external(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    if not policy.can(me, "ledger.record_external", currency.body):
        raise NotAllowed("recording money in and out needs the power ledger.record_external")
    form = ExternalForm(
        request.POST or None, decimals=currency.decimals, initial={"client_key": new_key()}
    )
    ctx = {"body": currency.body, "currency": currency, "form": form, "title": "Money in or out"}
    if request.method != "POST" or not form.is_valid():
        return render(request, "ledger/form.html", ctx, status=422 if form.is_bound else 200)
    t = services.external_record(
        body=currency.body,
        currency=currency,
        by=me,
        direction=form.cleaned_data["direction"],
        amount=form.cleaned_data["amount"],
        memo=form.cleaned_data["memo"],
        client_key=form.cleaned_data["client_key"],
    )
    return _outcome(request, t, ctx)


@login_required
@require_POST
@domain_errors
def record_answer(request: HttpRequest, slug: str, pk: int, answer: str) -> HttpResponse:
    body = selectors.ledger_body_for(request.user, slug)
    record = selectors.transfer_get(body=body, pk=pk)
    if answer == "confirm":
        t = services.timebank_confirm(body=body, record=record, by=_me(request))
    else:
        t = services.timebank_decline(
            body=body, record=record, by=_me(request), reason=request.POST.get("reason", "")
        )
    if t.status == Transfer.Status.REFUSED:
        messages.error(request, f"Not confirmed: {t.reason}.")
    else:
        messages.success(request, f"{_fmt(request, t.currency, t.amount)}: {t.status}.")
    return redirect("ledger:currency", body.slug, t.currency.code)


@login_required
@require_POST
@domain_errors
def record_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The member who recorded hours withdraws them while they wait for confirmation."""
    body = selectors.ledger_body_for(request.user, slug)
    record = selectors.transfer_get(body=body, pk=pk)
    t = services.timebank_withdraw(body=body, record=record, by=_me(request))
    messages.success(request, f"{_fmt(request, t.currency, t.amount)}: withdrawn.")
    return redirect("ledger:currency", body.slug, t.currency.code)


@login_required
@require_POST
@domain_errors
def dispute(request: HttpRequest, slug: str, code: str, pk: int) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    record = selectors.transfer_get(body=currency.body, pk=pk, currency=currency)
    services.timebank_dispute(
        body=currency.body, record=record, by=me, reason=request.POST.get("reason", "")
    )
    messages.success(request, f"{_fmt(request, currency, record.amount)}: disputed and undone.")
    return redirect("ledger:currency", currency.body.slug, currency.code)


@login_required
@require_GET
@domain_errors
def statement(
    request: HttpRequest, slug: str, code: str, person_id: int | None = None, csv: bool = False
) -> HttpResponse:
    me, currency = _ledger(request, slug, code)
    account = selectors.statement_account_for(me, currency, person_id)
    subject = account.person
    if csv:
        response = HttpResponse(
            selectors.statement_csv(account=account), content_type="text/csv; charset=utf-8"
        )
        name = f"{currency.body.slug}-{currency.code}-{account.person_id}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    ctx = {
        "body": currency.body,
        "currency": currency,
        "account": account,
        "subject": subject,
        "balance": amount_format(account.balance, currency.decimals),
        "lines": selectors.statement(account=account),
    }
    return render(request, "ledger/statement.html", ctx)
