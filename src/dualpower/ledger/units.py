"""Amounts as integers in a currency's smallest unit, read from and written as text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from dualpower.core.errors import Invalid

MAX_AMOUNT = 10**15  # far above any real ledger, far below BIGINT's range


def amount_parse(text: str, decimals: int) -> int:
    """``"1.25"`` with 2 decimals is 125. Raises Invalid for anything else than a
    positive number with at most ``decimals`` decimal places."""
    cleaned = text.strip().replace(",", ".") if isinstance(text, str) else ""
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Invalid(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise Invalid(f"not an amount: {text!r}")
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise Invalid(f"at most {decimals} decimal places, please")
    units = int(scaled)
    if units <= 0:
        raise Invalid("the amount must be more than zero")
    if units > MAX_AMOUNT:
        raise Invalid("the amount is too large")
    return units


def amount_format(units: int, decimals: int) -> str:
    """``125`` with 2 decimals is ``"1.25"``; ``-5`` is ``"-0.05"``."""
    if decimals == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"
