"""Helpers of the ledger tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

from dualpower.accounts.models import Person
from dualpower.ledger import services
from dualpower.ledger.models import Account, Currency


def account(currency: Currency, person: Person) -> Account:
    return services.account_open(body=currency.body, currency=currency, person=person)


def fresh(acct: Account) -> Account:
    return Account.objects.get(pk=acct.pk)
