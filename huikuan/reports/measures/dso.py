"""DSO, days sales outstanding, by the countback method.

At the period's end D: receivables = Σ over live contracts of max(0, due by D − received by D)
(receivables.balances). Billings of a month = Σ plan amounts falling due in it. Walk back month by month
from D's month: while receivables exceed the month's billings, subtract them and add the month's days
(the month of D counting only its days up to D); then add the remaining receivables ÷ that month's
billings × its days. At most 24 months back; None when nothing is owed and nothing was billed.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from huikuan.core.money import ZERO

from ..periods import Period
from .base import DAYS_PLACES, EVERYTHING, Scope
from .facts import MONTHS_BACK, Facts, month_start

OUTSTANDING = 2      # the facts' positions row: [due, collected of due, outstanding, overdue > 30 days]


def receivables_outstanding_of(facts: Facts) -> Decimal:
    return sum((row[OUTSTANDING] for row in facts.values("positions")), ZERO)


def receivables_outstanding(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ max(0, due − received) over live contracts at the period's end."""
    return receivables_outstanding_of(Facts.live(period, scope))


def dso_of(facts: Facts) -> Decimal | None:
    end = facts.period.end
    left = receivables_outstanding_of(facts)
    billings: dict[date, Decimal] = {}
    for by_month in facts.values("billings"):
        for month, amount in by_month.items():
            day = date.fromisoformat(month)
            billings[day] = billings.get(day, ZERO) + amount
    if left <= ZERO:
        return Decimal("0.00") if billings else None
    days = Decimal(0)
    for back in range(MONTHS_BACK):
        month = month_start(end, back)
        length = end.day if back == 0 else calendar.monthrange(month.year, month.month)[1]
        billed = billings.get(month, ZERO)
        if left > billed:
            left -= billed
            days += length
        else:
            days += left / billed * length
            return days.quantize(DAYS_PLACES)
    return days.quantize(DAYS_PLACES)


def dso(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Days sales outstanding at the period's end, countback method (see the module)."""
    return dso_of(Facts.live(period, scope))
