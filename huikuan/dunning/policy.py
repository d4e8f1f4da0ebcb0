"""Pure step timing: on which business day a dunning step falls due.

Offsets count calendar days unless the step says business days. A day that lands on a holiday or
weekend moves to the next business day — except a reminder before the due date, which moves back,
so that it still arrives before the money is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from huikuan.core.calendar import ONE_DAY, BusinessCalendar

BEFORE_DUE, AFTER_DUE, AFTER_PREVIOUS = "before_due", "after_due", "after_previous"


@dataclass(frozen=True)
class Timing:
    anchor: str
    days: int
    business_days: bool = False


def roll_back(calendar: BusinessCalendar, day: date) -> date:
    while not calendar.is_business_day(day):
        day -= ONE_DAY
    return day


def step_date(timing: Timing, *, due: date, previous: date | None, calendar: BusinessCalendar) -> date:
    """The day a step is due. `due` is the contractual due date; `previous` the day the step before
    it fell due (for AFTER_PREVIOUS; the effective due date when there is none)."""
    effective_due = calendar.roll_forward(due)
    if timing.anchor == BEFORE_DUE:
        if timing.business_days:
            return calendar.add_business_days(effective_due, -timing.days)
        return roll_back(calendar, effective_due - timedelta(days=timing.days))
    start = effective_due if timing.anchor == AFTER_DUE or previous is None else previous
    if timing.business_days:
        return calendar.add_business_days(start, timing.days)
    return calendar.roll_forward(start + timedelta(days=timing.days))


def schedule(timings: list[Timing], *, due: date, calendar: BusinessCalendar) -> list[date]:
    """The days of an ordered list of steps, each AFTER_PREVIOUS step counted from the one before."""
    days: list[date] = []
    previous: date | None = None
    for timing in timings:
        day = step_date(timing, due=due, previous=previous, calendar=calendar)
        days.append(day)
        previous = day
    return days
