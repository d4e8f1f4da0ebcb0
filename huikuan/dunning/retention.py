"""How long overdue snapshots are kept.

Each nightly scan writes one `OverdueSnapshot` row per late receivable (about half a million rows a
night at a million receivables), so they cannot all be kept. Every scan date of the last
`HUIKUAN["OVERDUE_SNAPSHOT_DAYS"]` days (default 92: this quarter and the last month of the previous
one) is kept whole; before that, only the last scan date of each month is, which is what month- and
quarter-end reporting reads (`reports.measures.overdue` takes the last scan dated in the period).
Warning-level history (`LevelChange`) and the scan runs are kept: they are small.

Idempotent: pruning twice on a day deletes nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import TruncMonth

from .models import OverdueSnapshot


def keep_days() -> int:
    return int(getattr(settings, "HUIKUAN", {}).get("OVERDUE_SNAPSHOT_DAYS", 92))


def dates_to_prune(today: date, days: int | None = None) -> list[date]:
    """Scan dates older than the window that are not the last scan date of their month."""
    cutoff = today - timedelta(days=keep_days() if days is None else days)
    old = set(OverdueSnapshot.objects.filter(as_of__lt=cutoff).order_by().values_list("as_of", flat=True).distinct())
    if not old:
        return []
    month_ends = set(OverdueSnapshot.objects.filter(as_of__gte=min(old).replace(day=1))
                     .annotate(month=TruncMonth("as_of")).order_by().values("month")
                     .annotate(last=Max("as_of")).values_list("last", flat=True))
    return sorted(old - month_ends)


def prune_snapshots(today: date, days: int | None = None) -> dict[str, int]:
    """Delete the snapshots of `dates_to_prune`, one date per transaction; what was deleted."""
    deleted = dates = 0
    for day in dates_to_prune(today, days):
        with transaction.atomic():
            count, _ = OverdueSnapshot.objects.filter(as_of=day).delete()
        deleted += count
        dates += 1
    return {"dates": dates, "rows": deleted}
