"""Money: Decimal yuan with two places, rounded half-up, in one place.

Never a float: `to_money` refuses floats so that one slipping in fails loudly instead of
rounding silently.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def quantize(value: Decimal) -> Decimal:
    """Round to the cent, half-up (the rounding Chinese invoices and banks use)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: object) -> Decimal:
    """Parse an amount: Decimal, int or a string such as "1,234.50", "¥1 234.5", "￥-3.00".

    Floats are refused. Empty strings, "-" and "--" are refused too; callers that allow an
    empty amount check for it first with `is_blank_amount`.
    """
    if isinstance(value, float):
        raise MoneyError("amounts are never floats; pass a Decimal or a string")
    if isinstance(value, Decimal):
        return quantize(value)
    if isinstance(value, int):
        return quantize(Decimal(value))
    if not isinstance(value, str):
        raise MoneyError(f"not an amount: {value!r}")
    text = value.strip().replace("\u3000", "")
    for sign in ("¥", "￥", "CNY", "RMB", "元", ",", "，", " ", "\t"):
        text = text.replace(sign, "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if not text or text in {"-", "--", "—"}:
        raise MoneyError(f"not an amount: {value!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return quantize(amount)


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
