from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task
def refresh_business_calendar() -> int:
    """Weekly: pull holiday data for this year and the next from the libraries (idempotent)."""
    from .services import refresh_business_calendar as refresh

    year = timezone.localdate().year
    return refresh([year - 1, year, year + 1])


@shared_task
def ping() -> str:
    """A task that proves a worker is alive (used by the broker round-trip test)."""
    return "pong"
