"""The app's settings, each with a default (override in settings.py / the environment)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings

from .timing import parse_clock


def _get(name: str, default):  # type: ignore[no-untyped-def]
    return getattr(settings, f"NOTIFICATIONS_{name}", default)


def zone() -> ZoneInfo:
    return ZoneInfo(_get("TIME_ZONE", "Asia/Shanghai"))


def quiet_hours():  # type: ignore[no-untyped-def]
    start, end = _get("QUIET_HOURS", ("21:00", "08:00"))
    return parse_clock(start), parse_clock(end)


def daily_limit() -> int:
    """Messages per customer per local day, all channels together; 0 means no limit."""
    return int(_get("DAILY_LIMIT", 3))


def max_attempts() -> int:
    return int(_get("MAX_ATTEMPTS", 8))


def retry_base_seconds() -> int:
    return int(_get("RETRY_BASE_SECONDS", 60))


def retry_cap_seconds() -> int:
    return int(_get("RETRY_CAP_SECONDS", 6 * 3600))


def sending_timeout_seconds() -> int:
    """A message claimed longer ago than this belonged to a worker that died; it is queued again."""
    return int(_get("SENDING_TIMEOUT_SECONDS", 600))


def batch_size() -> int:
    return int(_get("BATCH_SIZE", 200))
