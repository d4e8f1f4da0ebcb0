"""Restructuring: an extension or a new installment plan for what a case owes, approved by a second
person. Approval replaces the old lines' remainder with new plan lines in one transaction: new
`Receivable` rows, and an ADJUSTMENT entry on each old line that closes exactly what it still owed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from huikuan.core.money import ZERO, to_money
from huikuan.core.services import record
from huikuan.receivables.choices import EntryKind, ReceivableKind
from huikuan.receivables.lock_objects import lock_receivables
from huikuan.receivables.models import LedgerEntry, Receivable
from huikuan.receivables.services import outstanding_of

from .casework import CaseError, _need, _open_case_locked, _user, close_if_paid
from .choices import ActionKind, ApprovalStatus, CloseReason, RestructuringKind
from .models import CaseAction, CollectionCase, Restructuring


def _plan(lines: Sequence[tuple[date, Decimal | str]]) -> list[tuple[date, Decimal]]:
    plan = sorted((due, to_money(amount)) for due, amount in lines)
    if not plan:
        raise CaseError("a restructuring needs at least one new line")
    if any(amount <= ZERO for _, amount in plan):
        raise CaseError("every new line must be a positive amount")
    return plan


@transaction.atomic
def request_restructuring(case: CollectionCase, *, actor: Any, kind: str, receivables: Sequence[Receivable],
                          lines: Sequence[tuple[date, Decimal | str]], reason: str) -> Restructuring:
    reason = _need(reason)
    if kind not in RestructuringKind.values:
        raise CaseError(f"unknown restructuring kind {kind!r}")
    case = _open_case_locked(case)
    if any(r.contract_id != case.contract_id for r in receivables) or not receivables:
        raise CaseError("restructure lines of the case's own contract")
    owed = outstanding_of([r.pk for r in receivables])
    total = sum(owed.values(), ZERO)
    plan = _plan(lines)
    planned = sum((amount for _, amount in plan), ZERO)
    if planned != total:
        raise CaseError(f"the new lines sum to {planned}, the lines replaced still owe {total}")
    if kind == RestructuringKind.EXTENSION and len(plan) != 1:
        raise CaseError("an extension has exactly one new line")
    item = Restructuring.objects.create(
        case=case, contract_id=case.contract_id, kind=kind, amount=total, reason=reason, requested_by=actor,
        plan=[{"due_date": d.isoformat(), "amount": f"{a:.2f}"} for d, a in plan])
    item.receivables.set(receivables)
    record(actor, "restructuring.requested", item, amount=total, plan=item.plan)
    return item


@transaction.atomic
def decide_restructuring(item: Restructuring, *, actor: Any, approve: bool, note: str = "",
                         on: date | None = None) -> Restructuring:
    """Approve (new plan lines, the old lines' remainder adjusted off, dated `on` — default today in
    Asia/Shanghai) or reject a requested restructuring; the approver must not be the requester."""
    item = Restructuring.objects.select_for_update().get(pk=item.pk)
    if item.status != ApprovalStatus.REQUESTED:
        raise CaseError(f"restructuring already {item.status}")
    if item.requested_by_id == getattr(actor, "pk", None):
        raise CaseError("a restructuring must be approved by someone other than who requested it")
    item.decided_by, item.decided_at = actor, timezone.now()
    if not approve:
        item.status = ApprovalStatus.REJECTED
        item.save()
        record(actor, "restructuring.rejected", item, note=note)
        return item
    case = _open_case_locked(item.case)
    old_ids = list(item.receivables.values_list("pk", flat=True))
    rows = lock_receivables(old_ids)
    owed = outstanding_of(old_ids)
    if sum(owed.values(), ZERO) != item.amount:
        raise CaseError(f"the lines now owe {sum(owed.values(), ZERO)}, not {item.amount}; request it again")
    today = on or timezone.localdate()
    user = actor if getattr(actor, "pk", None) else None
    seq = (Receivable.objects.filter(contract_id=item.contract_id, kind=ReceivableKind.INSTALLMENT)
           .aggregate(m=Max("seq"))["m"] or 0)
    label = "展期" if item.kind == RestructuringKind.EXTENSION else "分期"
    new_rows = [
        Receivable.objects.create(contract_id=item.contract_id, kind=ReceivableKind.INSTALLMENT, seq=seq + i,
                                  name=f"{label}{i}/{len(item.plan)}", due_date=date.fromisoformat(line["due_date"]),
                                  amount=Decimal(line["amount"]), created_by=user)
        for i, line in enumerate(item.plan, start=1)
    ]
    LedgerEntry.objects.bulk_create([
        LedgerEntry(contract_id=item.contract_id, receivable_id=pk, kind=EntryKind.ADJUSTMENT, amount=-owed[pk],
                    posted_on=today, note=f"restructured ({item.kind} #{item.pk})", created_by=user)
        for pk in sorted(rows) if owed[pk] != ZERO
    ])
    item.new_receivables.set(new_rows)
    item.status = ApprovalStatus.APPROVED
    item.save()
    CaseAction.objects.create(case=case, kind=ActionKind.RESTRUCTURE, amount=item.amount, done_on=today,
                              reason=f"{item.kind}: {len(new_rows)} new line(s)", actor=_user(actor))
    record(actor, "restructuring.approved", item, amount=item.amount, new=[r.pk for r in new_rows],
           closed={str(k): str(v) for k, v in owed.items()})
    close_if_paid(item.contract_id, today, reason=CloseReason.RESTRUCTURED)
    return item
