"""Running the planned steps that have fallen due.

A step runs at most once: it is claimed with a conditional UPDATE (pending → running state is the
row lock plus the status check) and the message it sends carries the idempotency key
`dunning:<case>:<step>`, so the outbox never sends it twice either. A step waits (stays pending)
while the case is on hold, while a promise to pay is running, or while every overdue yuan is under
an open dispute. At most one step runs per case per day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.core.services import record

from . import outbound
from .bill import bill_context
from .choices import LEGAL_CHANNELS, MESSAGE_CHANNELS, ActionKind, ActionStatus, CaseStatus, OwnerReason
from .letters import TITLES, render_letter
from .models import CaseAction, CollectionCase, Dispute
from .promises import open_promise
from .staffing import legal_owner


def disputed_amount(contract_id: int) -> Decimal:
    total = Dispute.objects.open().filter(contract_id=contract_id).aggregate(t=Sum("amount"))["t"]
    return quantize(total or ZERO)


def why_waiting(case: CollectionCase, today: date) -> str:
    """Why the case's automatic steps wait today ("" when they may run)."""
    if case.on_hold_until and case.on_hold_until >= today:
        return f"on hold until {case.on_hold_until}: {case.hold_reason}"
    promise = open_promise(case, today)
    if promise is not None:
        return f"promise to pay {promise.amount:.2f} by {promise.pay_by}"
    if case.overdue - disputed_amount(case.contract_id) <= ZERO:
        return "paused: every overdue amount is disputed"
    return ""


def due_steps(today: date):  # type: ignore[no-untyped-def]
    return (CaseAction.objects.filter(kind=ActionKind.STEP, status=ActionStatus.PENDING, planned_on__lte=today,
                                      case__status=CaseStatus.OPEN)
            .filter(Q(case__on_hold_until__isnull=True) | Q(case__on_hold_until__lt=today))
            .order_by("case_id", "planned_on", "step__position", "pk"))


def run_due_steps(today: date) -> dict[str, int]:
    counts = {"done": 0, "pending_channel": 0, "waiting": 0}
    seen: set[int] = set()
    for action_id, case_id in due_steps(today).values_list("pk", "case_id"):
        if case_id in seen:
            continue
        seen.add(case_id)
        result = run_step(action_id, today)
        counts[result] = counts.get(result, 0) + 1
    return counts


@transaction.atomic
def run_step(action_id: int, today: date) -> str:
    action = CaseAction.objects.select_for_update(of=("self",)).select_related("case", "step", "case__customer",
                                                                   "case__contract").get(pk=action_id)
    case = action.case
    if action.status != ActionStatus.PENDING or case.status != CaseStatus.OPEN:
        return "skipped"
    waiting = why_waiting(case, today)
    if waiting:
        if action.reason != waiting[:255]:
            action.reason = waiting[:255]
            action.save(update_fields=["reason"])
        return "waiting"
    disputed = disputed_amount(case.contract_id)
    ctx = bill_context(case, today, exclude_disputed=disputed)
    action.amount = case.overdue - disputed
    action.done_on = today
    action.reason = ""
    channel = action.channel
    if channel in MESSAGE_CHANNELS:
        assert action.step is not None, "a message action always comes from a policy step"
        context = outbound.message_context(
            contract=case.contract, as_of=today, chase=action.amount if disputed > ZERO else None,
            late_fee=Decimal(ctx["late_fee"]), extra={"level": case.level, "case_id": case.pk})
        message = outbound.send(customer=case.customer, channel=outbound.message_channel(channel, case.customer),
                                template=outbound.template_for(channel, action.step.template), context=context,
                                idempotency_key=f"dunning:{case.pk}:{action.step_id}", related=case)
        if message is None:
            action.status = ActionStatus.PENDING_CHANNEL
        else:
            action.status, action.message_ref = ActionStatus.DONE, str(getattr(message, "pk", message))[:64]
    else:
        if channel in TITLES:
            action.document.save(f"{channel}-{case.contract.contract_no}-{today}.pdf",
                                 ContentFile(render_letter(channel, ctx)), save=False)
        if channel in LEGAL_CHANNELS and case.owner_reason != OwnerReason.LEGAL:
            lawyer = legal_owner(case.contract.project_id)
            if lawyer is not None:
                case.owner, case.owner_reason = lawyer, OwnerReason.LEGAL
                case.save(update_fields=["owner", "owner_reason"])
        action.status = ActionStatus.DONE
    action.save()
    record(None, "case.step_run", case, step=action.step_id, channel=channel, status=action.status,
           amount=action.amount)
    return "done" if action.status == ActionStatus.DONE else str(action.status)


def resend_pending(today: date) -> int:
    """Hand steps recorded while no channel was wired to the outbox (same idempotency key)."""
    if outbound._enqueue() is None:
        return 0
    ids = list(CaseAction.objects.filter(kind=ActionKind.STEP, status=ActionStatus.PENDING_CHANNEL,
                                         case__status=CaseStatus.OPEN).values_list("pk", flat=True))
    CaseAction.objects.filter(pk__in=ids).update(status=ActionStatus.PENDING)
    return sum(1 for pk in ids if run_step(pk, today) == "done")
