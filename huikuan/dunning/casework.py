"""Collection cases: opened by the scan, worked by people, closed by payment.

Every change is one call in one transaction with an audit event. Steps are planned as `CaseAction`
rows (kind=step, status=pending, unique per case and step), so planning twice plans nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from huikuan.core.bulk import insert_rows, update_rows
from huikuan.core.money import ZERO
from huikuan.core.services import business_calendar, record
from huikuan.core.services import record_many as audit_many
from huikuan.sales.models import Contract

from . import levels, outbound, policy, priority
from .choices import (
    RANK,
    ActionKind,
    ActionStatus,
    Anchor,
    CallOutcome,
    CaseStatus,
    CloseReason,
    Level,
    OwnerReason,
)
from .config import load_policies, policy_for, segment_of
from .models import CaseAction, CollectionCase, PolicyStep
from .positions import ContractPosition, position_of_contract
from .staffing import Staffing


class CaseError(ValueError):
    """A case operation that the rules do not allow."""


def effective_level(scan_level: str, floor: str) -> str:
    return levels.worst([scan_level, floor])


FIGURES = ["level", "risk", "overdue", "days", "oldest_due", "priority", "updated_on", "owner", "owner_reason"]


def sync_cases(ctx: Any, positions: list[ContractPosition], verdicts: dict[int, levels.Judged],
               in_window: dict) -> None:
    """Open, update or close the case of every contract in a scan window (inside its transaction).
    Set-based: one query for the open cases, one for their planned steps, one bulk update, bulk inserts
    for the cases opened (and their audit events) and the steps planned."""
    from .scanning import risk_of

    open_cases = {c.contract_id: c for c in CollectionCase.objects.open().filter(**in_window)}
    changed: list[CollectionCase] = []
    to_plan: list[CollectionCase] = []
    opened: list[CollectionCase] = []
    for pos in positions:
        case = open_cases.get(pos.contract_id)
        late = pos.late_lines
        if not late:
            if case is not None and (case.updated_on is None or case.updated_on <= ctx.as_of):
                close_case(case, reason=CloseReason.PAID, on=ctx.as_of, actor=None, note="nothing overdue at scan")
            continue
        scan_level = levels.worst([verdicts[line.receivable_id].level for line in late])
        if case is None:
            opened.append(new_case(pos, scan_level, ctx.as_of, risk_of(ctx, pos), ctx.policies, ctx.staffing))
            continue
        if case.updated_on and case.updated_on > ctx.as_of:
            continue
        if update_figures(case, pos, scan_level, ctx.as_of, risk_of(ctx, pos), ctx.staffing):
            changed.append(case)
        to_plan.append(case)
    update_rows(changed, FIGURES)
    insert_cases(opened)
    plan_many(to_plan + opened, ctx.as_of, {choice.policy.pk: choice.steps for choice in ctx.policies},
              ctx.schedules)


def new_case(pos: ContractPosition, level: str, as_of: date, risk: str, policies: list | None = None,
             staffing: Staffing | None = None) -> CollectionCase:
    """The case a contract with late lines opens, with its owner, policy and figures (not saved)."""
    late = pos.late_lines
    kinds = {line.kind for line in late}
    loan_only = kinds <= levels.LOAN_KINDS
    specialist_id = next((line.specialist_id for line in late if line.specialist_id is not None), None)
    owner, reason = (staffing or Staffing()).choose_owner(
        project_id=pos.project_id, is_vip=pos.is_vip, advisor_id=pos.advisor_id, loan_only=loan_only, level=level,
        specialist_id=specialist_id)
    choice = policy_for(load_policies() if policies is None else policies, kinds,
                        segment_of(pos.is_vip, pos.customer_kind))
    case = CollectionCase(
        contract_id=pos.contract_id, customer_id=pos.customer_id, policy_id=choice.policy.pk if choice else None,
        owner_id=owner.pk if owner is not None else None, owner_reason=reason, level=level, risk=risk,
        opened_on=as_of)
    update_figures(case, pos, level, as_of, risk, staffing)
    return case


def open_case(pos: ContractPosition, level: str, as_of: date, risk: str, policies: list | None = None,
              staffing: Staffing | None = None) -> CollectionCase:
    case = new_case(pos, level, as_of, risk, policies, staffing)
    insert_cases([case])
    return case


CASE_COLUMNS = ["contract", "customer", "policy", "status", "owner", "owner_reason", "level", "level_floor", "risk",
                "overdue", "days", "oldest_due", "priority", "on_hold_until", "hold_reason", "opened_on",
                "closed_on", "close_reason", "updated_on"]


def insert_cases(cases: list[CollectionCase]) -> None:
    """Save new cases in bulk (their ids set from the one open case per contract) with a `case.opened`
    audit event each."""
    if not cases:
        return
    fields = [CollectionCase._meta.get_field(name).attname for name in CASE_COLUMNS]  # type: ignore[union-attr]
    insert_rows(CollectionCase, CASE_COLUMNS, [[getattr(case, f) for f in fields] for case in cases])
    by_contract = {case.contract_id: case for case in cases}
    wanted = list(by_contract)
    for start in range(0, len(wanted), 500):
        for contract_id, pk in (CollectionCase.objects.open().filter(contract_id__in=wanted[start:start + 500])
                                .values_list("contract_id", "pk")):
            by_contract[contract_id].pk = pk
            by_contract[contract_id]._state.adding = False
    record_many("case.opened", cases, lambda case: {
        "contract": case.contract_id, "level": case.level, "owner": case.owner_id, "owner_reason": case.owner_reason,
        "overdue": str(case.overdue)})


def record_many(action: str, objs: list[Any], data: Any) -> None:
    """`core.services.record` for many objects at once (no actor: the scan did it)."""
    if not objs:
        return
    label = objs[0]._meta.label_lower
    audit_many(None, ((action, label, obj.pk, data(obj)) for obj in objs))


def update_figures(case: CollectionCase, pos: ContractPosition, scan_level: str, as_of: date, risk: str,
                   staffing: Staffing | None = None) -> bool:
    """Bring the case's figures to the scan's (in memory); True when something changed."""
    late = pos.late_lines
    level = effective_level(scan_level, case.level_floor)
    days = max(line.days for line in late)
    overdue = pos.overdue
    oldest = min(line.due_date for line in late)
    score = priority.score(overdue, days, risk, level)
    new = (level, risk, overdue, days, oldest, score, as_of)
    old = (case.level, case.risk, case.overdue, case.days, case.oldest_due, case.priority, case.updated_on)
    if new == old:
        return False
    if RANK[level] > RANK[case.level] and case.owner_reason == OwnerReason.ADVISOR:
        reassign_from_advisor(case, pos, level, staffing or Staffing())
    (case.level, case.risk, case.overdue, case.days, case.oldest_due, case.priority, case.updated_on) = new
    return True


def reassign_from_advisor(case: CollectionCase, pos: ContractPosition, level: str, staffing: Staffing) -> None:
    """A VIP's advisor has the first go; once it gets serious the collectors take over."""
    owner, reason = staffing.choose_owner(project_id=pos.project_id, is_vip=False, advisor_id=None,
                                          loan_only=False, level=level)
    if owner is not None:
        record(None, "case.reassigned", case, from_owner=case.owner_id, to_owner=owner.pk, reason=reason)
        case.owner, case.owner_reason = owner, reason


