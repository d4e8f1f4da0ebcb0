"""Pure aging arithmetic: days overdue and the aging bucket a number of days falls in.

No Django: dates and plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bucket:
    label: str
    min_days: int
    max_days: int | None  # None: no upper bound


DEFAULT_BUCKETS: tuple[Bucket, ...] = (
    Bucket("1-30", 1, 30),
    Bucket("31-60", 31, 60),
    Bucket("61-90", 61, 90),
    Bucket("91-180", 91, 180),
    Bucket("181-365", 181, 365),
    Bucket(">365", 366, None),
)


def days_overdue(effective_due: date, as_of: date) -> int:
    """Days a line has been late on `as_of`: 0 on the (business-day-rolled) due date itself."""
    return max(0, (as_of - effective_due).days)


def bucket_for(days: int, buckets: Sequence[Bucket] = DEFAULT_BUCKETS) -> str:
    """The label of the bucket `days` falls in; "" when not overdue or no bucket covers it."""
    if days <= 0:
        return ""
    for bucket in buckets:
        if days >= bucket.min_days and (bucket.max_days is None or days <= bucket.max_days):
            return bucket.label
    return ""


def check_buckets(buckets: Sequence[Bucket]) -> None:
    """Buckets must start at day 1 and follow each other without gap or overlap."""
    expected = 1
    for i, bucket in enumerate(buckets):
        if bucket.min_days != expected:
            raise ValueError(f"bucket {bucket.label!r} starts at day {bucket.min_days}, expected {expected}")
        if bucket.max_days is None:
            if i != len(buckets) - 1:
                raise ValueError(f"only the last bucket may be open-ended, not {bucket.label!r}")
            return
        if bucket.max_days < bucket.min_days:
            raise ValueError(f"bucket {bucket.label!r} ends before it starts")
        expected = bucket.max_days + 1
