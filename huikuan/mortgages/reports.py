"""The `mortgages` report: per bank, what came in, what the bank decided and paid, how long it took.

For the period [date_from, date_to]:
* `applications` opened, `approved` and `rejected` decisions, `disbursed` loans and `amount_disbursed`
  in the period;
* `avg_days_to_disbursement` / `p90_days_to_disbursement`: `days_to_disbursement` — calendar days from
  the contract's sign date to the disbursement (what the buyer and the developer wait) — over the loans
  disbursed in the period (p90 with linear interpolation);
* `avg_days_application_to_disbursement` / `p90_…`: `days_application_to_disbursement` — calendar days
  from the day the bank got the application to the money: the bank's own speed, which the management
  kpis, the dashboard and the quarterly review compare banks by (a backup bank after a refusal is timed
  from its own application);
* `avg_days_by_stage`: calendar days spent in each stage, over the stage stints that ended in the period;
* `sla_breaches`: stage stints that ended in the period, or were still running on date_to, having taken
  more business days than the bank's SLA for that stage;
* `pipeline_by_stage`: amount of the applications in each open stage as of date_to;
* `guarantee_exposure`: interim guarantees started by date_to and not released by then.
Row scope: with a `user`, only the applications of the projects they may see count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import Q

from huikuan.core.calendar import BusinessCalendar
from huikuan.core.money import ZERO, money_str
from huikuan.core.services import business_calendar
from huikuan.reports.registry import ReportOptions, register

from . import deadlines, rules
from .models import Bank, Guarantee, LoanApplication, StageChange
from .pipeline import FUNNEL, TERMINAL

# the funnel chart: how far the applications opened in the period got (closing is not progress)
FUNNEL_STAGES = FUNNEL[:-1]


def days_to_disbursement(signed_on: date, disbursed_on: date) -> int:
    """A loan's days from contract to disbursement: calendar days from the contract's sign date to the
    bank's money — the one definition of this report's `avg/p90_days_to_disbursement` and the bank page."""
    return (disbursed_on - signed_on).days


def days_application_to_disbursement(opened_on: date, disbursed_on: date) -> int:
    """A bank's speed on a loan: calendar days from the day the bank got the application
    (`LoanApplication.opened_on`) to the money — the one definition of the bank speed in this report
    (`…_days_application_to_disbursement`), `report kpis`, the dashboard and the quarterly review. A
    backup bank is timed from its own application, not from the refusal before it."""
    return (disbursed_on - opened_on).days


@dataclass
class BankFigures:
    bank: Bank
    applications: int = 0
    approved: int = 0
    rejected: int = 0
    disbursed: int = 0
    amount_disbursed: Decimal = ZERO
    days_to_disbursement: list[int] = field(default_factory=list)
    days_application_to_disbursement: list[int] = field(default_factory=list)
    stage_days: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sla_breaches: int = 0
    pipeline: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    guarantee_exposure: Decimal = ZERO

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank.code,
            "bank_name": self.bank.name,
            "applications": self.applications,
            "approved": self.approved,
            "rejected": self.rejected,
            "approval_rate": _ratio(self.approved, self.approved + self.rejected),
            "disbursed": self.disbursed,
            "amount_disbursed": money_str(self.amount_disbursed),
            "avg_days_to_disbursement": _days(deadlines.average(self.days_to_disbursement)),
            "p90_days_to_disbursement": _days(deadlines.percentile(self.days_to_disbursement, 90)),
            "avg_days_application_to_disbursement": _days(deadlines.average(self.days_application_to_disbursement)),
            "p90_days_application_to_disbursement": _days(
                deadlines.percentile(self.days_application_to_disbursement, 90)),
            "avg_days_by_stage": {stage: _days(deadlines.average(values))
                                  for stage, values in sorted(self.stage_days.items(), key=_stage_order)},
            "sla_breaches": self.sla_breaches,
            "pipeline_by_stage": {stage: money_str(amount)
                                  for stage, amount in sorted(self.pipeline.items(), key=_stage_order)},
            "guarantee_exposure": money_str(self.guarantee_exposure),
        }


def mortgages_report(date_from: date, date_to: date, user: Any = None, project: str | None = None) -> dict[str, Any]:
    """Per bank: applications, decisions, disbursements and their speed, SLA breaches, pipeline, guarantees."""
    if date_to < date_from:
        raise ValueError(f"--to {date_to} is before --from {date_from}")
    apps = LoanApplication.objects.filter(opened_on__lte=date_to).select_related("bank", "contract")
    if user is not None:
        apps = apps.visible_to(user)
    if project:
        apps = apps.filter(Q(project__code=project) | Q(project__name=project))
    apps_by_id = {a.pk: a for a in apps}
    figures: dict[int, BankFigures] = {}

    def of(bank: Bank) -> BankFigures:
        return figures.setdefault(bank.pk, BankFigures(bank))

    changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for app_id, on, to_stage in (StageChange.objects.filter(application_id__in=list(apps_by_id), on__lte=date_to)
                                 .order_by("application_id", "on", "id").values_list("application_id", "on",
                                                                                     "to_stage")):
        changes[app_id].append((on, to_stage))

    calendar = business_calendar()
    slas_by_bank: dict[int, dict[str, int]] = {}
    funnel: dict[str, int] = dict.fromkeys(FUNNEL_STAGES, 0)
    for app in apps_by_id.values():
        row = of(app.bank)
        opened_in_period = date_from <= app.opened_on <= date_to
        row.applications += opened_in_period
        row.approved += _within(app.approved_on, date_from, date_to)
        row.rejected += _within(app.rejected_on, date_from, date_to)
        if _within(app.disbursed_on, date_from, date_to):
            row.disbursed += 1
            row.amount_disbursed += app.disbursed_amount or ZERO
            row.days_to_disbursement.append(days_to_disbursement(app.contract.sign_date, app.disbursed_on))  # type: ignore[arg-type]
            row.days_application_to_disbursement.append(
                days_application_to_disbursement(app.opened_on, app.disbursed_on))  # type: ignore[arg-type]
        slas = slas_by_bank.setdefault(app.bank_id, rules.stage_slas(app.bank, date_to))
        history = changes.get(app.pk, [])
        _stints(row, history, slas, date_from, date_to, calendar)
        if history and history[-1][1] not in TERMINAL:
            row.pipeline[history[-1][1]] += app.amount
        if opened_in_period:
            reached = {stage for _, stage in history}
            for stage in FUNNEL_STAGES:
                funnel[stage] += stage in reached

    exposure = (Guarantee.objects.filter(application_id__in=list(apps_by_id), started_on__lte=date_to)
                .exclude(released_on__lte=date_to).select_related("bank"))
    for guarantee in exposure:
        of(guarantee.bank).guarantee_exposure += guarantee.amount

    banks = [figures[pk].as_dict() for pk in sorted(figures, key=lambda pk: figures[pk].bank.code)]
    return {
        "report": "mortgages",
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "banks": banks,
        "totals": _totals(list(figures.values())),
        "funnel": funnel,
    }


def _stints(row: BankFigures, history: list[tuple[date, str]], slas: dict[str, int], date_from: date,
            date_to: date, calendar: BusinessCalendar) -> None:
    """Each stage the application spent time in: its days, and whether it ran past the SLA."""
    for index, (entered, stage) in enumerate(history):
        if stage in TERMINAL:
            continue
        left = history[index + 1][0] if index + 1 < len(history) else None
        sla = slas.get(stage)
        if left is not None and date_from <= left <= date_to:
            row.stage_days[stage].append((left - entered).days)
            row.sla_breaches += deadlines.is_breached(entered, sla, left, calendar)
        elif left is None:
            row.sla_breaches += deadlines.is_breached(entered, sla, date_to, calendar)


def _totals(rows: list[BankFigures]) -> dict[str, Any]:
    days = [d for r in rows for d in r.days_to_disbursement]
    bank_days = [d for r in rows for d in r.days_application_to_disbursement]
    pipeline: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        for stage, amount in r.pipeline.items():
            pipeline[stage] += amount
    approved, rejected = sum(r.approved for r in rows), sum(r.rejected for r in rows)
    return {
        "applications": sum(r.applications for r in rows),
        "approved": approved,
        "rejected": rejected,
        "approval_rate": _ratio(approved, approved + rejected),
        "disbursed": sum(r.disbursed for r in rows),
        "amount_disbursed": money_str(sum((r.amount_disbursed for r in rows), ZERO)),
        "avg_days_to_disbursement": _days(deadlines.average(days)),
        "p90_days_to_disbursement": _days(deadlines.percentile(days, 90)),
        "avg_days_application_to_disbursement": _days(deadlines.average(bank_days)),
        "p90_days_application_to_disbursement": _days(deadlines.percentile(bank_days, 90)),
        "sla_breaches": sum(r.sla_breaches for r in rows),
        "pipeline_by_stage": {s: money_str(a) for s, a in sorted(pipeline.items(), key=_stage_order)},
        "guarantee_exposure": money_str(sum((r.guarantee_exposure for r in rows), ZERO)),
    }


def _within(day: date | None, date_from: date, date_to: date) -> bool:
    return day is not None and date_from <= day <= date_to


def _days(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _ratio(part: int, whole: int) -> str | None:
    return None if not whole else f"{deadlines.one_place(Decimal(part) * 100 / whole):.1f}"


_ORDER = {stage: n for n, stage in enumerate((*FUNNEL, "rejected", "withdrawn"))}


def _stage_order(item: tuple[str, Any]) -> int:
    return _ORDER.get(item[0], 99)


def render_text(data: dict[str, Any], out: TextIO) -> None:
    """A plain table: one line per bank, then the totals."""
    out.write(f"mortgages {data['from']} – {data['to']}\n")
    head = f"{'bank':<8}{'apps':>6}{'appr':>6}{'rej':>5}{'disb':>6}{'amount':>18}{'avg d':>8}{'p90 d':>8}" \
           f"{'SLA!':>6}{'guarantee':>18}\n"
    out.write(head)
    for row in [*data["banks"], {"bank": "total", **data["totals"]}]:
        out.write(f"{row['bank']:<8}{row['applications']:>6}{row['approved']:>6}{row['rejected']:>5}"
                  f"{row['disbursed']:>6}{row['amount_disbursed']:>18}{row['avg_days_to_disbursement'] or '—':>8}"
                  f"{row['p90_days_to_disbursement'] or '—':>8}{row['sla_breaches']:>6}"
                  f"{row['guarantee_exposure']:>18}\n")


@register("mortgages", text=render_text, help="loan pipeline per bank: decisions, speed, SLA breaches, exposure")
def mortgages(options: ReportOptions) -> dict[str, Any]:
    date_to = options.date_to or options.as_of
    date_from = options.date_from or date_to.replace(month=1, day=1)
    return mortgages_report(date_from, date_to, user=options.user, project=options.project)
