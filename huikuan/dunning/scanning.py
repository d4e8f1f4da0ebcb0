"""The overdue scan: every live contract's late lines as of a date, their bucket and level, the level
changes, and the collection cases that follow from them.

Idempotent and resumable. The run is claimed with a conditional UPDATE (only a pending, failed or
stale run can be claimed, and only one claimer wins). Contracts are processed in id windows; each
window's results and the run's progress commit in one transaction, so a run that dies half-way
resumes after the last committed window and nothing is written twice. Every write is an upsert keyed
by (date, receivable) or (receivable), so redoing a date from scratch leaves the same state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huikuan.core.money import ZERO
from huikuan.sales.models import Contract

from . import levels
from .aging import Bucket, bucket_for
from .bulk import update_rows
from .choices import PromiseStatus, Risk, ScanStatus
from .config import PolicyChoice, load_buckets, load_policies, load_rules
from .models import LevelChange, OverdueSnapshot, PromiseToPay, ReceivableStatus, ScanRun
from .positions import ContractPosition, contract_positions
from .staffing import Staffing

WINDOW = 2_000           # contracts per committed window
STALE_AFTER = timedelta(minutes=10)


class ScanBusy(RuntimeError):
    """Another worker holds the run for this date."""


@dataclass
class ScanContext:
    as_of: date
    rules: list[levels.Rule]
    buckets: list[Bucket]
    policies: list[PolicyChoice]
    risky_customers: set[int]
    staffing: Staffing = field(default_factory=Staffing)


def risky_customers(as_of: date) -> set[int]:
    """Customers who broke a promise to pay in the past year count as high risk."""
    since = as_of - timedelta(days=365)
    return set(PromiseToPay.objects.filter(status=PromiseStatus.BROKEN, pay_by__gte=since, pay_by__lt=as_of)
               .values_list("case__customer_id", flat=True))


def claim(as_of: date, *, force: bool = False) -> tuple[ScanRun, str] | None:
    """Claim the run for `as_of`; None when it is already done (and not forced)."""
    run, _ = ScanRun.objects.get_or_create(as_of=as_of)
    if run.status == ScanStatus.DONE and not force:
        return None
    now = timezone.now()
    claimable = Q(status__in=[ScanStatus.PENDING, ScanStatus.FAILED]) | Q(status=ScanStatus.RUNNING,
                                                                          heartbeat_at__lt=now - STALE_AFTER)
    token = uuid.uuid4().hex
    changes: dict = {"status": ScanStatus.RUNNING, "token": token, "heartbeat_at": now, "error": ""}
    if run.status == ScanStatus.DONE:  # forced: redo from the first contract
        claimable |= Q(status=ScanStatus.DONE)
        changes.update(last_contract_id=0, contracts_done=0, totals={}, finished_at=None, started_at=None)
    if ScanRun.objects.filter(pk=run.pk).filter(claimable).update(**changes) != 1:
        raise ScanBusy(f"the scan for {as_of} is running elsewhere")
    run = ScanRun.objects.get(as_of=as_of)
    if run.started_at is None:
        run.started_at = now
        run.contracts_total = Contract.objects.live().count()
        run.save(update_fields=["started_at", "contracts_total"])
    return run, token


def scan_overdue(as_of: date, *, force: bool = False, window: int = WINDOW,
                 progress: Callable[[int, int], None] | None = None) -> ScanRun:
    """Scan every live contract as of `as_of`. Done already: returns the run untouched (`force` redoes it)."""
    claimed = claim(as_of, force=force)
    if claimed is None:
        return ScanRun.objects.get(as_of=as_of)
    run, token = claimed
    ctx = ScanContext(as_of, load_rules(), load_buckets(), load_policies(), risky_customers(as_of))
    try:
        while True:
            ids = list(Contract.objects.live().filter(pk__gt=run.last_contract_id).order_by("pk")
                       .values_list("pk", flat=True)[:window])
            if not ids:
                break
            window_contracts = Contract.objects.live().filter(pk__gt=run.last_contract_id, pk__lte=ids[-1])
            positions = list(contract_positions(as_of, window_contracts))
            commit_window(run, token, ctx, positions, run.last_contract_id, ids[-1])
            if progress:
                progress(run.contracts_done, run.contracts_total)
    except Exception as exc:
        ScanRun.objects.filter(pk=run.pk, token=token).update(status=ScanStatus.FAILED, error=repr(exc)[:2000])
        raise
    ScanRun.objects.filter(pk=run.pk, token=token).update(status=ScanStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


@transaction.atomic
def commit_window(run: ScanRun, token: str, ctx: ScanContext, positions: list[ContractPosition],
                  after_id: int, last_id: int) -> None:
    from .casework import sync_cases

    if not ScanRun.objects.select_for_update().filter(pk=run.pk, token=token).exists():
        raise ScanBusy(f"the scan for {run.as_of} was taken over by another worker")
    in_window = {"contract_id__gt": after_id, "contract_id__lte": last_id}
    verdicts = evaluate_positions(ctx, positions)
    write_snapshots(ctx.as_of, positions, verdicts, in_window, ctx.buckets)
    write_statuses(ctx.as_of, positions, verdicts, in_window)
    sync_cases(ctx, positions, verdicts, in_window)
    totals = dict(run.totals)
    for pos in positions:
        key = f"{pos.project_id}:{pos.customer_type}"
        totals[key] = str(Decimal(totals.get(key, "0")) + pos.due)
    run.totals = totals
    run.last_contract_id = last_id
    run.contracts_done += len(positions)
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["totals", "last_contract_id", "contracts_done", "heartbeat_at"])


def risk_of(ctx: ScanContext, pos: ContractPosition) -> str:
    return Risk.HIGH if pos.customer_id in ctx.risky_customers else Risk.NORMAL


def evaluate_positions(ctx: ScanContext, positions: list[ContractPosition]) -> dict[int, levels.Verdict]:
    """Level verdict per late receivable id."""
    result: dict[int, levels.Verdict] = {}
    for pos in positions:
        risk = risk_of(ctx, pos)
        for line in pos.late_lines:
            result[line.receivable_id] = levels.evaluate(ctx.rules, levels.Facts(line.days, line.overdue,
                                                                                 line.kind, risk))
    return result


def write_snapshots(as_of: date, positions: list[ContractPosition], verdicts: dict[int, levels.Verdict],
                    in_window: dict, buckets: list[Bucket] | None = None) -> None:
    buckets = buckets or load_buckets()
    OverdueSnapshot.objects.filter(as_of=as_of, **in_window).delete()
    OverdueSnapshot.objects.bulk_create([
        OverdueSnapshot(as_of=as_of, receivable_id=line.receivable_id, contract_id=pos.contract_id,
                        project_id=pos.project_id, customer_id=pos.customer_id, kind=line.kind,
                        effective_due=line.effective_due, days=line.days, bucket=bucket_for(line.days, buckets),
                        level=verdicts[line.receivable_id].level, amount=line.overdue)
        for pos in positions for line in pos.late_lines
    ], batch_size=2_000)


def write_statuses(as_of: date, positions: list[ContractPosition], verdicts: dict[int, levels.Verdict],
                   in_window: dict) -> None:
    """Bring each receivable's latest level up to `as_of`, recording every change with its reason.
    A scan of an earlier date than the status already holds changes nothing (no time travel)."""
    existing = {s.receivable_id: s for s in ReceivableStatus.objects.filter(**in_window)}
    late = {line.receivable_id: (pos, line) for pos in positions for line in pos.late_lines}
    creates, updates, deletes, changes = [], [], [], []
    for rid, (pos, line) in late.items():
        verdict = verdicts[rid]
        status = existing.get(rid)
        if status is None:
            creates.append(ReceivableStatus(receivable_id=rid, contract_id=pos.contract_id, as_of=as_of,
                                            level=verdict.level, days=line.days, amount=line.overdue))
            changes.append(LevelChange(receivable_id=rid, contract_id=pos.contract_id, as_of=as_of, from_level="",
                                       to_level=verdict.level, reason=verdict.reason[:255]))
            continue
        if status.as_of > as_of:
            continue
        if status.level != verdict.level:
            changes.append(LevelChange(receivable_id=rid, contract_id=pos.contract_id, as_of=as_of,
                                       from_level=status.level, to_level=verdict.level, reason=verdict.reason[:255]))
        if (status.as_of, status.level, status.days, status.amount) != (as_of, verdict.level, line.days, line.overdue):
            status.as_of, status.level, status.days, status.amount = as_of, verdict.level, line.days, line.overdue
            updates.append(status)
    for rid, status in existing.items():
        if rid not in late and status.as_of <= as_of:
            changes.append(LevelChange(receivable_id=rid, contract_id=status.contract_id, as_of=as_of,
                                       from_level=status.level, to_level="", reason="no longer overdue"))
            deletes.append(rid)
    ReceivableStatus.objects.bulk_create(creates, batch_size=2_000)
    update_rows(updates, ["as_of", "level", "days", "amount"])
    ReceivableStatus.objects.filter(pk__in=deletes).delete()
    LevelChange.objects.bulk_create(changes, batch_size=2_000, ignore_conflicts=True)


def late_total(positions: list[ContractPosition]) -> Decimal:
    return sum((pos.overdue for pos in positions), ZERO)
