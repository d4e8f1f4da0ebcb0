from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task
def check_loan_deadlines(as_of: str | None = None) -> dict[str, int]:
    """Daily: stage SLA breaches, passed disbursement deadlines and deferred (容缺) documents due soon
    or overdue become notices for the application's specialist.

    Idempotent: every notice has a key (application, stage and the day it was entered; document and its
    deadline), so running twice on a day — or again after a crash — tells nobody twice.
    """
    from .services import scan_deadlines

    return scan_deadlines(date.fromisoformat(as_of) if as_of else timezone.localdate())
