"""Deadlines and stage timers. Pure: dates, numbers and a `BusinessCalendar` in, dates and numbers out.

* Expected disbursement: counted in calendar days from the contract's sign date (defaults 30 days
  for a commercial mortgage, 60 for a provident-fund loan; a project may set its own), and rolled
  forward to the next business day when it falls on a weekend or holiday (顺延).
* Stage SLA: business days after the day the application entered the stage — public holidays do
  not count, make-up working days (调休) do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from huikuan.core.calendar import BusinessCalendar

from .choices import LoanKind, Stage

DEFAULT_DISBURSEMENT_DAYS: dict[str, int] = {LoanKind.COMMERCIAL: 30, LoanKind.PROVIDENT: 60}

# Business days a stage may take when the bank's agreement names no SLA for it.
DEFAULT_STAGE_SLA: dict[str, int] = {
    Stage.DOCUMENTS: 10,
    Stage.SUBMITTED: 3,
    Stage.INTERVIEW: 3,
    Stage.APPRAISAL: 5,
    Stage.APPROVAL: 10,
    Stage.APPROVED: 5,
    Stage.REJECTED: 3,
    Stage.LOAN_CONTRACT: 10,
    Stage.DISBURSED: 30,
    Stage.REGISTERED: 5,
}

ONE_PLACE = Decimal("0.1")


def disbursement_deadline(sign_date: date, loan_kind: str, calendar: BusinessCalendar,
                          days: Mapping[str, int | None] | None = None) -> date:
    """The day the bank's money is expected: sign date + the loan kind's days, rolled to a business day."""
    chosen = (days or {}).get(loan_kind)
    count = chosen if chosen is not None else DEFAULT_DISBURSEMENT_DAYS[loan_kind]
    return calendar.roll_forward(sign_date + timedelta(days=count))


def stage_sla_days(stage: str, overrides: Mapping[str, int] | None = None) -> int | None:
    """The stage's SLA in business days: the bank's own figure, else the default; None if untimed."""
    if overrides and stage in overrides:
        return overrides[stage]
    return DEFAULT_STAGE_SLA.get(stage)


def stage_due(entered_on: date, sla_days: int, calendar: BusinessCalendar) -> date:
    """The last business day the stage may take: `sla_days` business days after entering it."""
    return calendar.add_business_days(entered_on, sla_days)


def business_days_in_stage(entered_on: date, today: date, calendar: BusinessCalendar) -> int:
    """Business days spent in the stage so far (the day it was entered does not count)."""
    return calendar.business_days_between(entered_on, today)


def is_breached(entered_on: date, sla_days: int | None, until: date, calendar: BusinessCalendar) -> bool:
    """True when the stage has run past its SLA on `until` (for a finished stage: the day it ended)."""
    if sla_days is None:
        return False
    return business_days_in_stage(entered_on, until, calendar) > sla_days


def one_place(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def average(values: Sequence[int | Decimal]) -> Decimal | None:
    """Mean to one decimal place, None for no values."""
    if not values:
        return None
    return one_place(Decimal(sum(Decimal(v) for v in values)) / len(values))


def percentile(values: Sequence[int | Decimal], pct: int) -> Decimal | None:
    """The `pct`-th percentile with linear interpolation between closest ranks (numpy's default and
    Excel's PERCENTILE.INC), to one decimal place; None for no values."""
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    rank = Decimal(pct) / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    fraction = rank - low
    return one_place(ordered[low] + (ordered[high] - ordered[low]) * fraction)
