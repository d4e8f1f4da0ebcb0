"""Late-fee waivers from case work go through the ledger's approved path (request, then a second
person decides with receivables.services.decide_waiver)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from huikuan.core.services import record
from huikuan.receivables.choices import ReceivableKind
from huikuan.receivables.models import Waiver
from huikuan.receivables.services import post_late_fees, request_waiver

from .casework import CaseError, _need, _open_case_locked, _user
from .choices import ActionKind
from .models import CaseAction, CollectionCase


@transaction.atomic
def request_late_fee_waiver(case: CollectionCase, *, actor: Any, amount: Decimal | str, reason: str,
                            as_of: date) -> Waiver:
    reason = _need(reason)
    case = _open_case_locked(case)
    post_late_fees(actor=actor, contract=case.contract, as_of=as_of)
    line = case.contract.receivables.filter(kind=ReceivableKind.LATE_FEE).order_by("pk").first()
    if line is None:
        raise CaseError("no late fee has accrued on this contract")
    waiver = request_waiver(actor=actor, receivable=line, amount=amount, reason=reason)
    CaseAction.objects.create(case=case, kind=ActionKind.WAIVER, amount=waiver.amount, reason=reason,
                              done_on=as_of, actor=_user(actor))
    record(actor, "case.waiver_requested", case, waiver=waiver.pk, amount=waiver.amount)
    return waiver
