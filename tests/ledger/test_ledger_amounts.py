"""How amounts are read (``units.amount_parse``): by the parser, the API and the pages.

A point or a comma separates the decimals ("1,5" is 1.5), never thousands: "1,500" and
"1.500" are refused as ambiguous where the currency has fewer than 3 decimals, and so is
anything but the digits 0-9, one separator and a sign (no exponent, no underscore, no other
script)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from dualpower.accounts.models import Person
from dualpower.accounts.services import api_token_create
from dualpower.core.errors import Invalid
from dualpower.ledger.models import Currency, Transfer
from dualpower.ledger.units import MAX_AMOUNT, amount_format, amount_parse

# Each refusal, with a part of what it says.
REFUSED = [
    ("1,500", "write 1500 or 1.5"),
    ("1,000", "write 1000 or 1"),
    ("1.500", "write 1500 or 1.5"),  # a point groups thousands in many countries
    ("12.000", "write 12000 or 12"),
    ("0.125", "at most 2 decimal places"),  # no first group of thousands: not ambiguous
    ("1.0000000000000000000000000001", "at most 2 decimal places"),  # (Decimal rounded it)
    ("9" * 5000, "too large"),
    ("1,500.00", "not both"),
    ("1.500,00", "not both"),
    ("1.500.000", "one decimal separator"),
    ("1,500,000", "one decimal separator"),
    ("1e3", "without an exponent"),
    ("1E-2", "without an exponent"),
    ("1_000", "without spaces or underscores"),
    ("1 500", "without spaces or underscores"),
    ("\u0663", "the digits 0-9"),  # ARABIC-INDIC DIGIT THREE
    ("\uff11\uff12", "the digits 0-9"),  # FULLWIDTH 1 and 2
    ("1.\u0665", "the digits 0-9"),
    ("nan", "not an amount"),
    ("Infinity", "not an amount"),
    ("0x10", "not an amount"),
    ("+", "not an amount"),
    ("1.5.", "one decimal separator"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_the_parser_refuses_it_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        amount_parse(text, 2)
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("1,5", 2, 150),
        ("1,50", 2, 150),
        (" 1,25 ", 2, 125),
        ("+2", 2, 200),
        (".5", 2, 50),
        (",250", 2, 25),  # no first group of thousands before it: decimals
        ("0001,5", 2, 150),
        ("1,500", 3, 1500),  # a currency with 3 decimals: a decimal comma, unambiguous
        ("1,5000", 2, 150),  # four digits after the comma: no thousands separator either
        ("12", 0, 12),
    ],
)
def test_a_decimal_comma_and_plain_digits_are_read(text: str, decimals: int, units: int) -> None:
    assert amount_parse(text, decimals) == units


def test_three_digits_after_the_comma_are_ambiguous_with_fewer_than_3_decimals() -> None:
    for decimals in (0, 1, 2):
        with pytest.raises(Invalid, match="ambiguous"):
            amount_parse("2,750", decimals)
    with pytest.raises(Invalid, match=r"write 1234$"):  # 1.234 would not fit 2 decimals
        amount_parse("1,234", 2)
    with pytest.raises(Invalid, match="more than zero"):
        amount_parse("-1,500", 2)


@given(
    units=st.integers(min_value=1, max_value=MAX_AMOUNT),
    decimals=st.integers(min_value=0, max_value=6),
)
def test_what_the_formatter_writes_parses_back_to_the_same_amount(
    units: int, decimals: int
) -> None:
    written = amount_format(units, decimals)
    assert amount_parse(written, decimals) == units
    assert amount_parse(written.replace(".", ","), decimals) == units


@given(
    text=st.from_regex(r"[0-9]{1,40}([.,][0-9]{0,40})?", fullmatch=True),
    decimals=st.integers(min_value=0, max_value=6),
)
def test_digits_are_read_exactly_or_refused(text: str, decimals: int) -> None:
    """However many digits: the exact value (never rounded), or a refusal that says why."""
    exact = Fraction(text.replace(",", ".")) * 10**decimals
    try:
        units = amount_parse(text, decimals)
    except Invalid as refused:
        reasons = ("more than zero", "decimal places", "too large", "ambiguous")
        assert any(reason in refused.message for reason in reasons)
        assert (
            exact <= 0
            or exact.denominator != 1
            or exact > MAX_AMOUNT
            or "ambiguous" in (refused.message)
        )
        return
    assert units == exact


@given(text=st.text(max_size=12))
def test_any_text_is_an_amount_or_invalid(text: str) -> None:
    try:
        units = amount_parse(text, 2)
    except Invalid:
        return
    assert 0 < units <= MAX_AMOUNT
    assert set(text.strip()) <= set("0123456789.,+")


# ------------------------------------------------------------------ through the API


def post(person: Person, path: str, body: dict[str, Any]) -> Any:
    _, token = api_token_create(person=person, label="tests")
    return Client().post(
        f"/api/v1/bodies/{path}", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"},
    )  # fmt: skip


@pytest.mark.urls("ledger_api_urls")
@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_the_api_answers_422_with_the_message(
    acorns: Currency, alice: Person, bob: Person, text: str, message: str
) -> None:
    body = {"to": bob.email, "amount": text}
    r = post(alice, f"{acorns.body.slug}/ledger/acorn/transfers", body)
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json"
    assert message in json.loads(r.content)["detail"]
    assert not Transfer.objects.exists()


@pytest.mark.urls("ledger_api_urls")
def test_the_api_reads_a_decimal_comma_and_refuses_a_thousands_one(
    hours: Currency, alice: Person, bob: Person
) -> None:
    path = f"{hours.body.slug}/ledger/h/hours"
    refused = post(alice, path, {"receiver": bob.email, "hours": "1,500"})
    assert refused.status_code == 422
    assert "write 1500 or 1.5" in json.loads(refused.content)["detail"]
    r = post(alice, path, {"receiver": bob.email, "hours": "1,5"})
    assert r.status_code == 201 and r.json()["amount"] == "1.50"


# ---------------------------------------------------------------- through the pages


def test_the_pay_page_shows_the_refusal_on_the_amount(acorns: Currency, alice: Person) -> None:
    client = Client()
    client.force_login(alice)
    data = {"to": "bob@example.org", "amount": "1,500", "client_key": "k"}
    page = client.post(f"/bodies/{acorns.body.slug}/ledger/acorn/pay/", data)
    assert page.status_code == 422
    assert "write 1500 or 1.5" in page.context["form"].errors["amount"][0]
    assert not Transfer.objects.exists()
