"""``{{ units|units:currency }}``: an amount in the smallest unit, written with decimals;
``{{ transfer|reason_for:user }}``: its reason as that person may read it."""

from __future__ import annotations

from typing import Any

from django import template

from dualpower.ledger.models import Currency, Transfer
from dualpower.ledger.units import amount_format

register = template.Library()


@register.filter
def units(value: int | None, currency: Currency) -> str:
    return amount_format(int(value or 0), currency.decimals)


@register.filter
def reason_for(transfer: Transfer, person: Any) -> str:
    return transfer.reason_for(getattr(person, "pk", None))
