"""Pure worklist priority: what matters first is a lot of money, long late, from a risky customer."""

from __future__ import annotations

from decimal import Decimal

RISK_WEIGHT = {"low": Decimal("0.5"), "normal": Decimal("1"), "high": Decimal("2")}
LEVEL_WEIGHT = {"": Decimal("1"), "blue": Decimal("1"), "yellow": Decimal("1.5"), "red": Decimal("2")}


def score(amount: Decimal, days: int, risk: str = "normal", level: str = "") -> Decimal:
    """amount × days × risk weight × level weight, in whole yuan-days (0 when nothing is late)."""
    if amount <= 0 or days <= 0:
        return Decimal("0")
    return (amount * days * RISK_WEIGHT[risk] * LEVEL_WEIGHT[level]).quantize(Decimal("1"))
