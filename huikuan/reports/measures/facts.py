"""Per-project facts: the additive components that the dashboard's measures are sums (and ratios of sums) of.

Every measure the management dashboard shows — signed amount and completion, collections by method,
building and year, collection rate, overdue over 30 days, DSO, days to disbursement per bank, the cash
forecast — is computed in two steps, each written once:

1. a *family* of facts per project (`FAMILIES` below): e.g. `collections` = {project id: {payment method:
   Σ receipts in the period}}, `positions` = {project id: [due, collected of due, outstanding,
   overdue > 30 days]} from one `contract_balances` pass per date;
2. the measure's `*_of(facts)` function in its module (collections.collections_total_of, …), which sums the
   family over the projects of the scope and divides.

`Facts.live(period, scope)` computes the families of one scope when a measure asks (shared inside
`shared_positions()`, so the kpis report computes each family once); `Facts.stored(...)` reads the
families of every project that `reports.aggregates` pre-computed for a period and keeps the scope's
projects. Amounts are exact Decimals in both, so the dashboard (stored) and `report kpis` (live) agree
to the cent for any scope: the sums are the same sums, only the order of adding differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Func, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from huikuan.core.money import ZERO
from huikuan.receivables.choices import LOAN_KINDS, PLAN_KINDS, EntryKind
from huikuan.receivables.models import LedgerEntry, Receivable

from ..periods import Period
from .base import Scope, live_contracts
from .ledger import positions, share_in_helper, shared

OVER_DAYS = 30          # overdue "over 30 days": due more than 30 days before the date
MONTHS_BACK = 24        # DSO's countback looks back at most this many months
WEEKS = 13              # the cash forecast's horizon
LAGS = 13               # how late a line is paid: weeks 0..12 after its due date
HISTORY_DAYS = 364      # the forecast learns from the plan lines due in the year before the period's end

ProjectId = int


class DaysBetween(Func):
    """Calendar days from the second date to the first, computed by the database (SQLite or PostgreSQL)."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None, template: str | None = None,
               arg_joiner: str | None = None, **extra_context: Any) -> tuple[str, list[Any]]:
        (later, later_params), (earlier, earlier_params) = (compiler.compile(e) for e in self.source_expressions)
        if connection.vendor == "sqlite":
            sql = f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        else:
            sql = f"({later} - {earlier})"
        return sql, [*later_params, *earlier_params]


# --- the families -----------------------------------------------------------------------------------


def _signed(period: Period, scope: Scope) -> dict[ProjectId, list]:
    """{project: [Σ price, units]} of the live contracts signed in the period."""
    rows = (live_contracts(scope).filter(sign_date__range=(period.start, period.end)).values("project_id")
            .annotate(amount=Sum("price"), units=Count("pk")).order_by())
    return {r["project_id"]: [r["amount"], r["units"]] for r in rows}


def _targets(period: Period, scope: Scope) -> dict[ProjectId, list]:
    """{project: [amount to sign, units, amount to collect]}: the quarter's SalesTarget."""
    from huikuan.org.models import SalesTarget

    rows = (scope.apply(SalesTarget.objects.filter(year=period.year, quarter=period.quarter)).values("project_id")
            .annotate(a=Sum("amount_signed"), u=Sum("units"), c=Sum("amount_collected")).order_by())
    return {r["project_id"]: [r["a"], r["u"], r["c"]] for r in rows}


