"""What the pages show: the specialist's work items (stage timer against the SLA, documents due, the
next action), the board by stage, and the bank comparison. Reads only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from huikuan.core.calendar import BusinessCalendar
from huikuan.core.money import ZERO, quantize

from . import rules
from .choices import DocumentStatus, Stage
from .models import Bank, BankAgreement, BankPolicy, ChecklistItem, LoanApplication
from .pipeline import BEFORE_DISBURSEMENT, FUNNEL, NEXT_ACTION, allowed_moves
from .quota import quota_use, used_this_month
from .reports import mortgages_report

BOARD_STAGES = (*FUNNEL[:-1], Stage.REJECTED)


@dataclass
class WorkItem:
    application: LoanApplication
    timer: rules.StageTimer
    next_action: str
    missing: int
    documents_due: list[ChecklistItem]
    overdue_documents: int
    disbursement_overdue: bool
    moves: tuple[str, ...] = ()


def work_items(applications: QuerySet[LoanApplication], as_of: date, calendar: BusinessCalendar) -> list[WorkItem]:
    """One row per application, with what is late first within each stage."""
    documents = ChecklistItem.objects.exclude(status__in=[DocumentStatus.RECEIVED, DocumentStatus.WAIVED])
    rows = applications.with_related().prefetch_related(  # type: ignore[attr-defined]
        Prefetch("documents", documents.order_by("due_on", "id"), to_attr="open_documents"))
    slas: dict[int, dict[str, int]] = {}
    items = []
    for app in rows:
        bank_slas = slas.setdefault(app.bank_id, rules.stage_slas(app.bank, as_of))
        deferred = [d for d in app.open_documents if d.status == DocumentStatus.DEFERRED]
        items.append(WorkItem(
            application=app, timer=rules.stage_timer(app, as_of, calendar, bank_slas),
            next_action=NEXT_ACTION.get(app.stage, ""),
            missing=sum(1 for d in app.open_documents if d.status == DocumentStatus.MISSING and d.required),
            documents_due=deferred, overdue_documents=sum(1 for d in deferred if d.due_on and d.due_on < as_of),
            disbursement_overdue=app.stage in BEFORE_DISBURSEMENT and as_of > app.expected_disbursement_on,
            moves=allowed_moves(app.stage)))
    items.sort(key=lambda i: (not i.timer.breached, -i.timer.days_in_stage))
    return items


def by_stage(items: list[WorkItem]) -> list[tuple[str, str, list[WorkItem], Decimal]]:
    """(stage, label, items, amount) in board order, empty stages included."""
    grouped: dict[str, list[WorkItem]] = defaultdict(list)
    for item in items:
        grouped[item.application.stage].append(item)
    return [(stage, str(Stage(stage).label), grouped.get(stage, []),
             quantize(sum((i.application.amount for i in grouped.get(stage, [])), ZERO)))
            for stage in BOARD_STAGES]


@dataclass
class BankRow:
    bank: Bank
    policy: BankPolicy | None
    agreement: BankAgreement | None
    quota_used: Decimal
    quota_left: Decimal | None
    figures: dict[str, Any] = field(default_factory=dict)


def bank_comparison(as_of: date, user: Any) -> list[BankRow]:
    """Current policy, agreement, this month's quota use, and measured performance over the last year."""
    report = mortgages_report(as_of - timedelta(days=365), as_of, user=user)
    figures = {row["bank"]: row for row in report["banks"]}
    used = used_this_month(as_of)
    rows = []
    for bank in Bank.objects.filter(is_partner=True).order_by("code"):
        use = quota_use(bank, as_of, used)
        rows.append(BankRow(bank=bank, policy=rules.policy_in_force(bank, as_of),
                            agreement=rules.agreement_in_force(bank, None, as_of),
                            quota_used=use.used, quota_left=use.left, figures=figures.get(bank.code, {})))
    return rows
