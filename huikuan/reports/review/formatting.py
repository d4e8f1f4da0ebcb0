"""How the review prints numbers: money in 万元 with two places, ratios as percentages, days."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NONE = "—"
WAN = Decimal(10000)


def dec(value: str | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def wan(value: str | Decimal | None) -> str:
    """"123456789.00" → "12,345.68 万元"."""
    amount = dec(value)
    if amount is None:
        return NONE
    return f"{(amount / WAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} 万元"


def wan_number(value: str | Decimal | None) -> Decimal | None:
    amount = dec(value)
    return None if amount is None else (amount / WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pct(value: str | Decimal | None, places: int = 1) -> str:
    """"0.1234" → "12.3%"."""
    ratio = dec(value)
    if ratio is None:
        return NONE
    return f"{(ratio * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def pct_number(value: str | Decimal | None) -> Decimal | None:
    ratio = dec(value)
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def points(value: str | Decimal | None) -> str:
    """A change of a ratio, in percentage points: "-0.0211" → "下降 2.11 个百分点"."""
    change = dec(value)
    if change is None:
        return NONE
    size = abs(change * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{'上升' if change > 0 else '下降' if change < 0 else '持平'} {size} 个百分点"


def growth(value: str | Decimal | None) -> str:
    change = dec(value)
    if change is None:
        return NONE
    return f"{'增长' if change >= 0 else '下降'} {pct(abs(change))}"


def days(value: str | Decimal | None) -> str:
    number = dec(value)
    return NONE if number is None else f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} 天"
