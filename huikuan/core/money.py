"""Money: Decimal yuan with two places, rounded half-up, in one place.

Never a float: `to_money` refuses floats so that one slipping in fails loudly instead of
rounding silently.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def quantize(value: Decimal) -> Decimal:
    """Round to the cent, half-up (the rounding Chinese invoices and banks use)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: object) -> Decimal:
    """Parse an amount: Decimal, int or a string such as "1,234.50", "¥1 234.5", "￥-3.00" (see `parse_money_text`).

    Floats are refused. Empty strings, "-" and "--" are refused too; callers that allow an
    empty amount check for it first with `is_blank_amount`.
    """
    if isinstance(value, float):
        raise MoneyError("amounts are never floats; pass a Decimal or a string")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{value!r} is not an amount")
        return quantize(value)
    if isinstance(value, int):
        return quantize(Decimal(value))
    if not isinstance(value, str):
        raise MoneyError(f"{value!r} is not an amount")
    return parse_money_text(value)


_CURRENCY = re.compile(r"¥|元|人民币|cny|rmb", re.IGNORECASE)  # after NFKC: ￥ is ¥
_PADDING = re.compile(r"[\s_]+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)  # 1,234,567.89
_COMMON = re.compile(r"[¥￥]?([-+]?)[¥￥]?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?)", re.ASCII)
_DECIMAL_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+,\d{1,2}|\d+,\d{1,2}", re.ASCII)  # 1.234.567,89 / 12,50
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+", re.ASCII)
_SCIENTIFIC = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+", re.ASCII | re.IGNORECASE)


def parse_money_text(text: str) -> Decimal:
    """The amount a person or a bank wrote: "1,234.50", "¥1 234.5", "￥-3.00", "(300.00)" and "300.00-" (negative),
    full-width digits and signs, CNY/RMB/元. Exact to the cent, or MoneyError saying what is wrong — never a
    silent misreading: a comma must separate groups of three digits ("12,50" is not 1250), a third decimal
    place is refused ("1234.567" is not 1234.57), and so is scientific notation ("1.2E+06": a spreadsheet
    that wrote it has already dropped digits)."""
    common = _COMMON.fullmatch(text)
    if common:  # "¥1,234.56", "-1,234.5": read at once
        amount = Decimal(common[2].replace(",", ""))
        return quantize(-amount if common[1] == "-" else amount)
    t = _PADDING.sub("", _CURRENCY.sub("", unicodedata.normalize("NFKC", text).replace("\u2212", "-")))
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    if len(t) > 1 and t.endswith("-"):
        negative, t = True, t[:-1]
    if t[:1] in ("+", "-"):
        negative, t = negative != (t[0] == "-"), t[1:]
    if "," in t:
        if _DECIMAL_COMMA.fullmatch(t):
            raise MoneyError(f"{text!r} is not an amount: it is written with a decimal comma (1.234,50); "
                             "amounts are read as 1,234.50")
        if not _GROUPED.fullmatch(t):
            raise MoneyError(f"{text!r} is not an amount: a comma must separate groups of three digits (1,234.50)")
        t = t.replace(",", "")
    if not _NUMBER.fullmatch(t):
        if _SCIENTIFIC.fullmatch(t):
            raise MoneyError(f"{text!r} is not an amount: scientific notation has lost digits; "
                             "export the column as a number with two decimals or as text")
        raise MoneyError(f"{text!r} is not an amount")
    try:
        amount = Decimal(t)
    except InvalidOperation:  # pragma: no cover - _NUMBER admits only what Decimal reads
        raise MoneyError(f"{text!r} is not an amount")
    if amount != amount.quantize(CENT):
        raise MoneyError(f"{text!r} is not an amount: it has more than two decimal places")
    return quantize(-amount if negative else amount)


def money_from_spreadsheet(number: float) -> Decimal:
    """A spreadsheet's number cell as the amount it displays: its shortest decimal form, never float arithmetic.
    A binary fraction's noise far below a cent (1234.5600000000002, what a spreadsheet's own sum can store) is
    dropped; a real third decimal place is refused, as in `parse_money_text`."""
    if not math.isfinite(number):
        raise MoneyError(f"{number!r} is not an amount")
    exact = Decimal(repr(number))
    cents = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    if exact != cents and abs(exact - cents) > _FLOAT_NOISE * max(Decimal(1), abs(cents)):
        raise MoneyError(f"{number!r} is not an amount: it has more than two decimal places")
    return cents


_FLOAT_NOISE = Decimal("1e-9")  # relative: a double carries ≈ 16 significant digits


def is_blank_amount(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in {"", "-", "--", "—"})


def money_str(value: Decimal) -> str:
    """The decimal string reports and the API print: always two places, no exponent."""
    return f"{quantize(value):.2f}"


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split `total` into `parts` cent amounts that add up exactly; the last takes the remainder."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    share = (total / parts).quantize(CENT, rounding="ROUND_DOWN")
    shares = [share] * (parts - 1)
    shares.append(total - share * (parts - 1))
    return shares
