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

from django.db.models import Q, Sum
from django.utils import timezone

from huikuan.core.money import ZERO, quantize
from huikuan.receivables.choices import LOAN_KINDS, PLAN_KINDS, EntryKind
from huikuan.receivables.models import LedgerEntry, Receivable

from ..periods import Period
from .base import EVERYTHING, Scope, live_contracts
from .collections import receipts_between

WEEKS = 13
LAGS = 13          # weeks 0..12 after the due date


def _group(kind: str) -> str:
    return "loan" if kind in LOAN_KINDS else "buyer"


def lag_profile(period: Period, scope: Scope = EVERYTHING) -> dict[str, list[Decimal]]:
    """{"loan"|"buyer": [p0 … p12]}: the share of the amount due paid k weeks after the due date."""
    end = period.end
    lines = Receivable.objects.filter(contract__in=live_contracts(scope), kind__in=list(PLAN_KINDS),
                                      due_date__range=(end - timedelta(days=364), end))
    due: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for kind, amount in lines.values("kind").annotate(s=Sum("amount")).values_list("kind", "s").order_by():
        due[_group(kind)] += amount
    paid: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * LAGS)
    entries = (LedgerEntry.objects.filter(receivable__in=lines, kind=EntryKind.ALLOCATION, posted_on__lte=end)
               .values_list("receivable__kind", "receivable__due_date", "posted_on", "amount"))
    for kind, due_date, posted, amount in entries:
        lag = max(0, (posted - due_date).days // 7)
        if lag < LAGS:
            paid[_group(kind)][lag] += -amount
    profile = {}
    for group in ("loan", "buyer"):
        if due[group] > ZERO:
            profile[group] = [p / due[group] for p in paid[group]]
        else:
            profile[group] = [Decimal(1)] + [ZERO] * (LAGS - 1)
    return profile


def _open_lines(period: Period, scope: Scope, last_day: date) -> list[tuple[int, str, date, Decimal]]:
    end = period.end
    lines = Receivable.objects.filter(contract__in=live_contracts(scope), kind__in=list(PLAN_KINDS),
                                      due_date__lte=last_day)
    settled = dict(LedgerEntry.objects.filter(receivable__in=lines, posted_on__lte=end).values("receivable")
                   .annotate(s=Sum("amount")).order_by().values_list("receivable", "s"))
    expected = _expected_disbursements(end)
    out = []
    for pk, kind, due_date, amount in lines.values_list("pk", "kind", "due_date", "amount"):
        owed = amount + settled.get(pk, ZERO)
        if owed > ZERO:
            out.append((pk, kind, expected.get(pk, due_date), owed))
    return out


def _expected_disbursements(end: date) -> dict[int, date]:
    from huikuan.mortgages.models import LoanApplication

    apps = (LoanApplication.objects.filter(receivable__isnull=False, opened_on__lte=end)
            .filter(Q(disbursed_on__isnull=True) | Q(disbursed_on__gt=end))
            .filter(Q(rejected_on__isnull=True) | Q(rejected_on__gt=end)).exclude(stage="withdrawn"))
    return dict(apps.values_list("receivable_id", "expected_disbursement_on"))


def cash_forecast(period: Period, scope: Scope = EVERYTHING, today: date | None = None) -> dict[str, Any]:
    """{"weeks": [{"week_start", "week_end", "forecast", "actual"}], "forecast_total", "actual_total",
    "error"} — error = Σ actual − Σ forecast over the weeks that have ended (null before the first)."""
    today = today or timezone.localdate()
    first = period.end + timedelta(days=1)
    starts = [first + timedelta(days=7 * w) for w in range(WEEKS)]
    last_day = starts[-1] + timedelta(days=6)
    profile = lag_profile(period, scope)
    forecast = [ZERO] * WEEKS
    for _pk, kind, due, owed in _open_lines(period, scope, last_day):
        p = profile[_group(kind)]
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
        if end < today:
            actual = quantize(receipts_between(start, end, scope).aggregate(s=Sum("amount"))["s"] or ZERO)
            actual_total += actual
            forecast_total_past += quantize(forecast[w])
            passed += 1
        weeks.append({"week_start": start, "week_end": end, "forecast": quantize(forecast[w]), "actual": actual})
    return {"weeks": weeks, "forecast_total": quantize(sum(forecast, ZERO)),
            "actual_total": actual_total if passed else None,
            "error": quantize(actual_total - forecast_total_past) if passed else None}
