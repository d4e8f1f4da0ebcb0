"""When a message may go: quiet hours, the next local day, retry backoff. Pure (no Django)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: datetime, zone: ZoneInfo, start: time, end: time) -> bool:
    """Whether `moment` falls in [start, end) local time; the window may wrap midnight (21:00–08:00)."""
    clock = moment.astimezone(zone).time()
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


def quiet_hours_end(moment: datetime, zone: ZoneInfo, end: time) -> datetime:
    """The first `end` o'clock local time after `moment` (08:00 the same morning or the next)."""
    local = moment.astimezone(zone)
    candidate = datetime.combine(local.date(), end, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return candidate


def next_local_day_at(moment: datetime, zone: ZoneInfo, at: time) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)


def local_day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = moment.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def backoff(attempts: int, base_seconds: int, cap_seconds: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: base × 2^(attempts−1), capped."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))