def steps_to_plan(case: CollectionCase, today: date, steps: list[PolicyStep], planned: set[int],
                  days: list[date] | None = None) -> list[CaseAction]:
    """The policy's steps the case's level has reached and that are not planned yet (not saved).
    `days` is the steps' schedule from the case's oldest due date, when the caller knows it."""
    return [CaseAction(case=case, kind=ActionKind.STEP, step=step, channel=step.channel, status=ActionStatus.PENDING,
                       planned_on=day) for step, day in _due_steps(case, today, steps, planned, days)]


def _due_steps(case: CollectionCase, today: date, steps: list[PolicyStep], planned: set[int],
               days: list[date] | None = None) -> list[tuple[PolicyStep, date]]:
    if case.policy_id is None or case.oldest_due is None or case.status != CaseStatus.OPEN or not steps:
        return []
    if days is None:
        days = step_days(steps, case.oldest_due)
    reached = RANK[case.level]
    return [(step, max(day, today)) for step, day in zip(steps, days, strict=True)
            if step.anchor != Anchor.BEFORE_DUE and step.pk not in planned and RANK[step.min_level] <= reached]


def step_days(steps: list[PolicyStep], due: date) -> list[date]:
    timings = [policy.Timing(s.anchor, s.days, s.business_days) for s in steps]
    return policy.schedule(timings, due=due, calendar=business_calendar())


