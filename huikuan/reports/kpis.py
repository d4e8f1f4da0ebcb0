"""`huikuan report kpis --period 2026Q3 [--project P] --json`: every measure of the period, one JSON document.

Keys are the measures' names (huikuan/reports/measures/, formulas in docs/measures.md); amounts are
decimal strings with two places, ratios decimal strings with four (0.1234 = 12.34 %), days with two.
A measure whose data does not exist yet is null, with the reason under `notes`.
The dashboard, the API and the quarterly review all read this document (`kpis_data`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from .measures import (
    banks,
    collections,
    contribution,
    cycle,
    difficulties,
    dso,
    forecast,
    overdue,
    sales_kpis,
    targets,
    tools,
)
from .measures.base import NotAvailable, Scope
from .measures.facts import Facts, start_helper
from .measures.ledger import shared_positions
from .periods import Period, PeriodError
from .registry import ReportOptions, register

Measure = Callable[[Period, Scope], Any]

# every measure of the kpis document, in the order of the review's sections
MEASURES: dict[str, Measure] = {
    # 1 results against targets
    "signed_amount": targets.signed_amount,
    "signed_units": targets.signed_units,
    "target_completion_total": targets.target_completion_total,
    "target_completion": targets.target_completion,
    "target_units_completion": targets.target_units_completion,
    "target_completion_by_region": targets.target_completion_by_region,
    "target_completion_by_product_line": targets.target_completion_by_product_line,
    "signed_share_by_product_line": targets.signed_share_by_product_line,
    "sell_through": targets.sell_through,
    "collections_total": collections.collections_total,
    "collections_by_method": collections.collections_by_method,
    "collections_by_method_share": collections.collections_by_method_share,
    "collections_by_project": collections.collections_by_project,
    "collections_by_building": collections.collections_by_building,
    "collections_last_year": collections.collections_last_year,
    "collections_previous_quarter": collections.collections_previous_quarter,
    "collections_yoy": collections.collections_yoy,
    "collections_qoq": collections.collections_qoq,
    "collections_target_completion": collections.collections_target_completion,
    "collection_rate": collections.collection_rate,
    "collection_rate_by_project": collections.collection_rate_by_project,
    "collection_cycle_days": cycle.collection_cycle_days,
    "collection_cycle_p90": cycle.collection_cycle_p90,
    "collection_cycle_by_product_line": cycle.collection_cycle_by_product_line,
    "collection_cycle_by_method": cycle.collection_cycle_by_method,
    "collection_cycle_distribution": cycle.collection_cycle_distribution,
    "overdue_over_30_amount": overdue.overdue_over_30_amount,
    "overdue_over_30_ratio": overdue.overdue_over_30_ratio,
    "overdue_over_30_ratio_previous": overdue.overdue_over_30_ratio_previous,
    "overdue_over_30_ratio_change": overdue.overdue_over_30_ratio_change,
    "overdue_by_warning_level": overdue.overdue_by_warning_level,
    "bank_disbursement_days": banks.bank_disbursement_days,
    "bank_disbursement_days_p90": banks.bank_disbursement_days_p90,
    "bank_disbursement_days_previous": banks.bank_disbursement_days_previous,
    "disbursement_days_all_banks": banks.disbursement_days_all_banks,
    "disbursement_days_all_banks_previous": banks.disbursement_days_all_banks_previous,
    "project_collections_share": contribution.project_collections_share,
    "project_collections_rank": contribution.project_collections_rank,
    "project_collections_rank_previous": contribution.project_collections_rank_previous,
    "vip_repeat_purchase_share": contribution.vip_repeat_purchase_share,
    "referral_purchase_share": contribution.referral_purchase_share,
    "dso": dso.dso,
    # 2 process
    "signing_to_down_payment_days": sales_kpis.signing_to_down_payment_days,
    "down_payment_arrival_rate": sales_kpis.down_payment_arrival_rate,
    "down_payment_arrival_rate_by_agent": sales_kpis.down_payment_arrival_rate_by_agent,
    "final_payments": collections.final_payments,
    "mortgage_pipeline": banks.mortgage_pipeline,
    # 3 difficulties
    "credit_flags": difficulties.credit_flags,
    "mortgage_rejections": banks.mortgage_rejections,
    "bank_policy_changes": lambda p, s: banks.bank_policy_changes(p),
    "promises_to_pay": difficulties.promises_to_pay,
    "disputes": difficulties.disputes,
    "legal_actions": difficulties.legal_actions,
    "cases_closed": difficulties.cases_closed,
    # 4 tools
    "reconciliation_auto_match_rate": tools.reconciliation_auto_match_rate,
    "reconciliation_first_pass_auto_rate": tools.reconciliation_first_pass_auto_rate,
    "reminders_sent": tools.reminders_sent,
    "reminder_effect": tools.reminder_effect,
    # 5 next quarter
    "next_quarter_targets": lambda p, s: targets.targets_of(p.next(), s),
    "cash_forecast": forecast.cash_forecast,
}


# the measures the management dashboard shows: each is a sum over the per-project facts (measures/facts.py),
# so the dashboard computes them from the stored facts for any scope, and equals this report to the cent
DASHBOARD_MEASURES: dict[str, Callable[[Facts], Any]] = {
    "signed_amount": targets.signed_amount_of,
    "signed_units": targets.signed_units_of,
    "target_completion_total": targets.target_completion_total_of,
    "target_completion": targets.target_completion_of,
    "target_completion_by_region": targets.target_completion_by_region_of,
    "target_completion_by_product_line": targets.target_completion_by_product_line_of,
    "signed_share_by_product_line": targets.signed_share_by_product_line_of,
    "collections_total": collections.collections_total_of,
    "collections_by_method": collections.collections_by_method_of,
    "collections_by_method_share": collections.collections_by_method_share_of,
    "collections_by_project": collections.collections_by_project_of,
    "collections_by_building": collections.collections_by_building_of,
    "collections_last_year": collections.collections_last_year_of,
    "collections_yoy": collections.collections_yoy_of,
    "collection_rate": collections.collection_rate_of,
    "overdue_over_30_ratio": overdue.overdue_over_30_ratio_of,
    "bank_disbursement_days": banks.bank_disbursement_days_of,
    "bank_disbursement_days_previous": banks.bank_disbursement_days_previous_of,
    "dso": dso.dso_of,
    "cash_forecast": forecast.cash_forecast_of,
}


def plain(value: Any) -> Any:
    """Decimals as decimal strings (already rounded by their measure), dates ISO, dicts and lists through."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _directory(facts: Facts) -> dict[str, Any]:
    """Names for the codes in the document: the scope's projects and their regions, the partner banks."""
    projects = sorted(facts.projects.values(), key=lambda p: p["code"])
    return {
        "projects": {p["code"]: {"name": p["name"], "region": p["region"], "product_line": p["product_line"],
                                 "zone": p["zone"]} for p in projects},
        "regions": dict(sorted({p["region"]: p["region_name"] for p in projects if p["region"]}.items())),
        "banks": banks.banks_directory(),
    }


