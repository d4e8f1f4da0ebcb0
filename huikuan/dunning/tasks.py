from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task
def nightly_dunning(as_of: str | None = None) -> dict:
    """Nightly (after the late fees): scan as of today, settle promises whose day passed, run the steps
    that fell due. Idempotent: a second run for the same date sends and writes nothing new."""
    from .services import nightly

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    result = nightly(day)
    return {key: value if isinstance(value, str | dict) else str(value) for key, value in result.items()}


@shared_task
def prune_overdue_snapshots(today: str | None = None) -> dict[str, int]:
    """Weekly: drop old daily overdue snapshots, keeping each month's last (see dunning.retention)."""
    from .retention import prune_snapshots

    return prune_snapshots(date.fromisoformat(today) if today else timezone.localdate())
