"""Promises to pay: recorded on a case, checked after their date; a broken promise escalates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from huikuan.core.money import ZERO, quantize, to_money
from huikuan.core.services import record
from huikuan.receivables.models import Receipt

from .casework import CaseError, _open_case_locked, _user, escalate
from .choices import ActionKind, CaseStatus, Level, PromiseStatus
from .models import CaseAction, CollectionCase, PromiseToPay


@transaction.atomic
def promise_to_pay(case: CollectionCase, *, actor: Any, amount: Decimal | str, pay_by: date,
                   made_on: date) -> PromiseToPay:
    value = to_money(amount)
    if value <= ZERO:
        raise CaseError("a promise must be for a positive amount")
    if pay_by < made_on:
        raise CaseError("a promise cannot be due before it was made")
    case = _open_case_locked(case)
    promise = PromiseToPay.objects.create(case=case, amount=value, pay_by=pay_by, made_on=made_on,
                                          recorded_by=_user(actor))
    CaseAction.objects.create(case=case, kind=ActionKind.PROMISE, amount=value, reason=f"pay by {pay_by}",
                              done_on=made_on, actor=_user(actor))
    record(actor, "case.promise", case, amount=value, pay_by=pay_by)
    return promise


def received_between(contract_id: int, start: date, end: date) -> Decimal:
    total = (Receipt.objects.filter(contract_id=contract_id, received_on__gte=start, received_on__lte=end)
             .aggregate(total=Sum("amount"))["total"])
    return quantize(total or ZERO)


def review_promises(today: date) -> dict[str, int]:
    """Settle every open promise whose day has passed: kept if the money came by then, else broken
    (and the case escalates). Idempotent: a settled promise is not looked at again."""
    counts = {"kept": 0, "broken": 0}
    for promise_id in (PromiseToPay.objects.filter(status=PromiseStatus.OPEN, pay_by__lt=today)
                       .order_by("pay_by", "pk").values_list("pk", flat=True)):
        outcome = settle_promise(promise_id, today)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic
def settle_promise(promise_id: int, today: date) -> str | None:
    promise = PromiseToPay.objects.select_for_update(of=("self",)).select_related("case").get(pk=promise_id)
    if promise.status != PromiseStatus.OPEN or promise.pay_by >= today:
        return None
    received = received_between(promise.case.contract_id, promise.made_on, promise.pay_by)
    promise.received, promise.checked_on = received, today
    promise.status = PromiseStatus.KEPT if received >= promise.amount else PromiseStatus.BROKEN
    promise.save(update_fields=["received", "checked_on", "status"])
    record(None, f"promise.{promise.status}", promise.case, amount=promise.amount, received=received)
    # a broken promise escalates — unless the case is already at the top level (red): then it is logged
    if (promise.status == PromiseStatus.BROKEN and promise.case.status == CaseStatus.OPEN
            and promise.case.level != Level.RED):
        escalate(promise.case, actor=None, on=today,
                 reason=f"promise broken: {promise.amount:.2f} by {promise.pay_by}, received {received:.2f}")
    return str(promise.status)


def open_promise(case: CollectionCase, today: date) -> PromiseToPay | None:
    """A promise still running pauses the automatic steps until its day."""
    return case.promises.filter(status=PromiseStatus.OPEN, pay_by__gte=today).first()
