"""Overdue: the amount more than 30 days overdue and its ratio to what had fallen due, the change against
the previous quarter, and the overdue amount per warning level (from the dunning scan)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Max, Sum

from huikuan.core.money import ZERO, quantize

from ..periods import Period
from .base import EVERYTHING, NotAvailable, Scope, points, ratio
from .ledger import positions

OVER_DAYS = 30


def _over_30(period: Period, scope: Scope) -> tuple[Decimal, Decimal]:
    day = period.end
    earlier = {p.contract_id: p.due for p in positions(day - timedelta(days=OVER_DAYS + 1), scope)}
    overdue = due = ZERO
    for p in positions(day, scope):
        due += p.due
        overdue += max(ZERO, earlier.get(p.contract_id, ZERO) - p.received)
    return quantize(overdue), quantize(due)


def overdue_over_30_amount(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """At the period's end D, over live contracts: Σ max(0, due by D−31 − received by D) — what fell due
    more than 30 days before D and was still unpaid at D (receipts applied oldest-due first)."""
    return _over_30(period, scope)[0]


def overdue_over_30_ratio(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """overdue_over_30_amount ÷ Σ due by D (all plan amounts due on or before the period's end)."""
    overdue, due = _over_30(period, scope)
    return ratio(overdue, due)


def overdue_over_30_ratio_previous(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """overdue_over_30_ratio of the previous quarter."""
    return overdue_over_30_ratio(period.previous(), scope)


def overdue_over_30_ratio_change(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """overdue_over_30_ratio − overdue_over_30_ratio_previous (percentage points, as a fraction)."""
    return points(overdue_over_30_ratio(period, scope), overdue_over_30_ratio_previous(period, scope))


def overdue_by_warning_level(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal] | NotAvailable:
    """Σ OverdueSnapshot.amount per warning level (blue, yellow, red) at the last overdue scan dated in
    the period; not available when no scan ran in the period."""
    try:
        from huikuan.dunning.choices import LEVELS_IN_ORDER
        from huikuan.dunning.models import OverdueSnapshot
    except ImportError:
        return NotAvailable("the dunning app is not installed")
    snapshots = scope.apply(OverdueSnapshot.objects.all())
    last = snapshots.filter(as_of__range=(period.start, period.end)).aggregate(d=Max("as_of"))["d"]
    if last is None:
        return NotAvailable(f"no overdue scan between {period.start} and {period.end}")
    levels = {str(level): ZERO for level in LEVELS_IN_ORDER}
    for row in snapshots.filter(as_of=last).exclude(level="").values("level").annotate(s=Sum("amount")).order_by():
        levels[row["level"]] = quantize(row["s"])
    return levels
