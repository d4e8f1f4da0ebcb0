"""Sales against targets: signed amount and units, completion by project, region and product line,
each product line's share of the signed amount, and sell-through (去化率)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.org.models import SalesTarget, Unit

from ..periods import Period
from .base import EVERYTHING, Scope, live_contracts, ratio


def _signed_rows(period: Period, scope: Scope) -> list[dict]:
    return list(live_contracts(scope).filter(sign_date__range=(period.start, period.end))
                .values("project__code", "project__region__code", "project__product_line")
                .annotate(amount=Sum("price"), units=Count("pk")).order_by())


def _target_rows(period: Period, scope: Scope) -> list[dict]:
    return list(scope.apply(SalesTarget.objects.filter(year=period.year, quarter=period.quarter))
                .values("project__code", "project__region__code", "project__product_line",
                        "amount_signed", "units", "amount_collected"))


def signed_amount(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ price of live contracts (status signed) whose sign date is in the period."""
    return quantize(sum((r["amount"] for r in _signed_rows(period, scope)), ZERO))


def signed_units(period: Period, scope: Scope = EVERYTHING) -> int:
    """Number of live contracts signed in the period."""
    return sum(r["units"] for r in _signed_rows(period, scope))


def _completion(period: Period, scope: Scope, group: str, field: str, signed_field: str) -> dict[str, Decimal | None]:
    signed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    target: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in _signed_rows(period, scope):
        signed[row[group]] += Decimal(row[signed_field])
    for row in _target_rows(period, scope):
        target[row[group]] += Decimal(row[field])
    return {key: ratio(signed[key], target[key]) for key in sorted(set(signed) | set(target))}


def target_completion(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): signed amount in the period ÷ the quarter's SalesTarget.amount_signed
    (None where the project has no target)."""
    return _completion(period, scope, "project__code", "amount_signed", "amount")


def target_completion_total(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Σ signed amount in the period ÷ Σ SalesTarget.amount_signed of the quarter, over the scope."""
    target = sum((r["amount_signed"] for r in _target_rows(period, scope)), ZERO)
    return ratio(signed_amount(period, scope), target)


def target_completion_by_region(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per region (code): Σ signed amount ÷ Σ target amount of its projects."""
    return _completion(period, scope, "project__region__code", "amount_signed", "amount")


def target_completion_by_product_line(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per product line: Σ signed amount ÷ Σ target amount of its projects."""
    return _completion(period, scope, "project__product_line", "amount_signed", "amount")


def target_units_completion(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): units signed in the period ÷ SalesTarget.units."""
    return _completion(period, scope, "project__code", "units", "units")


def signed_share_by_product_line(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per product line: its signed amount in the period ÷ the whole signed amount."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in _signed_rows(period, scope):
        amounts[row["project__product_line"]] += row["amount"]
    whole = sum(amounts.values(), ZERO)
    return {line: ratio(amount, whole) for line, amount in sorted(amounts.items())}


def sell_through(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): units with a live contract signed on or before the period's end ÷ all its units."""
    units = dict(scope.apply(Unit.objects.all(), "building__project").values("building__project__code")
                 .annotate(n=Count("pk")).order_by().values_list("building__project__code", "n"))
    sold = dict(live_contracts(scope).filter(sign_date__lte=period.end).values("project__code")
                .annotate(n=Count("unit", distinct=True)).order_by().values_list("project__code", "n"))
    return {code: ratio(sold.get(code, 0), n) for code, n in sorted(units.items())}


def targets_of(period: Period, scope: Scope = EVERYTHING) -> dict[str, dict[str, Decimal | int]]:
    """The quarter's targets per project (code): amount to sign, units, amount to collect."""
    return {r["project__code"]: {"amount_signed": quantize(r["amount_signed"]), "units": r["units"],
                                 "amount_collected": quantize(r["amount_collected"])}
            for r in sorted(_target_rows(period, scope), key=lambda r: r["project__code"])}
