"""Business days in mainland China: weekends, public holidays and make-up working days (调休).

A pure engine: it is handed the holidays and make-up days as data (the editable calendar table
feeds it, see `huikuan.core.services.business_calendar`) and answers questions about dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def parse_day(text: str | None, default: date) -> date:
    """A date given as text (a request's ``?from=2026-03-01``): ``default`` when there is none or it is no date."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@dataclass(frozen=True)
class BusinessCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # make-up working days on weekends

    @classmethod
    def of(cls, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> BusinessCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_business_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def roll_forward(self, day: date) -> date:
        """The day itself if it is a business day, else the next business day (顺延)."""
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """The business day `count` business days after `day` (before it when negative)."""
        step = ONE_DAY if count >= 0 else -ONE_DAY
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]: 0 when end <= start."""
        count = 0
        day = start + ONE_DAY
        while day <= end:
            if self.is_business_day(day):
                count += 1
            day += ONE_DAY
        return count


WEEKENDS_ONLY = BusinessCalendar()
