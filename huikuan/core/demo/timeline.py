"""The demo's fixed dates: it is 2026-12-04 and the quarter under review is 2026Q3."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

TODAY = date(2026, 12, 4)
REVIEW_YEAR, REVIEW_QUARTER = 2026, 3
PUSH_WEEK = (date(2026, 9, 14), date(2026, 9, 20))     # 限时签约优惠 + 大客户认购会
GREEN_CHANNEL_FROM = date(2026, 6, 22)                  # deals signed from here on get the 14-day banks
STATEMENT_WINDOW = (date(2026, 9, 14), date(2026, 9, 30))   # money in these weeks arrives by bank statement
DUNNING_LIVE = date(2026, 4, 3)                         # the first nightly overdue round (a Friday)


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date

    def random_day(self, rng: random.Random, avoid: tuple[date, date] | None = None) -> date:
        while True:
            day = self.start + timedelta(days=rng.randrange((self.end - self.start).days + 1))
            if avoid is None or not (avoid[0] <= day <= avoid[1]):
                return day


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


PERIODS = {
    "2025Q2": Period("2025Q2", date(2025, 6, 1), date(2025, 6, 30)),   # the tail before last year's quarter
    "2025Q3": Period("2025Q3", *quarter_bounds(2025, 3)),
    "2025Q4": Period("2025Q4", *quarter_bounds(2025, 4)),
    "2026Q1": Period("2026Q1", *quarter_bounds(2026, 1)),
    "2026Q2": Period("2026Q2", *quarter_bounds(2026, 2)),
    "2026Q3": Period("2026Q3", *quarter_bounds(2026, 3)),
    "2026Q4": Period("2026Q4", date(2026, 10, 1), date(2026, 11, 20)),  # signed so far this quarter
}


def dunning_rounds() -> list[date]:
    """The days the dunning round runs in the demo: every Friday from DUNNING_LIVE to TODAY and the
    quarter ends, except inside the statement window (its money is only known once reconciled)."""
    days = {DUNNING_LIVE + timedelta(weeks=n) for n in range((TODAY - DUNNING_LIVE).days // 7 + 1)}
    days |= {date(2026, 6, 30), date(2026, 9, 30), TODAY}
    return sorted(d for d in days if d <= TODAY and not STATEMENT_WINDOW[0] <= d < STATEMENT_WINDOW[1])