def _collected(start: date, end: date, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    from .collections import receipts_between

    out: dict[ProjectId, dict[str, Decimal]] = defaultdict(dict)
    rows = (receipts_between(start, end, scope).values_list("contract__project_id", "contract__payment_method")
            .annotate(s=Sum("amount")).order_by())
    for project, method, amount in rows:
        out[project][method] = amount
    return dict(out)


def _collections(period: Period, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    """{project: {payment method of the contract: Σ collections in the period}}."""
    return _collected(period.start, period.end, scope)


def _collections_previous(period: Period, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    previous = period.previous()
    return _collected(previous.start, previous.end, scope)


def _collections_last_year(period: Period, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    last = period.same_quarter_last_year()
    return _collected(last.start, last.end, scope)


def _buildings(period: Period, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    """{project: {building name: Σ collections in the period}}."""
    from .collections import receipts_in

    out: dict[ProjectId, dict[str, Decimal]] = defaultdict(dict)
    rows = (receipts_in(period, scope).values_list("contract__project_id", "contract__unit__building__name")
            .annotate(s=Sum("amount")).order_by())
    for project, building, amount in rows:
        out[project][building] = amount
    return dict(out)


def _positions(period: Period, scope: Scope) -> dict[ProjectId, list[Decimal]]:
    """{project: [due, collected of due, outstanding, overdue > 30 days]} at the period's end D, over live
    contracts, from one pass of receivables.balances at D: due = Σ due by D; collected of due =
    Σ min(received, due); outstanding = Σ max(0, due − received); overdue > 30 days = Σ max(0, what fell due
    by D−31 − received by D), the plan lines worth what they are worth at D (a waiver or a restructuring
    posted by D reduces them)."""
    out: dict[ProjectId, list[Decimal]] = {}
    for p in positions(period.end, scope, before=period.end - timedelta(days=OVER_DAYS + 1)):
        row = out.get(p.project_id)
        if row is None:
            row = out[p.project_id] = [ZERO, ZERO, ZERO, ZERO]
        row[0] += p.due
        row[1] += max(ZERO, min(p.received, p.due))
        row[2] += max(ZERO, p.due - p.received)
        row[3] += max(ZERO, p.due_before - p.received)
    return out


def start_helper(period: Period, scope: Scope, today: date | None = None) -> bool:
    """For the kpis document of `period`: compute the previous quarter's `positions` family (its pass of
    receivables.balances), the cash forecast's family and the collection cycle's contracts in a forked helper
    process while this one does the rest, when that pays (see ledger.share_in_helper)."""
    from .cycle import _completed_in

    today = today or timezone.localdate()
    previous = period.previous()
    return share_in_helper([
        ("facts:positions", previous, lambda: _positions(previous, scope)),
        (f"facts:forecast:{today}", period, lambda: _forecast(period, scope, today)),
        ("completed_in", period, lambda: _completed_in(period, scope)),
    ], scope)


def month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _billings(period: Period, scope: Scope) -> dict[ProjectId, dict[str, Decimal]]:
    """{project: {first day of the month (ISO): Σ plan amounts of live contracts falling due in it}}, for the
    MONTHS_BACK months up to the period's end."""
    end = period.end
    out: dict[ProjectId, dict[str, Decimal]] = defaultdict(dict)
    rows = (Receivable.objects.filter(contract__in=live_contracts(scope), kind__in=list(PLAN_KINDS),
                                      due_date__range=(month_start(end, MONTHS_BACK - 1), end))
            .values_list("contract__project_id", "due_date").annotate(s=Sum("amount")).order_by())
    for project, day, amount in rows:     # by day in the database, by month here (no date function per row)
        key = day.replace(day=1).isoformat()
        out[project][key] = out[project].get(key, ZERO) + amount
    return dict(out)


def _bank_days_between(start: date, end: date, scope: Scope) -> dict[ProjectId, dict[str, list[int]]]:
    from huikuan.mortgages.models import LoanApplication
    from huikuan.mortgages.reports import days_application_to_disbursement

    out: dict[ProjectId, dict[str, list[int]]] = defaultdict(dict)
    apps = scope.apply(LoanApplication.objects.filter(disbursed_on__range=(start, end)))
    for project, bank, opened, disbursed in apps.values_list("project_id", "bank__code", "opened_on",
                                                             "disbursed_on"):
        total = out[project].setdefault(bank, [0, 0])
        total[0] += days_application_to_disbursement(opened, disbursed)
        total[1] += 1
    return dict(out)


def _bank_days(period: Period, scope: Scope) -> dict[ProjectId, dict[str, list[int]]]:
    """{project: {bank code: [Σ days to disbursement, loans]}} over the loan applications disbursed in the
    period (days: mortgages.reports.days_application_to_disbursement)."""
    return _bank_days_between(period.start, period.end, scope)


def _bank_days_previous(period: Period, scope: Scope) -> dict[ProjectId, dict[str, list[int]]]:
    previous = period.previous()
    return _bank_days_between(previous.start, previous.end, scope)


def _applications(period: Period, scope: Scope) -> dict[ProjectId, int]:
    """{project: loan applications recorded (any time)} — whether the pipeline is used at all."""
    from huikuan.mortgages.models import LoanApplication

    rows = scope.apply(LoanApplication.objects.all()).values("project_id").annotate(n=Count("pk")).order_by()
    return {r["project_id"]: r["n"] for r in rows}


def group_of(kind: str) -> str:
    """The forecast learns bank loans and the buyers' own payments separately."""
    return "loan" if kind in LOAN_KINDS else "buyer"


def forecast_weeks(period: Period) -> list[date]:
    first = period.end + timedelta(days=1)
    return [first + timedelta(days=7 * w) for w in range(WEEKS)]


def _forecast(period: Period, scope: Scope, today: date | None = None) -> dict[ProjectId, dict[str, Any]]:
    """{project: {"due": {group: Σ plan amounts due in D−364..D}, "paid": {group: [Σ allocated to those
    lines k weeks after their due date, k = 0..12]}, "open": {group: {expected day (ISO): Σ still owed at
    D}}, "actual": {week index: Σ collections in that week, for the weeks ended before today}}} —
    the components of the cash forecast (see forecast.py)."""
    end = period.end
    today = today or timezone.localdate()
    out: dict[ProjectId, dict[str, Any]] = {}

    def of(project: ProjectId) -> dict[str, Any]:
        if project not in out:
            out[project] = {"due": {}, "paid": {}, "open": {}, "actual": {}}
        return out[project]

    contracts = live_contracts(scope)
    history = Receivable.objects.filter(contract__in=contracts, kind__in=list(PLAN_KINDS),
                                        due_date__range=(end - timedelta(days=HISTORY_DAYS), end))
    for project, kind, amount in (history.values_list("contract__project_id", "kind").annotate(s=Sum("amount"))
                                  .order_by()):
        due = of(project)["due"]
        due[group_of(kind)] = due.get(group_of(kind), ZERO) + amount
    # weeks late = ⌊(posted − due) / 7⌋, early payments week 0: counted by the database, a row per week
    late = DaysBetween("posted_on", "receivable__due_date")
    allocated = (LedgerEntry.objects.filter(receivable__in=history, kind=EntryKind.ALLOCATION, posted_on__lte=end)
                 .annotate(days=late).filter(days__lt=7 * LAGS)
                 .annotate(lag=Case(When(days__lt=0, then=Value(0)), default=F("days") / Value(7),
                                    output_field=IntegerField()))
                 .values_list("contract__project_id", "receivable__kind", "lag").annotate(s=Sum("amount")).order_by())
    for project, kind, lag, amount in allocated:
        paid = of(project)["paid"].setdefault(group_of(kind), [ZERO] * LAGS)
        paid[lag] -= amount

    starts = forecast_weeks(period)
    last_day = starts[-1] + timedelta(days=6)
    expected = _expected_disbursements(end)
    # a line expected 13 weeks or more before the first week has no chance left in the profile (its lags in
    # the forecast weeks are all ≥ 13): only the lines expected after that, and the open loans, are read
    reachable = Q(due_date__gt=starts[0] - timedelta(days=7 * LAGS)) | Q(pk__in=list(expected))
    owing = (Receivable.objects.filter(reachable, contract__in=contracts, kind__in=list(PLAN_KINDS),
                                       due_date__lte=last_day)
             .annotate(settled=Sum("entries__amount", filter=Q(entries__posted_on__lte=end)))
             .filter(Q(settled__isnull=True) | Q(settled__gt=-F("amount")))
             .values_list("pk", "contract__project_id", "kind", "due_date", "amount", "settled"))
    for pk, project, kind, due_date, amount, settled in owing:
        owed = amount + (settled or ZERO)
        if owed <= ZERO:
            continue
        day = expected.get(pk, due_date).isoformat()
        group = of(project)["open"].setdefault(group_of(kind), {})
        group[day] = group.get(day, ZERO) + owed

    from .collections import receipts_between

    ended = [w for w, start in enumerate(starts) if start + timedelta(days=6) < today]
    if ended:
        rows = (receipts_between(starts[0], starts[ended[-1]] + timedelta(days=6), scope)
                .values_list("contract__project_id", "received_on").annotate(s=Sum("amount")).order_by())
        for project, day, amount in rows:
            week = str((day - starts[0]).days // 7)
            actual = of(project)["actual"]
            actual[week] = actual.get(week, ZERO) + amount
    return out


def _expected_disbursements(end: date) -> dict[int, date]:
    """Loan line → the expected disbursement day of its loan application still open at `end`."""
    from huikuan.mortgages.models import LoanApplication

    apps = (LoanApplication.objects.filter(receivable__isnull=False, opened_on__lte=end)
            .filter(Q(disbursed_on__isnull=True) | Q(disbursed_on__gt=end))
            .filter(Q(rejected_on__isnull=True) | Q(rejected_on__gt=end)).exclude(stage="withdrawn"))
    return {pk: day for pk, day in apps.values_list("receivable_id", "expected_disbursement_on") if day}


FAMILIES: dict[str, Callable[[Period, Scope], dict]] = {
    "signed": _signed,
    "targets": _targets,
    "collections": _collections,
    "collections_previous": _collections_previous,
    "collections_last_year": _collections_last_year,
    "buildings": _buildings,
    "positions": _positions,
    "billings": _billings,
    "bank_days": _bank_days,
    "bank_days_previous": _bank_days_previous,
    "applications": _applications,
    "forecast": _forecast,
}


# --- where the families come from -------------------------------------------------------------------


def directory(scope: Scope) -> dict[ProjectId, dict[str, str]]:
    """{project id: {"code", "name", "region", "region_name", "product_line", "zone"}} of the scope."""
    from huikuan.org.models import Project

    rows = scope.apply(Project.objects.all(), "pk").values_list("pk", "code", "name", "region__code",
                                                                "region__name", "product_line", "city_zone")
    return {pk: {"code": code, "name": name, "region": region or "", "region_name": region_name or "",
                 "product_line": line, "zone": zone}
            for pk, code, name, region, region_name, line, zone in rows}


class Facts:
    """The families of one period over one scope; `get(name)` → {project id: value}."""

    def __init__(self, period: Period, scope: Scope, get: Callable[[str], dict],
                 projects: Callable[[], dict[ProjectId, dict[str, str]]], today: date | None = None) -> None:
        self.period = period
        self.scope = scope
        self.today: date = today or timezone.localdate()
        self._get = get
        self._projects = projects

    def get(self, name: str) -> dict[ProjectId, Any]:
        return self._get(name)

    @property
    def projects(self) -> dict[ProjectId, dict[str, str]]:
        return self._projects()

    def code(self, project: ProjectId) -> str:
        return self.projects[project]["code"]

    def values(self, name: str) -> Iterable[Any]:
        return self.get(name).values()

    @classmethod
    def live(cls, period: Period, scope: Scope, today: date | None = None) -> Facts:
        """Computed from the database when asked, each family once per (period, scope) inside
        `shared_positions()`."""
        today = today or timezone.localdate()

        def get(name: str) -> dict:
            if name == "forecast":
                return shared(f"facts:forecast:{today}", period, scope, lambda: _forecast(period, scope, today))
            return shared(f"facts:{name}", period, scope, lambda: FAMILIES[name](period, scope))

        def projects() -> dict:
            return shared("facts:directory", None, scope, lambda: directory(scope))

        return cls(period, scope, get, projects, today or timezone.localdate())

    @classmethod
    def stored(cls, period: Period, document: dict[str, Any], scope: Scope) -> Facts:
        """From `compute_all(period)`'s document (see `encode`), kept to the scope's projects."""
        wanted = scope.project_ids
        cache: dict[str, dict] = {}

        def keep(values: dict[str, Any]) -> dict[ProjectId, Any]:
            return {int(k): v for k, v in values.items() if wanted is None or int(k) in wanted}

        def get(name: str) -> dict:
            if name not in cache:
                cache[name] = keep(decode(document["families"][name]))
            return cache[name]

        def projects() -> dict:
            if "directory" not in cache:
                cache["directory"] = keep(document["directory"])
            return cache["directory"]

        return cls(period, scope, get, projects, date.fromisoformat(document["today"]))


def compute_all(period: Period, today: date | None = None) -> dict[str, Any]:
    """Every family of the period over every project, as a JSON-ready document (`encode`)."""
    from .base import EVERYTHING
    from .ledger import shared_positions

    today = today or timezone.localdate()
    with shared_positions():
        facts = Facts.live(period, EVERYTHING, today)
        families = {name: facts.get(name) for name in FAMILIES}
        projects = facts.projects
    return {"period": period.label, "today": today.isoformat(),
            "directory": {str(k): v for k, v in projects.items()},
            "families": {name: encode(values) for name, values in families.items()}}


def encode(value: Any) -> Any:
    """Decimals as decimal strings, keys as strings: JSON that `decode` reads back exactly."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    """The inverse of `encode` for the families: every string leaf is an amount."""
    if isinstance(value, str):
        return Decimal(value)
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