def plan_many(cases: list[CollectionCase], today: date, steps_by_policy: dict[int, list[PolicyStep]],
              schedules: dict | None = None) -> int:
    """Plan the steps each case has reached, in bulk; `schedules` remembers the steps' days per policy
    and oldest due date across calls (the scan passes one for the whole run)."""
    planned: dict[int, set[int]] = defaultdict(set)
    ids = [c.pk for c in cases]
    for start in range(0, len(ids), 500):
        for case_id, step_id in (CaseAction.objects.filter(case__in=ids[start:start + 500], kind=ActionKind.STEP)
                                 .order_by().values_list("case_id", "step_id")):
            planned[case_id].add(step_id)
    schedules = {} if schedules is None else schedules
    rows = []
    for case in cases:
        if case.policy_id is not None and case.policy_id not in steps_by_policy:  # an inactive policy
            steps_by_policy[case.policy_id] = list(PolicyStep.objects.filter(policy_id=case.policy_id)
                                                   .order_by("position"))
        steps = steps_by_policy.get(case.policy_id, []) if case.policy_id is not None else []
        days = None
        if steps and case.oldest_due is not None:
            key = (case.policy_id, case.oldest_due)
            days = schedules.get(key)
            if days is None:
                days = schedules[key] = step_days(steps, case.oldest_due)
        rows += [(case.pk, ActionKind.STEP, step.pk, step.channel, ActionStatus.PENDING, day)
                 for step, day in _due_steps(case, today, steps, planned[case.pk], days)]
    insert_rows(CaseAction, ["case", "kind", "step", "channel", "status", "planned_on"], rows,
                same={"at": timezone.now(), "done_on": None, "outcome": "", "reason": "", "amount": None,
                      "message_ref": "", "document": "", "actor": None}, ignore_conflicts=True)
    return len(rows)


def plan_steps(case: CollectionCase, today: date) -> int:
    """Plan what the case's level has reached (after an escalation, say); planning twice plans nothing."""
    return plan_many([case], today, {})


def cancel_pending(case: CollectionCase, reason: str) -> int:
    return case.actions.filter(status__in=[ActionStatus.PENDING, ActionStatus.PENDING_CHANNEL]).update(
        status=ActionStatus.CANCELLED, reason=reason[:255])


@transaction.atomic
def close_case(case: CollectionCase, *, reason: str, on: date, actor: Any = None, note: str = "") -> CollectionCase:
    case = CollectionCase.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        return case
    cancelled = cancel_pending(case, f"case closed: {reason}")
    outbound.stop_pending(contract=case.contract, reason=f"collection case closed: {reason}")
    case.status, case.closed_on, case.close_reason = CaseStatus.CLOSED, on, reason
    case.save(update_fields=["status", "closed_on", "close_reason"])
    CaseAction.objects.create(case=case, kind=ActionKind.CLOSE, reason=(note or reason)[:255], done_on=on,
                              actor=_user(actor))
    record(actor, "case.closed", case, reason=reason, cancelled_steps=cancelled, note=note)
    return case


def close_if_paid(contract_id: int, on: date | None = None, *, reason: str = CloseReason.PAID,
                  ) -> CollectionCase | None:
    """Payment in full: nothing overdue any more closes the open case and stops every pending step."""
    case = CollectionCase.objects.open().filter(contract_id=contract_id).first()
    if case is None:
        return None
    on = on or timezone.localdate()
    pos = position_of_contract(Contract.objects.get(pk=contract_id), on)
    if pos.overdue > ZERO:
        return None
    return close_case(case, reason=reason, on=on, note="nothing overdue any more")


# --- people working the case ----------------------------------------------------------------


def _open_case_locked(case: CollectionCase) -> CollectionCase:
    case = CollectionCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise CaseError(f"case {case.pk} is closed")
    return case


def _need(reason: str) -> str:
    if not reason or not reason.strip():
        raise CaseError("a reason is required")
    return reason.strip()[:255]


