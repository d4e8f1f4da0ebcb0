"""Overdue: the amount more than 30 days overdue and its ratio to what had fallen due, the change against
the previous quarter, and the overdue amount per warning level (from the dunning scan)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Max, Sum

from huikuan.core.money import ZERO, quantize

from ..periods import Period
from .base import EVERYTHING, NotAvailable, Scope, points, ratio
from .facts import Facts

DUE, OVERDUE_30 = 0, 3       # the facts' positions row: [due, collected of due, outstanding, overdue > 30 days]


def _over_30(facts: Facts) -> tuple[Decimal, Decimal]:
    rows = list(facts.values("positions"))
    return quantize(sum((r[OVERDUE_30] for r in rows), ZERO)), quantize(sum((r[DUE] for r in rows), ZERO))


def overdue_over_30_amount_of(facts: Facts) -> Decimal:
    return _over_30(facts)[0]


def overdue_over_30_amount(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """At the period's end D, over live contracts: Σ max(0, due by D−31 − received by D) — what fell due
    more than 30 days before D and was still unpaid at D (receipts applied oldest-due first); the plan lines
    due by D−31 count at what they are worth at D (a waiver or restructuring posted by D reduces them)."""
    return overdue_over_30_amount_of(Facts.live(period, scope))


def overdue_over_30_ratio_of(facts: Facts) -> Decimal | None:
    overdue, due = _over_30(facts)
    return ratio(overdue, due)


def overdue_over_30_ratio(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """overdue_over_30_amount ÷ Σ due by D (all plan amounts due on or before the period's end)."""
    return overdue_over_30_ratio_of(Facts.live(period, scope))


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
