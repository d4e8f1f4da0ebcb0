"""The demo's figures beyond sales and money: the loan pipeline, the bank statements of the quarter's
last weeks and the dunning work — measured from the database (definitions in docs/demo.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from huikuan.banking.models import BankTransaction, Match
from huikuan.core.money import ZERO, quantize
from huikuan.dunning.models import CaseAction, CollectionCase, Dispute, PromiseToPay
from huikuan.mortgages.models import BankPolicy, ChecklistItem, Guarantee, LoanApplication, Notice

from .timeline import STATEMENT_WINDOW, TODAY, quarter_bounds


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return quantize(Decimal(part) * 100 / Decimal(whole)) if whole else ZERO


def days_to_disbursement(start: date, end: date) -> Decimal:
    """Mean calendar days from the application (opened_on) to the money, over the loans disbursed in the
    period — a backup bank timed from its own application (the quarterly review's definition)."""
    spans = [(d - o).days for d, o in LoanApplication.objects.filter(disbursed_on__range=(start, end))
             .values_list("disbursed_on", "opened_on")]
    return quantize(Decimal(sum(spans)) / len(spans)) if spans else ZERO


def _counts(qs: Any, field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by(field)}


def mortgage_figures(year: int, quarter: int) -> dict[str, Any]:
    start, end = quarter_bounds(year, quarter)
    apps = LoanApplication.objects.all()
    deferred = ChecklistItem.objects.filter(status="deferred")
    return {
        "loan_applications": apps.count(),
        "applications_by_stage": _counts(apps, "stage"),
        "rejected_in_quarter": apps.filter(rejected_on__range=(start, end)).count(),
        "switched_to_backup_bank": apps.filter(replaces__isnull=False, replaces__way_out="backup_bank").count(),
        "switched_after_pre_check": apps.filter(replaces__isnull=False, replaces__stage="withdrawn").count(),
        "conditionally_accepted": apps.filter(conditionally_accepted=True).count(),
        "deferred_documents_overdue": deferred.filter(due_on__lt=TODAY).count(),
        "guarantees_active_released": (Guarantee.objects.filter(status="active").count(),
                                       Guarantee.objects.filter(status="released").count()),
        "policy_changes_in_quarter": BankPolicy.objects.filter(effective_from__range=(start, end)).count(),
        "specialist_notices": _counts(Notice.objects.all(), "kind"),
    }


def statement_figures() -> dict[str, Any]:
    """The statements of the quarter's last weeks: money-in lines, how the engine first decided each
    (first-pass auto rate = lines the engine matched automatically at once / money-in lines; the window's
    version of reports.measures.tools.reconciliation_first_pass_auto_rate), and what waits in the review
    queue now."""
    lines = BankTransaction.objects.filter(amount__gt=0, date__range=STATEMENT_WINDOW)
    first: dict[int, str] = {}
    for txn, status in Match.objects.filter(transaction__in=lines).order_by("pk").values_list("transaction",
                                                                                              "status"):
        first.setdefault(txn, status)
    auto = sum(1 for status in first.values() if status == "auto")
    queue = Match.objects.filter(transaction__date__range=STATEMENT_WINDOW, status__in=["suggested", "exception"])
    return {
        "statement_lines_in": lines.count(),
        "auto_matched": auto,
        "first_pass_auto_rate_pct": _pct(auto, lines.count()),
        "settled_now": Match.objects.filter(transaction__in=lines, status__in=["auto", "confirmed"]).count(),
        "review_queue": {f"{s}{'/' + k if k else ''}": n for s, k, n in
                         queue.values_list("status", "exception_kind").annotate(n=Count("pk")).order_by("status")},
        "review_queue_amount": quantize(queue.aggregate(s=Sum("transaction__amount"))["s"] or ZERO),
    }


def dunning_figures(year: int, quarter: int) -> dict[str, Any]:
    start, end = quarter_bounds(year, quarter)
    cases = CollectionCase.objects.all()
    disputes = Dispute.objects.all()
    breached = sum(1 for d in disputes if d.first_response_at and d.breached())
    steps = CaseAction.objects.filter(kind="step", status="done")
    return {
        "cases_opened_in_quarter": cases.filter(opened_on__range=(start, end)).count(),
        "cases_open_by_level": _counts(cases.filter(status="open"), "level"),
        "cases_with_vip_advisor": cases.filter(Q(owner_reason="advisor")).count(),
        "promises_in_quarter": _counts(PromiseToPay.objects.filter(pay_by__range=(start, end)), "status"),
        "promises_all": _counts(PromiseToPay.objects.all(), "status"),
        "disputes": {"opened": disputes.count(), "answered_late": breached,
                     "resolved": disputes.filter(status="resolved").count(),
                     "waived": disputes.filter(waiver__isnull=False).count(),
                     "open": disputes.filter(status="open").count()},
        "restructurings_approved": cases.filter(restructurings__status="approved").count(),
        "lawyer_letters": steps.filter(channel="lawyer_letter").count(),
        "litigation_referrals": steps.filter(channel="litigation").count(),
    }
