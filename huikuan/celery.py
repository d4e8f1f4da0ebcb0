"""The Celery application and the one beat schedule of every periodic job.

Times are Asia/Shanghai. Every task is idempotent: beat may fire twice, a worker may die half-way,
and running a task again for the same date changes nothing the first run already did.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huikuan.settings")

app = Celery("huikuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # 00:30 — refresh the business-day calendar from the holiday libraries for the years they know
    # (never overwrites a day an administrator edited).
    "refresh-business-calendar": {
        "task": "huikuan.core.tasks.refresh_business_calendar",
        "schedule": crontab(hour=0, minute=30, day_of_week="mon"),
    },
    # 01:00 — post the late fees accrued up to yesterday onto each overdue contract's ledger.
    "post-late-fees": {
        "task": "huikuan.receivables.tasks.post_late_fees",
        "schedule": crontab(hour=1, minute=0),
    },
    # 07:00 — stage SLA breaches, passed disbursement deadlines and conditionally accepted (容缺)
    # documents due or overdue: each specialist gets a notice.
    "check-loan-deadlines": {
        "task": "huikuan.mortgages.tasks.check_loan_deadlines",
        "schedule": crontab(hour=7, minute=0),
    },
    # 02:00 — overdue scan (warning levels, cases), broken promises, due dunning steps, courtesy
    # reminders; idempotent per date, a run that died is resumed.
    "nightly-dunning": {
        "task": "huikuan.dunning.tasks.nightly_dunning",
        "schedule": crontab(hour=2, minute=0),
    },
    # Sundays 04:00 — old daily overdue snapshots dropped, each month's last kept (dunning.retention).
    "prune-overdue-snapshots": {
        "task": "huikuan.dunning.tasks.prune_overdue_snapshots",
        "schedule": crontab(hour=4, minute=0, day_of_week="sun"),
    },
    # 03:30 — files of statement imports that failed a week ago and were not retried with a mapping, deleted.
    "purge-failed-uploads": {
        "task": "huikuan.banking.tasks.purge_failed_uploads",
        "schedule": crontab(hour=3, minute=30),
    },
    # every 30 minutes — match bank lines still unmatched (new receivables may explain them now).
    "reconcile-pending": {
        "task": "huikuan.banking.tasks.reconcile_pending",
        "schedule": crontab(minute="*/30"),
    },
    # hourly at :05 — recompute the stored KPI snapshots the management dashboard reads.
    "refresh-kpi-snapshots": {
        "task": "huikuan.reports.tasks.refresh_kpi_snapshots",
        "schedule": crontab(minute=5),
    },
    # Monday 08:00 and the 1st of the month 08:00 — the summary e-mailed to managers (PDF attached).
    "weekly-summary": {
        "task": "huikuan.reports.tasks.weekly_summary",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "monthly-summary": {
        "task": "huikuan.reports.tasks.monthly_summary",
        "schedule": crontab(hour=8, minute=0, day_of_month="1"),
    },
    # every minute — send the outbox's due messages (quiet hours, daily limit and retries apply there).
    "dispatch-outbox": {
        "task": "huikuan.notifications.tasks.dispatch_outbox",
        "schedule": crontab(),
    },
}
