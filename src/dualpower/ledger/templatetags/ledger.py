"""``{{ units|units:currency }}``: an amount in the smallest unit, written with decimals."""

from __future__ import annotations

from django import template

from dualpower.ledger.models import Currency
from dualpower.ledger.units import amount_format

register = template.Library()


@register.filter
def units(value: int | None, currency: Currency) -> str:
    return amount_format(int(value or 0), currency.decimals)
