"""DSO, days sales outstanding, by the countback method.

At the period's end D: receivables = Σ over live contracts of max(0, due by D − received by D)
(receivables.balances). Billings of a month = Σ plan amounts falling due in it. Walk back month by month
from D's month: while receivables exceed the month's billings, subtract them and add the month's days
(the month of D counting only its days up to D); then add the remaining receivables ÷ that month's
billings × its days. At most 24 months back; None when nothing is owed and nothing was billed.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from huikuan.core.money import ZERO
from huikuan.receivables.choices import PLAN_KINDS
from huikuan.receivables.models import Receivable

from ..periods import Period
from .base import DAYS_PLACES, EVERYTHING, Scope, live_contracts
from .ledger import positions

MONTHS_BACK = 24


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def receivables_outstanding(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ max(0, due − received) over live contracts at the period's end."""
    return sum((max(ZERO, p.due - p.received) for p in positions(period.end, scope)), ZERO)


def dso(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Days sales outstanding at the period's end, countback method (see the module)."""
    end = period.end
    left = receivables_outstanding(period, scope)
    oldest = _month_start(end, MONTHS_BACK - 1)
    billings: dict[date, Decimal] = defaultdict(lambda: ZERO)
    rows = (Receivable.objects.filter(contract__in=live_contracts(scope), kind__in=list(PLAN_KINDS),
                                      due_date__range=(oldest, end))
            .annotate(month=TruncMonth("due_date")).values("month").annotate(s=Sum("amount")).order_by())
    for row in rows:
        month = row["month"]
        billings[date(month.year, month.month, 1)] += row["s"]
    if left <= ZERO:
        return Decimal("0.00") if billings else None
    days = Decimal(0)
    for back in range(MONTHS_BACK):
        month = _month_start(end, back)
        length = end.day if back == 0 else calendar.monthrange(month.year, month.month)[1]
        billed = billings.get(month, ZERO)
        if left > billed:
            left -= billed
            days += length
        else:
            days += left / billed * length
            return days.quantize(DAYS_PLACES)
    return days.quantize(DAYS_PLACES)
