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

from huikuan.core.bulk import delete_ids, insert_rows, update_values
from huikuan.core.money import ZERO
from huikuan.receivables.models import Receivable
from huikuan.sales.models import Contract

from . import levels, read_ahead
from .aging import Bucket, bucket_for
from .choices import PromiseStatus, Risk, ScanStatus
from .config import PolicyChoice, load_buckets, load_policies, load_rules
from .models import LevelChange, OverdueSnapshot, PromiseToPay, ReceivableStatus, ScanRun
from .positions import ContractPosition
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
    judge: levels.Judge = field(init=False)
    schedules: dict = field(default_factory=dict)   # (policy, oldest due) → the steps' days, for the scan

    def __post_init__(self) -> None:
        self.judge = levels.Judge(self.rules)


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
                 progress: Callable[[int, int], None] | None = None, parallel: bool = True) -> ScanRun:
    """Scan every live contract as of `as_of`. Done already: returns the run untouched (`force` redoes it).
    With `parallel`, a second process reads the ledger ahead where it can (see `read_ahead`)."""
    claimed = claim(as_of, force=force)
    if claimed is None:
        return ScanRun.objects.get(as_of=as_of)
    run, token = claimed
    ctx = ScanContext(as_of, load_rules(), load_buckets(), load_policies(), risky_customers(as_of))
    try:
        bounds = read_ahead.window_bounds(run.last_contract_id, window)
        windows = (read_ahead.read_ahead(as_of, bounds) if parallel and read_ahead.usable(len(bounds))
                   else ((a, b, read_ahead.positions_of(as_of, a, b)) for a, b in bounds))
        try:
            for after_id, last_id, positions in windows:
                commit_window(run, token, ctx, positions, after_id, last_id)
                if progress:
                    progress(run.contracts_done, run.contracts_total)
        finally:
            windows.close()   # a reader still running is stopped now, not when the generator is collected
        while True:   # contracts signed while the scan ran
            ids = list(Contract.objects.live().filter(pk__gt=run.last_contract_id).order_by("pk")
                       .values_list("pk", flat=True)[:window])
            if not ids:
                break
            commit_window(run, token, ctx, read_ahead.positions_of(as_of, run.last_contract_id, ids[-1]),
                          run.last_contract_id, ids[-1])
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


def evaluate_positions(ctx: ScanContext, positions: list[ContractPosition]) -> dict[int, levels.Judged]:
    """Level verdict per late receivable id (the same as `levels.evaluate`, reasons written on demand)."""
    judge = ctx.judge.judge
    facts = levels.Facts
    result: dict[int, levels.Judged] = {}
    for pos in positions:
        risk = risk_of(ctx, pos)
        for line in pos.late_lines:
            result[line.receivable_id] = judge(facts(line.days, line.at_stake, line.kind, risk, line.sla_over))
    return result


def write_snapshots(as_of: date, positions: list[ContractPosition], verdicts: dict[int, levels.Judged],
                    in_window: dict, buckets: list[Bucket] | None = None) -> None:
    """The window's snapshot rows for `as_of`: new overdue lines inserted, changed ones updated, lines no
    longer overdue deleted; a row that is already right is not written (a redo of a date writes nothing).
    A bank loan that is late only by a stage SLA (not yet past its deadline) has no overdue money and
    no aging row; its warning level is in the statuses."""
    bucket_of = _bucket_lookup(buckets or load_buckets())
    # by (date, receivable) — the unique index — for the window's plan lines: filtering the date's rows by
    # contract instead walks every row of the date once per window (quadratic over a scan)
    lines = Receivable.objects.filter(**in_window).values("pk")
    existing = {row[0]: row[1:] for row in OverdueSnapshot.objects.filter(as_of=as_of, receivable_id__in=lines)
                .order_by().values_list("receivable_id", "pk", *SNAPSHOT_FIGURES)}
    creates, updates = [], []
    for pos in positions:
        for line in pos.late_lines:
            if line.days <= 0:
                continue
            rid = line.receivable_id
            figures = (pos.contract_id, pos.project_id, pos.customer_id, line.kind, line.effective_due, line.days,
                       bucket_of(line.days), verdicts[rid].level, line.overdue)
            old = existing.pop(rid, None)
            if old is None:
                creates.append((rid, *figures))
            elif old[1:] != figures:
                updates.append((*figures, old[0]))
    insert_rows(OverdueSnapshot, ["receivable", *SNAPSHOT_FIGURES], creates, same={"as_of": as_of})
    update_values(OverdueSnapshot, SNAPSHOT_FIGURES, updates)
    delete_ids(OverdueSnapshot, [old[0] for old in existing.values()])


SNAPSHOT_FIGURES = ["contract", "project", "customer", "kind", "effective_due", "days", "bucket", "level", "amount"]
STATUS_FIGURES = ["as_of", "level", "days", "amount"]


def _bucket_lookup(buckets: list[Bucket]) -> Callable[[int], str]:
    known: dict[int, str] = {}

    def bucket_of(days: int) -> str:
        found = known.get(days)
        if found is None:
            found = known[days] = bucket_for(days, buckets)
        return found
    return bucket_of


def write_statuses(as_of: date, positions: list[ContractPosition], verdicts: dict[int, levels.Judged],
                   in_window: dict) -> None:
    """Bring each receivable's latest level up to `as_of`, recording every change with its reason.
    A scan of an earlier date than the status already holds changes nothing (no time travel)."""
    existing = {row[0]: row[1:] for row in ReceivableStatus.objects.filter(**in_window).order_by()
                .values_list("receivable_id", "contract_id", *STATUS_FIGURES)}
    creates, updates, changes = [], [], []
    for pos in positions:
        for line in pos.late_lines:
            rid = line.receivable_id
            verdict = verdicts[rid]
            figures = (as_of, verdict.level, line.days, line.at_stake)
            old = existing.pop(rid, None)
            if old is None:
                creates.append((rid, pos.contract_id, *figures))
                changes.append((rid, pos.contract_id, "", verdict.level, verdict.reason[:255]))
                continue
            _, old_as_of, old_level, *_rest = old
            if old_as_of > as_of:
                continue
            if old_level != verdict.level:
                changes.append((rid, pos.contract_id, old_level, verdict.level, verdict.reason[:255]))
            if old[1:] != figures:
                updates.append((*figures, rid))
    deletes = []
    for rid, (contract_id, old_as_of, old_level, *_rest) in existing.items():
        if old_as_of <= as_of:
            changes.append((rid, contract_id, old_level, "", "no longer overdue"))
            deletes.append(rid)
    insert_rows(ReceivableStatus, ["receivable", "contract", *STATUS_FIGURES], creates)
    update_values(ReceivableStatus, STATUS_FIGURES, updates)
    delete_ids(ReceivableStatus, deletes)
    insert_rows(LevelChange, ["receivable", "contract", "from_level", "to_level", "reason"], changes,
                same={"as_of": as_of, "at": timezone.now()}, ignore_conflicts=True)


def late_total(positions: list[ContractPosition]) -> Decimal:
    return sum((pos.overdue for pos in positions), ZERO)