def _head(period: Period, scope: Scope, computed_at: str) -> dict[str, Any]:
    return {"period": period.label, "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
            "scope": None if scope.project_ids is None else sorted(scope.project_ids), "computed_at": computed_at}


def kpis_data(period: Period, scope: Scope, *, only: list[str] | None = None, parallel: bool = False) -> dict[str, Any]:
    """The kpis document (plain JSON values) for the period over the scope. With `parallel` (the command line),
    the previous quarter's pass of receivables.balances may run in a forked helper process meanwhile."""
    document = _head(period, scope, timezone.now().isoformat(timespec="seconds"))
    notes: dict[str, str] = {}
    with shared_positions():
        if parallel and only is None:
            start_helper(period, scope)
        for key, measure in MEASURES.items():
            if only is not None and key not in only:
                continue
            value = measure(period, scope)
            if isinstance(value, NotAvailable):
                notes[key] = value.note
                value = None
            document[key] = plain(value)
        document.update(_directory(Facts.live(period, scope)))
    document["notes"] = notes
    return document


def dashboard_data(facts: Facts, computed_at: str) -> dict[str, Any]:
    """The dashboard's measures (DASHBOARD_MEASURES) from the facts — stored ones on the dashboard — in the
    kpis document's form: the same keys, values and notes as `kpis_data` for the same period and scope."""
    document = _head(facts.period, facts.scope, computed_at)
    notes: dict[str, str] = {}
    for key, measure in DASHBOARD_MEASURES.items():
        value = measure(facts)
        if isinstance(value, NotAvailable):
            notes[key] = value.note
            value = None
        document[key] = plain(value)
    document.update(_directory(facts))
    document["notes"] = notes
    return document


def period_of(options: ReportOptions) -> Period:
    """--period 2026Q3 (or --option period=2026Q3); else the quarter of --from, or the
    last full quarter before --as-of."""
    text = options.extra.get("period")
    if text:
        return Period.parse(text)
    if options.date_from:
        return Period.containing(options.date_from)
    return Period.containing(options.as_of).previous()


def scope_of(options: ReportOptions) -> Scope:
    return Scope.of(user=options.user, project=options.project, region=options.extra.get("region"))


def _render_text(data: dict[str, Any], out: TextIO) -> None:
    out.write(f"经营指标 KPIs {data['period']} ({data['period_start']} .. {data['period_end']})\n")
    for key in MEASURES:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, dict | list):
            import json

            value = json.dumps(value, ensure_ascii=False)
        elif value is None:
            value = "—  " + data["notes"].get(key, "(nothing to divide by)")
        out.write(f"  {key:<38} {value}\n")


@register("kpis", text=_render_text, help="every management measure for --period 2026Q3 (see docs/measures.md)")
def kpis(options: ReportOptions) -> dict[str, Any]:
    try:
        period = period_of(options)
    except PeriodError as exc:
        from django.core.management.base import CommandError

        raise CommandError(str(exc))
    return kpis_data(period, scope_of(options), parallel=options.parallel)
