"""Pre-aggregation for the management dashboard and the review page.

* `PeriodFacts`: the per-project facts of a quarter (measures/facts.py) for every project. The dashboard
  sums them over the viewer's scope — the whole company, a region, a project, the user's row scope — so
  every drill-down and every quarter of the period picker opens from one stored row, whatever the scope.
  A page never waits for a recomputation: facts older than MAX_AGE are still shown (with the time they
  were computed) and a background refresh is queued once; "refresh now" recomputes on the spot.
* `KpiSnapshot`: the whole kpis document (every measure) per period and scope, for the API and the
  quarterly review page, recomputed when older than MAX_AGE.

`refresh` (the hourly Celery task `reports.tasks.refresh_kpi_snapshots`) recomputes the facts of the current
and the previous quarter, and of the period picker's older quarters once a day (or when missing), plus the
whole-company kpis document of those two quarters — sharing one pass of receivables.balances per date.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .kpis import kpis_data
from .measures.base import Scope
from .measures.facts import Facts, compute_all
from .measures.ledger import shared_positions
from .models import KpiSnapshot, PeriodFacts
from .periods import Period

MAX_AGE = timedelta(minutes=15)
OLD_QUARTERS_MAX_AGE = timedelta(days=1)
PICKER_QUARTERS = 8          # the period picker offers the current quarter and the seven before it

log = logging.getLogger(__name__)


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


def store_facts(period: Period, today: date | None = None) -> PeriodFacts:
    """Compute the period's facts for every project and store them."""
    data = compute_all(period, today)
    row, _ = PeriodFacts.objects.update_or_create(
        period=period.label, defaults={"data": data, "computed_at": timezone.now(), "refresh_requested_at": None})
    return row


def period_facts(period: Period, *, refresh: bool = False) -> PeriodFacts:
    """The stored facts of the period: computed now when there are none (or `refresh`); when they are older
    than MAX_AGE they are returned as they are and one background refresh is queued."""
    stored = None if refresh else PeriodFacts.objects.filter(period=period.label).first()
    if stored is None:
        return store_facts(period)
    now = timezone.now()
    if now - stored.computed_at > MAX_AGE:
        claimed = (PeriodFacts.objects.filter(pk=stored.pk)
                   .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=now - MAX_AGE))
                   .update(refresh_requested_at=now))
        if claimed:
            _queue_refresh(period)
    return stored


def _queue_refresh(period: Period) -> None:
    from .tasks import refresh_period_facts

    try:
        refresh_period_facts.delay(period.label)
    except Exception:     # no broker reachable: the page still shows the stored facts and their time
        log.warning("could not queue the refresh of the %s facts", period.label, exc_info=True)


def stored_facts(period: Period, scope: Scope, *, refresh: bool = False) -> tuple[Facts, PeriodFacts]:
    row = period_facts(period, refresh=refresh)
    return Facts.stored(period, row.data, scope), row


def picker_quarters(today: date | None = None) -> list[Period]:
    """The quarters the dashboard's period picker offers, newest first."""
    current = Period.containing(today or timezone.localdate())
    quarters = [current]
    while len(quarters) < PICKER_QUARTERS:
        quarters.append(quarters[-1].previous())
    return quarters


def refresh(today: date | None = None) -> list[str]:
    """The hourly job: facts of the current and the previous quarter (and the older picker quarters that are
    missing or a day old), and the whole-company kpis documents of the two recent quarters."""
    quarters = picker_quarters(today)
    stamps = dict(PeriodFacts.objects.filter(period__in=[q.label for q in quarters])
                  .values_list("period", "computed_at"))
    done = []
    with shared_positions():     # the two recent quarters' facts and kpis documents share their balances passes
        for period in quarters[:2]:
            store_facts(period, today)
            snapshot(period, Scope(), refresh=True)
            done.append(period.label)
    for period in quarters[2:]:
        stamp = stamps.get(period.label)
        if stamp is None or timezone.now() - stamp >= OLD_QUARTERS_MAX_AGE:
            store_facts(period, today)
            done.append(period.label)
    return done