@transaction.atomic
def escalate(case: CollectionCase, *, actor: Any, reason: str, to_level: str | None = None,
             on: date | None = None) -> CollectionCase:
    """Raise the case one level (or to `to_level`) and plan the steps that level brings."""
    reason = _need(reason)
    on = on or timezone.localdate()
    case = _open_case_locked(case)
    order = [Level.BLUE, Level.YELLOW, Level.RED]
    target = to_level or order[min(order.index(Level(case.level)) + 1, len(order) - 1)]
    if target not in RANK:
        raise CaseError(f"unknown level {target!r}")
    if RANK[target] <= RANK[case.level]:
        raise CaseError(f"case {case.pk} is already {case.level}")
    previous = case.level
    case.level_floor = case.level = target
    case.priority = priority.score(case.overdue, case.days, case.risk, target)
    case.save(update_fields=["level", "level_floor", "priority"])
    CaseAction.objects.create(case=case, kind=ActionKind.ESCALATE, reason=reason, done_on=on, actor=_user(actor))
    record(actor, "case.escalated", case, from_level=previous, to_level=target, reason=reason)
    plan_steps(case, on)
    return case


@transaction.atomic
def hold(case: CollectionCase, *, actor: Any, until: date, reason: str, on: date | None = None) -> CollectionCase:
    reason = _need(reason)
    case = _open_case_locked(case)
    case.on_hold_until, case.hold_reason = until, reason
    case.save(update_fields=["on_hold_until", "hold_reason"])
    CaseAction.objects.create(case=case, kind=ActionKind.HOLD, reason=reason, done_on=on or timezone.localdate(),
                              actor=_user(actor))
    record(actor, "case.held", case, until=until, reason=reason)
    return case


@transaction.atomic
def release(case: CollectionCase, *, actor: Any, reason: str = "released", on: date | None = None) -> CollectionCase:
    case = _open_case_locked(case)
    case.on_hold_until, case.hold_reason = None, ""
    case.save(update_fields=["on_hold_until", "hold_reason"])
    CaseAction.objects.create(case=case, kind=ActionKind.RELEASE, reason=reason[:255],
                              done_on=on or timezone.localdate(), actor=_user(actor))
    record(actor, "case.released", case, reason=reason)
    return case


@transaction.atomic
def skip_step(action: CaseAction, *, actor: Any, reason: str, on: date | None = None) -> CaseAction:
    reason = _need(reason)
    day = on or timezone.localdate()
    action = CaseAction.objects.select_for_update().get(pk=action.pk)
    if action.kind != ActionKind.STEP or action.status not in (ActionStatus.PENDING, ActionStatus.PENDING_CHANNEL):
        raise CaseError("only a planned step can be skipped")
    action.status, action.reason, action.actor, action.done_on = (ActionStatus.SKIPPED, reason, _user(actor), day)
    action.save(update_fields=["status", "reason", "actor", "done_on"])
    CaseAction.objects.create(case_id=action.case_id, kind=ActionKind.SKIP, step_id=None, reason=reason,
                              done_on=day, actor=_user(actor))
    record(actor, "case.step_skipped", action.case, step=action.step_id, reason=reason)
    return action


@transaction.atomic
def log_call(case: CollectionCase, *, actor: Any, outcome: str, note: str = "", on: date | None = None) -> CaseAction:
    if outcome not in CallOutcome.values:
        raise CaseError(f"unknown call outcome {outcome!r}")
    case = _open_case_locked(case)
    action = CaseAction.objects.create(case=case, kind=ActionKind.CALL, channel="phone_call", outcome=outcome,
                                       reason=note[:255], done_on=on or timezone.localdate(), actor=_user(actor))
    record(actor, "case.call", case, outcome=outcome, note=note)
    return action


@transaction.atomic
def reassign(case: CollectionCase, *, actor: Any, owner: Any, reason: str) -> CollectionCase:
    reason = _need(reason)
    case = _open_case_locked(case)
    record(actor, "case.reassigned", case, from_owner=case.owner_id, to_owner=owner.pk, reason=reason)
    case.owner, case.owner_reason = owner, OwnerReason.MANUAL
    case.save(update_fields=["owner", "owner_reason"])
    return case


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
