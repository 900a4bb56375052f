"""Helpers of the ledger tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

import json
from typing import Any

from dualpower.accounts.models import Person
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency, Transfer


def account(currency: Currency, person: Person) -> Account:
    return services.account_open(body=currency.body, currency=currency, person=person)


def fresh(acct: Account) -> Account:
    return Account.objects.get(pk=acct.pk)


def pay(
    currency: Currency, by: Person, to: Person, amount: int, key: str, memo: str = ""
) -> Transfer:
    """``by`` pays ``to`` from their own account (opened if need be)."""
    return services.transfer_create(
        body=currency.body, by=by, from_account=account(currency, by),
        to_account=account(currency, to), amount=amount, memo=memo, client_key=key,
    )  # fmt: skip


def record(hours: Currency, by: Person, receiver: Person, amount: int, key: str) -> Transfer:
    """``by`` records hours given to ``receiver``."""
    return services.timebank_record(
        body=hours.body, currency=hours, by=by, receiver=receiver, amount=amount, client_key=key
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    """The API's problem+json answer with this status, and a detail; its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status and body["detail"]
    return body
