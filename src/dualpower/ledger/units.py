"""Amounts as integers in a currency's smallest unit, read from and written as text."""

from __future__ import annotations

import re

from dualpower.core.errors import Invalid

MAX_AMOUNT = 10**15  # far above any real ledger, far below BIGINT's range

# ASCII digits with at most one decimal separator (a point or a comma) and an optional
# sign: what a person types. Not Decimal's own grammar, which also takes "1e3", "1_000",
# "NaN" and the digits of every script (so "٣" was 3).
_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_EXPONENT = re.compile(r"[0-9.,][eE][+-]?[0-9]")
_GROUP = re.compile(r"[1-9][0-9]{0,2}")  # what could be the first group of thousands


def amount_parse(text: str, decimals: int) -> int:
    """``"1.25"`` (or ``"1,25"``) with 2 decimals is 125. Raises Invalid, with a message
    for the person who typed it, for anything else than a positive number with at most
    ``decimals`` decimal places written in the digits 0-9 with at most one separator.

    Neither separator groups thousands, but where the currency has fewer than 3 decimals,
    1 to 3 digits, a separator and exactly 3 digits ("1,500", "12.000") could mean either,
    so it is refused rather than read as 1.5 or 12. Read exactly, in integers (Decimal
    would round past 28 digits)."""
    cleaned = text.strip() if isinstance(text, str) else ""
    _check_shape(text, cleaned)
    whole, separator, frac = cleaned.lstrip("+-").replace(",", ".").partition(".")
    whole = whole.lstrip("0")
    kept = frac.rstrip("0")
    if cleaned.startswith("-") or not (whole or kept):
        raise Invalid("the amount must be more than zero")
    if separator and len(frac) == 3 and decimals < 3 and _GROUP.fullmatch(whole):
        raise Invalid(_ambiguous(text, whole, frac, decimals))
    if len(kept) > decimals:
        raise Invalid(f"at most {decimals} decimal places, please")
    if len(whole) > len(str(MAX_AMOUNT)):  # (before int(): huge texts stay cheap)
        raise Invalid("the amount is too large")
    scale: int = 10**decimals
    units = int(whole or "0") * scale + int(kept.ljust(decimals, "0") or "0")
    if units > MAX_AMOUNT:
        raise Invalid("the amount is too large")
    return units


def _check_shape(text: str, cleaned: str) -> None:
    """Raise Invalid unless ``cleaned`` is digits 0-9, one separator and a sign; the
    message says what is wrong where a person could not guess it."""
    if _AMOUNT.fullmatch(cleaned) is None:
        if "," in cleaned and "." in cleaned:
            why = "use a point or a comma for the decimals, not both, and no thousands separator"
        elif cleaned.count(",") + cleaned.count(".") > 1:
            why = "use one decimal separator and no thousands separator"
        elif "_" in cleaned or any(c.isspace() for c in cleaned):
            why = "write the digits without spaces or underscores between them"
        elif _EXPONENT.search(cleaned):
            why = "write the amount in plain digits, without an exponent"
        elif any(c.isdigit() and not c.isascii() for c in cleaned):
            why = "write the amount with the digits 0-9"
        else:
            why = ""
        raise Invalid(f"not an amount: {text!r}" + (f" ({why})" if why else ""))


def _ambiguous(text: str, whole: str, frac: str, decimals: int) -> str:
    """What to say of ``whole,frac`` (three digits after the separator): the two
    readings, the second only if the currency has the decimals for it."""
    readings = [(whole + frac).lstrip("0") or "0"]
    if len(frac.rstrip("0")) <= decimals:
        point = frac.rstrip("0")
        readings.append((whole.lstrip("0") or "0") + (f".{point}" if point else ""))
    return (
        f"{text!r} is ambiguous (a thousands separator or decimals?): write {' or '.join(readings)}"
    )


def amount_format(units: int, decimals: int) -> str:
    """``125`` with 2 decimals is ``"1.25"``; ``-5`` is ``"-0.05"``."""
    if decimals == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"
