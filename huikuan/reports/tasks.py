"""Scheduled delivery: a weekly and a monthly summary of the current quarter to date, e-mailed to the
managers (StaffProfile role manager, with an e-mail address) with the review PDF attached; and the hourly
refresh of the dashboards' pre-aggregated facts and kpis."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .measures.base import Scope
from .periods import Period


def managers() -> list[str]:
    from huikuan.org.models import StaffProfile

    return sorted({p.user.email for p in StaffProfile.objects.filter(role="manager", user__is_active=True)
                   .select_related("user") if p.user.email})


def send_summary(kind: str, today=None) -> int:  # type: ignore[no-untyped-def]
    """E-mail the summary of the quarter containing yesterday; returns the number of recipients."""
    from .kpis import kpis_data
    from .review import write_review
    from .review.formatting import pct, wan

    recipients = managers()
    if not recipients:
        return 0
    day = today or timezone.localdate()
    period = Period.containing(day - timedelta(days=1))
    data = kpis_data(period, Scope())
    subject = f"【回款{'周报' if kind == 'weekly' else '月报'}】{period.label_zh}（截至 {day}）"
    body = "\n".join([
        f"{period.label_zh}截至 {day}：",
        f"签约 {wan(data['signed_amount'])}，销售目标完成率 {pct(data['target_completion_total'])}；",
        f"回款 {wan(data['collections_total'])}，同比 {pct(data['collections_yoy'])}；",
        f"逾期30天以上占比 {pct(data['overdue_over_30_ratio'], 2)}。",
        "详见附件（季度经营分析，截至今日的数据）。",
    ])
    with tempfile.TemporaryDirectory() as tmp:
        path = write_review(period, Scope(), "pdf", Path(tmp) / f"review-{period.label}.pdf", data)
        message = EmailMessage(subject, body, getattr(settings, "DEFAULT_FROM_EMAIL", None), recipients)
        message.attach(path.name, path.read_bytes(), "application/pdf")
        message.send()
    return len(recipients)


@shared_task
def weekly_summary() -> int:
    return send_summary("weekly")


@shared_task
def monthly_summary() -> int:
    return send_summary("monthly")


@shared_task
def refresh_kpi_snapshots() -> list[str]:
    """Hourly: the per-project facts the dashboard reads and the whole-company kpis (aggregates.refresh)."""
    from .aggregates import refresh

    return refresh()


@shared_task
def refresh_period_facts(period: str) -> str:
    """Recompute one quarter's facts, queued by a dashboard page that found them older than 15 minutes."""
    from .aggregates import store_facts

    store_facts(Period.parse(period))
    return period
