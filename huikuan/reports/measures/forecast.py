"""Cash-inflow forecast for the 13 weeks after the period, against what actually arrived.

As of the period's end D:
* every plan line of a live contract still owing money at D (amount + Σ its ledger entries up to D) and
  due by the forecast's last day is expected to arrive some weeks after its due date — for a loan line
  with an open loan application, after the application's expected disbursement date instead;
* how likely and how late: from the last four quarters (plan lines due in D−364..D, money allocated to
  them up to D), p[k] = share of the amount due that was paid k weeks after the due date (k = 0..12;
  paying early counts as week 0), separately for bank-loan lines and the buyers' own lines; what was
  never paid stays unexpected;
* a line already k₀ weeks late at D expects p[k] / (1 − Σ_{j<k₀} p[j]) in its week k (it is known not to
  have been paid in the weeks before);
* `actual`: collections (as in collections_total) in each week that has ended by `today`; null for the
  weeks still to come, so the forecast's error becomes visible as the quarter goes by.
With no history yet, every open amount is expected in its due week (p[0] = 1).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from huikuan.core.money import ZERO, quantize

from ..periods import Period
from .base import EVERYTHING, Scope
from .facts import LAGS, WEEKS, Facts, forecast_weeks

GROUPS = ("loan", "buyer")


def lag_profile_of(facts: Facts) -> dict[str, list[Decimal]]:
    due: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * LAGS)
    for parts in facts.values("forecast"):
        for group, amount in parts["due"].items():
            due[group] += amount
        for group, amounts in parts["paid"].items():
            paid[group] = [a + b for a, b in zip(paid[group], amounts, strict=True)]
    profile = {}
    for group in GROUPS:
        if due[group] > ZERO:
            profile[group] = [p / due[group] for p in paid[group]]
        else:
            profile[group] = [Decimal(1)] + [ZERO] * (LAGS - 1)
    return profile


def lag_profile(period: Period, scope: Scope = EVERYTHING) -> dict[str, list[Decimal]]:
    """{"loan"|"buyer": [p0 … p12]}: the share of the amount due paid k weeks after the due date."""
    return lag_profile_of(Facts.live(period, scope))


def cash_forecast_of(facts: Facts) -> dict[str, Any]:
    starts = forecast_weeks(facts.period)
    first = starts[0]
    profile = lag_profile_of(facts)
    open_by: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    actual_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for parts in facts.values("forecast"):
        for group, by_day in parts["open"].items():
            for day, owed in by_day.items():
                open_by[(group, date.fromisoformat(day))] += owed
        for week, amount in parts["actual"].items():
            actual_by[int(week)] += amount
    forecast = [ZERO] * WEEKS
    for (group, due), owed in sorted(open_by.items()):
        p = profile[group]
        late_at_start = max(0, (first - due).days // 7) if due < first else 0
        remaining = Decimal(1) - sum(p[:late_at_start], ZERO)
        if remaining <= ZERO:
            continue
        for w, start in enumerate(starts):
            if due > start + timedelta(days=6):
                continue
            lag = max(0, (start - due).days // 7) if due < start else 0
            if lag < LAGS:
                forecast[w] += owed * p[lag] / remaining
    weeks = []
    actual_total = forecast_total_past = ZERO
    passed = 0
    for w, start in enumerate(starts):
        end = start + timedelta(days=6)
        actual = None
        if end < facts.today:
            actual = quantize(actual_by[w])
            actual_total += actual
            forecast_total_past += quantize(forecast[w])
            passed += 1
        weeks.append({"week_start": start, "week_end": end, "forecast": quantize(forecast[w]), "actual": actual})
    return {"weeks": weeks, "forecast_total": quantize(sum(forecast, ZERO)),
            "actual_total": actual_total if passed else None,
            "error": quantize(actual_total - forecast_total_past) if passed else None}


def cash_forecast(period: Period, scope: Scope = EVERYTHING, today: date | None = None) -> dict[str, Any]:
    """{"weeks": [{"week_start", "week_end", "forecast", "actual"}], "forecast_total", "actual_total",
    "error"} — error = Σ actual − Σ forecast over the weeks that have ended (null before the first)."""
    return cash_forecast_of(Facts.live(period, scope, today))
