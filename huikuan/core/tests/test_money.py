"""Amounts as people and banks write them: read exactly to the cent, or refused with the reason — never misread."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huikuan.core.money import MoneyError, money_from_spreadsheet, parse_money_text, to_money


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234.50", "1234.50"),
    ("1,234,567", "1234567.00"),
    ("¥1 234.5", "1234.50"),
    ("￥-3.00", "-3.00"),
    ("RMB 1,000", "1000.00"),
    ("2,000元", "2000.00"),
    ("(300.00)", "-300.00"),
    ("300.00-", "-300.00"),
    ("+12", "12.00"),
    ("\u22123.00", "-3.00"),  # the minus sign of typeset text
    ("１，２００．００", "1200.00"),  # full-width digits and comma
    ("1234.5000", "1234.50"),  # more places, but whole cents
    (".5", "0.50"),
    ("5.", "5.00"),
])
def test_amounts_written_the_usual_ways_are_read_exactly(text, expected):
    assert parse_money_text(text) == Decimal(expected)
    assert to_money(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "why"), [
    ("12,50", "decimal comma"),  # not 1250
    ("1.200.000,00", "decimal comma"),
    ("1,2345.00", "groups of three digits"),  # not 12345
    ("1,200,00", "groups of three digits"),  # a decimal point read as a comma: not 120000
    ("1234.567", "more than two decimal places"),  # not 1234.57
    ("1.2E+06", "scientific notation"),  # a spreadsheet already dropped the digits
    ("abc", ""),
    ("NaN", ""),
    ("Infinity", ""),
    ("-", ""),
    ("", ""),
    ("-(3)", ""),
])
def test_what_would_be_misread_is_refused_with_the_reason(text, why):
    with pytest.raises(MoneyError) as caught:
        parse_money_text(text)
    assert str(caught.value).startswith(f"{text!r} is not an amount")
    assert why in str(caught.value)


def test_to_money_refuses_floats_and_non_finite_decimals_and_rounds_decimals_half_up():
    with pytest.raises(MoneyError, match="never floats"):
        to_money(1.5)
    with pytest.raises(MoneyError):
        to_money(Decimal("NaN"))
    assert to_money(Decimal("0.125")) == Decimal("0.13")  # computed values: half-up, as invoices round
    assert to_money(7) == Decimal("7.00")


def test_a_spreadsheet_number_is_the_amount_it_displays():
    assert money_from_spreadsheet(1234.56) == Decimal("1234.56")
    assert money_from_spreadsheet(1234.5600000000002) == Decimal("1234.56")  # binary noise of a stored sum
    assert money_from_spreadsheet(0.1 + 0.2) == Decimal("0.30")
    assert money_from_spreadsheet(-3.1) == Decimal("-3.10")
    with pytest.raises(MoneyError, match="more than two decimal places"):
        money_from_spreadsheet(1234.567)
    with pytest.raises(MoneyError):
        money_from_spreadsheet(float("nan"))
