"""Disputes on a charge: opened by staff or by the customer through the link in a reminder; first
response due 24 clock hours after opening; chasing of the disputed amount waits while it is open;
an upheld dispute adjusts the ledger through the normal approved path (a waiver someone else approves).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from huikuan.core.money import ZERO, to_money
from huikuan.core.services import record
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import Receivable
from huikuan.receivables.services import outstanding_of, request_waiver

from .casework import CaseError, _need, _user
from .choices import DisputeOutcome, DisputeSource, DisputeStatus
from .models import DISPUTE_SLA, CollectionCase, Dispute
from .staffing import choose_owner


@transaction.atomic
def open_dispute(*, receivable: Receivable, reason: str, actor: Any = None, amount: Decimal | str | None = None,
                 source: str = DisputeSource.STAFF, at: datetime | None = None) -> Dispute:
    reason = _need(reason)
    owed = outstanding_of([receivable.pk])[receivable.pk]
    value = owed if amount is None else to_money(amount)
    if value <= ZERO or value > owed:
        raise CaseError(f"a dispute must be for more than 0 and at most what is owed ({owed})")
    contract = receivable.contract
    party = contract.parties.filter(is_primary=True).select_related("customer").first()
    customer = party.customer if party else None
    case = CollectionCase.objects.open().filter(contract=contract).first()
    owner = case.owner if case and case.owner_id else choose_owner(
        project_id=contract.project_id, is_vip=False, advisor_id=None, loan_only=False, level="blue")[0]
    opened = at or timezone.now()
    dispute = Dispute.objects.create(
        receivable=receivable, contract=contract, customer=customer, amount=value, reason=reason, source=source,
        opened_by=_user(actor), opened_at=opened, response_due_at=opened + DISPUTE_SLA, owner=owner)
    record(actor, "dispute.opened", dispute, amount=value, source=source, due=dispute.response_due_at)
    return dispute


@transaction.atomic
def respond(dispute: Dispute, *, actor: Any, text: str, at: datetime | None = None) -> Dispute:
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    text = _need(text)
    if dispute.first_response_at is None:
        dispute.first_response_at = at or timezone.now()
        dispute.first_response = text
        dispute.save(update_fields=["first_response_at", "first_response"])
        record(actor, "dispute.responded", dispute, breached=dispute.breached())
    return dispute


@transaction.atomic
def resolve(dispute: Dispute, *, actor: Any, outcome: str, resolution: str,
            adjust_by: Decimal | str | None = None, at: datetime | None = None) -> Dispute:
    """Close the dispute. An upheld dispute with `adjust_by` requests a waiver of that much on the
    charge (approved by someone else via receivables.services.decide_waiver)."""
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN:
        raise CaseError(f"dispute {dispute.pk} is already resolved")
    if outcome not in DisputeOutcome.values:
        raise CaseError(f"unknown outcome {outcome!r}")
    resolution = _need(resolution)
    now = at or timezone.now()
    if adjust_by is not None:
        if outcome != DisputeOutcome.UPHELD:
            raise CaseError("only an upheld dispute adjusts the ledger")
        try:
            dispute.waiver = request_waiver(actor=actor, receivable=dispute.receivable, amount=adjust_by,
                                            reason=f"dispute {dispute.pk}: {resolution}"[:255])
        except LedgerError as exc:  # more than the charge owes, not an amount: the dispute stays open
            raise CaseError(str(exc)) from exc
    if dispute.first_response_at is None:
        dispute.first_response_at, dispute.first_response = now, resolution
    dispute.status, dispute.outcome, dispute.resolution = DisputeStatus.RESOLVED, outcome, resolution
    dispute.resolved_at, dispute.resolved_by = now, _user(actor)
    dispute.save()
    record(actor, "dispute.resolved", dispute, outcome=outcome, waiver=dispute.waiver_id)
    return dispute
