"""Quarters: the period every measure and the quarterly review are about.

    Period.parse("2026Q3")            Period(2026, 3): 2026-07-01 .. 2026-09-30
    period.previous()                 2026Q2 (quarter-on-quarter)
    period.same_quarter_last_year()   2025Q3 (year-on-year)
    period.next()                     2026Q4 (next quarter's targets, the forecast)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-_ ]?[Qq]([1-4])\s*$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise PeriodError(f"quarter must be 1–4, not {self.quarter}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text or "")
        if match is None:
            raise PeriodError(f"not a quarter: {text!r} (write e.g. 2026Q3)")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    def previous(self) -> Period:
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def next(self) -> Period:
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    def same_quarter_last_year(self) -> Period:
        return Period(self.year - 1, self.quarter)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label
