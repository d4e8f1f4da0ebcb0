"""The dashboards read the kpis document through here: a stored `KpiSnapshot` while it is younger than
MAX_AGE, else computed afresh (and stored). The page shows when its numbers were computed (freshness);
the numbers are the kpis report's for the same period and scope, to the cent, as of that time.
`refresh_company_snapshots` (a Celery task, hourly) keeps the whole-company documents warm.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .kpis import kpis_data
from .measures.base import Scope
from .models import KpiSnapshot
from .periods import Period

MAX_AGE = timedelta(minutes=15)


def snapshot(period: Period, scope: Scope, *, max_age: timedelta = MAX_AGE, refresh: bool = False) -> dict[str, Any]:
    """The kpis document of `period` over `scope`; `computed_at` in it says how fresh it is."""
    if not refresh:
        stored = KpiSnapshot.objects.filter(period=period.label, scope_key=scope.key).first()
        if stored is not None and timezone.now() - stored.computed_at <= max_age:
            return stored.data
    data = kpis_data(period, scope)
    computed = parse_datetime(data["computed_at"]) or timezone.now()
    KpiSnapshot.objects.update_or_create(period=period.label, scope_key=scope.key,
                                         defaults={"data": data, "computed_at": computed})
    return data


def refresh_company_snapshots(today: Any = None) -> list[str]:
    """Recompute the whole-company documents of the current and the previous quarter."""
    current = Period.containing(today or timezone.localdate())
    done = []
    for period in (current, current.previous()):
        snapshot(period, Scope(), refresh=True)
        done.append(period.label)
    return done
