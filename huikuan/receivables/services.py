"""Every write to the receivables ledger. One call, one transaction, with actor and audit trail.

Allocation locks the receipt and the receivables it touches (`select_for_update`, in pk order),
then re-reads what they hold and owe inside the lock, so two clerks or two workers can never
allocate the same money twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from huikuan.core.money import ZERO, quantize, to_money
from huikuan.core.services import business_calendar, next_number, record
from huikuan.sales.choices import ContractStatus
from huikuan.sales.models import Contract

from . import area as area_engine
from .balances import balance_of
from .choices import (
    ApprovalStatus,
    EntryKind,
    ReceiptMethod,
    ReceiptSource,
    ReceivableKind,
)
from .exceptions import ApprovalError, LedgerError
from .lock_objects import lock_receipt, lock_receivables
from .models import AreaSettlement, Cancellation, LedgerEntry, Receipt, Receivable, Waiver

# --- reading one contract -------------------------------------------------------------------


def outstanding_of(receivable_ids: Sequence[int]) -> dict[int, Decimal]:
    """Outstanding per receivable: its amount plus the sum of its entries."""
    amounts = dict(Receivable.objects.filter(pk__in=receivable_ids).values_list("pk", "amount"))
    moved = dict(
        LedgerEntry.objects.filter(receivable_id__in=receivable_ids).order_by().values("receivable_id")
        .annotate(total=Sum("amount")).values_list("receivable_id", "total")
    )
    return {pk: quantize(amount + (moved.get(pk) or ZERO)) for pk, amount in amounts.items()}


def total_of(qs: QuerySet, field: str = "amount") -> Decimal:
    """Σ field over a queryset, to the cent (SQLite hands sums back unscaled)."""
    return quantize(qs.aggregate(total=Sum(field))["total"] or ZERO)


def unallocated_of(receipt: Receipt) -> Decimal:
    allocated = total_of(LedgerEntry.objects.filter(receipt=receipt, kind=EntryKind.ALLOCATION))
    return receipt.amount + allocated  # allocation entries are negative


def contract_credit(contract: Contract) -> Decimal:
    """Money received on the contract and not allocated to any receivable (over-payment)."""
    received = total_of(Receipt.objects.filter(contract=contract))
    allocated = total_of(LedgerEntry.objects.filter(contract=contract, kind=EntryKind.ALLOCATION))
    return received + allocated


def accrued_late_fee(contract: Contract, as_of: date) -> Decimal:
    """Late fee accrued up to `as_of`, from the contract terms (rate × overdue principal × days)."""
    return balance_of(contract, as_of).late_fee


# --- receipts and allocation ----------------------------------------------------------------


@transaction.atomic
def post_receipt(*, actor: Any, amount: Decimal | str, received_on: date, contract: Contract | None = None,
                 subscription: Any = None, method: str = ReceiptMethod.BANK_TRANSFER,
                 source: str = ReceiptSource.CASHIER, reference: str = "", payer_name: str = "", note: str = "",
                 allocate: bool = True) -> Receipt:
    """Record money that arrived; with `allocate`, apply it to the contract oldest-due first."""
    value = to_money(amount)
    if value <= ZERO:
        raise LedgerError("a receipt must be a positive amount; refunds go through refund()")
    if contract is not None and contract.status != ContractStatus.SIGNED:
        raise LedgerError(f"contract {contract.contract_no} is {contract.status}; it takes no receipts")
    receipt = Receipt.objects.create(
        number=next_number("SK", received_on.year), contract=contract, subscription=subscription, amount=value,
        received_on=received_on, method=method, source=source, reference=reference.strip(),
        payer_name=payer_name.strip(), note=note, created_by=_user(actor),
    )
    record(actor, "receipt.posted", receipt, amount=value, contract=contract and contract.contract_no,
           reference=reference)
    if allocate and contract is not None:
        allocate_receipt(actor=actor, receipt=receipt)
    return receipt


@dataclass(frozen=True)
class Target:
    receivable_id: int
    amount: Decimal | None = None   # None: as much as the receivable still owes


@transaction.atomic
def allocate_receipt(*, actor: Any, receipt: Receipt, targets: Sequence[Target] | None = None,
                     on: date | None = None) -> list[LedgerEntry]:
    """Allocate a receipt to the receivables named, or oldest-due first over its contract.

    Partial allocation is fine; what is left stays on the receipt as unallocated credit.
    """
    locked = lock_receipt(receipt.pk)
    if locked.contract_id is None:
        raise LedgerError(f"receipt {locked.number} is not attached to a contract yet")
    if locked.amount <= ZERO:
        raise LedgerError("only money in can be allocated")
    if targets is None:
        candidates = (Receivable.objects.filter(contract_id=locked.contract_id)
                      .exclude(kind=ReceivableKind.DEDUCTION)
                      .order_by("due_date", "pk").values_list("pk", "kind"))
        # principal first, late fees after it
        ordered = [pk for pk, kind in candidates if kind != ReceivableKind.LATE_FEE]
        ordered += [pk for pk, kind in candidates if kind == ReceivableKind.LATE_FEE]
        targets = [Target(pk) for pk in ordered]
    rows = lock_receivables(t.receivable_id for t in targets)
    for t in targets:
        row = rows.get(t.receivable_id)
        if row is None:
            raise LedgerError(f"receivable {t.receivable_id} does not exist")
        if row.contract_id != locked.contract_id:
            raise LedgerError(f"receivable {t.receivable_id} belongs to another contract")
        if t.amount is not None and to_money(t.amount) <= ZERO:
            raise LedgerError("an allocation must be a positive amount")
    owed = outstanding_of(list(rows))
    available = unallocated_of(locked)
    day = on or locked.received_on
    entries: list[LedgerEntry] = []
    for t in targets:
        if available <= ZERO:
            break
        left = owed[t.receivable_id]
        wanted = left if t.amount is None else to_money(t.amount)
        if t.amount is not None and wanted > left:
            raise LedgerError(f"receivable {t.receivable_id} owes {left}, cannot take {wanted}")
        if t.amount is not None and wanted > available:
            raise LedgerError(f"receipt {locked.number} holds {available}, cannot allocate {wanted}")
        take = min(wanted, available)
        if take <= ZERO:
            continue
        entries.append(LedgerEntry(contract_id=locked.contract_id, receivable_id=t.receivable_id,
                                   kind=EntryKind.ALLOCATION, amount=-take, receipt=locked, posted_on=day,
                                   created_by=_user(actor)))
        owed[t.receivable_id] = left - take
        available -= take
    LedgerEntry.objects.bulk_create(entries)
    if entries:
        record(actor, "receipt.allocated", locked,
               allocations={str(e.receivable_id): str(-e.amount) for e in entries}, unallocated=available)
    return entries


@transaction.atomic
def unallocate(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo an allocation with a reversing entry (the original stays in the ledger)."""
    if entry.kind != EntryKind.ALLOCATION or entry.amount >= ZERO:
        raise LedgerError("only an allocation can be undone")
    lock_receipt(entry.receipt_id)  # type: ignore[arg-type]
    lock_receivables([entry.receivable_id])
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise LedgerError("this allocation was already undone")
    reversal = LedgerEntry.objects.create(
        contract_id=entry.contract_id, receivable_id=entry.receivable_id, kind=EntryKind.ALLOCATION,
        amount=-entry.amount, receipt_id=entry.receipt_id, reverses=entry, posted_on=timezone.localdate(),
        note=reason, created_by=_user(actor))
    record(actor, "allocation.reversed", entry, reason=reason, amount=-entry.amount)
    return reversal


@transaction.atomic
def refund(*, actor: Any, contract: Contract, amount: Decimal | str, on: date, reason: str,
           method: str = ReceiptMethod.REFUND) -> Receipt:
    """Pay unallocated credit back to the buyer (a negative receipt)."""
    value = to_money(amount)
    if value <= ZERO:
        raise LedgerError("a refund must be a positive amount")
    Contract.objects.select_for_update().get(pk=contract.pk)
    credit = contract_credit(contract)
    if value > credit:
        raise LedgerError(f"contract {contract.contract_no} holds {credit} of credit; cannot refund {value}")
    receipt = Receipt.objects.create(number=next_number("TK", on.year), contract=contract, amount=-value,
                                     received_on=on, method=method, source=ReceiptSource.SYSTEM, note=reason,
                                     created_by=_user(actor))
    record(actor, "receipt.refunded", receipt, amount=value, reason=reason)
    return receipt


# --- late fees and waivers ------------------------------------------------------------------


def _late_fee_receivable(contract: Contract, on: date, actor: Any) -> Receivable:
    row = contract.receivables.filter(kind=ReceivableKind.LATE_FEE).order_by("pk").first()
    if row is None:
        row = Receivable.objects.create(contract=contract, kind=ReceivableKind.LATE_FEE, seq=1, name="违约金",
                                        due_date=on, amount=ZERO, created_by=_user(actor))
    return row


@transaction.atomic
def post_late_fees(*, actor: Any, contract: Contract, as_of: date) -> LedgerEntry | None:
    """Bring the ledger's late-fee charge up to what has accrued by `as_of` (idempotent)."""
    Contract.objects.select_for_update().get(pk=contract.pk)
    accrued = accrued_late_fee(contract, as_of)
    posted = total_of(LedgerEntry.objects.filter(contract=contract, kind=EntryKind.LATE_FEE))
    delta = accrued - posted
    if delta <= ZERO:
        return None
    fee_line = _late_fee_receivable(contract, as_of, actor)
    entry = LedgerEntry.objects.create(contract=contract, receivable=fee_line, kind=EntryKind.LATE_FEE,
                                       amount=delta, posted_on=as_of, note=f"accrued to {as_of}",
                                       created_by=_user(actor))
    record(actor, "late_fee.posted", contract, amount=delta, as_of=as_of, accrued=accrued)
    return entry


@transaction.atomic
def request_waiver(*, actor: Any, receivable: Receivable, amount: Decimal | str, reason: str) -> Waiver:
    value = to_money(amount)
    if value <= ZERO:
        raise LedgerError("a waiver must be a positive amount")
    if not reason.strip():
        raise LedgerError("a waiver needs a reason")
    owed = outstanding_of([receivable.pk])[receivable.pk]
    if value > owed:
        raise LedgerError(f"cannot waive {value}: the receivable owes {owed}")
    waiver = Waiver.objects.create(contract=receivable.contract, receivable=receivable, amount=value,
                                   reason=reason.strip(), requested_by=actor)
    record(actor, "waiver.requested", waiver, amount=value, reason=reason)
    return waiver


@transaction.atomic
def decide_waiver(*, actor: Any, waiver: Waiver, approve: bool, note: str = "", on: date | None = None) -> Waiver:
    """Approve (posting the waiver entry, value-dated `on` — today by default) or reject.
    The approver must not be the requester."""
    waiver = Waiver.objects.select_for_update().get(pk=waiver.pk)
    if waiver.status != ApprovalStatus.REQUESTED:
        raise ApprovalError(f"waiver already {waiver.status}")
    if waiver.requested_by_id == getattr(actor, "pk", None):
        raise ApprovalError("a waiver must be approved by someone other than who requested it")
    waiver.decided_by, waiver.decided_at = actor, timezone.now()
    if approve:
        lock_receivables([waiver.receivable_id])
        owed = outstanding_of([waiver.receivable_id])[waiver.receivable_id]
        if waiver.amount > owed:
            raise ApprovalError(f"the receivable now owes {owed}; the waiver of {waiver.amount} no longer fits")
        waiver.entry = LedgerEntry.objects.create(
            contract_id=waiver.contract_id, receivable_id=waiver.receivable_id, kind=EntryKind.WAIVER,
            amount=-waiver.amount, posted_on=on or timezone.localdate(), note=waiver.reason, created_by=_user(actor))
        waiver.status = ApprovalStatus.APPROVED
    else:
        waiver.status = ApprovalStatus.REJECTED
    waiver.save()
    record(actor, f"waiver.{waiver.status}", waiver, amount=waiver.amount, note=note)
    return waiver


# --- area settlement, cancellation, unit swap -----------------------------------------------


@transaction.atomic
def settle_area(*, actor: Any, contract: Contract, registered_area: Decimal | str, on: date,
                due_days: int = 30) -> AreaSettlement:
    """Record the surveyed area and post the settlement (a charge, or a refund owed to the buyer)."""
    contract = Contract.objects.select_for_update().select_related("unit").get(pk=contract.pk)
    if hasattr(contract, "area_settlement"):
        raise LedgerError(f"contract {contract.contract_no} already has an area settlement")
    contract_area = contract.contract_area or contract.unit.pre_sale_area
    if not contract_area:
        raise LedgerError(f"contract {contract.contract_no} states no contract area")
    registered = Decimal(str(registered_area))
    result = area_engine.settle_area(contract.price, contract_area, registered, rule=contract.area_rule,
                                     band=contract.area_band)
    receivable = None
    if result.amount != ZERO:
        receivable = Receivable.objects.create(
            contract=contract, kind=ReceivableKind.AREA_ADJUSTMENT, seq=1, name="面积补差",
            due_date=business_calendar().roll_forward(on + timedelta(days=due_days)),
            amount=result.amount, created_by=_user(actor))
    settlement = AreaSettlement.objects.create(
        contract=contract, contract_area=contract_area, registered_area=registered, error_ratio=result.error_ratio,
        unit_price=result.unit_price, amount=result.amount, buyer_may_cancel=result.buyer_may_cancel,
        receivable=receivable, settled_on=on, created_by=_user(actor))
    unit = contract.unit
    unit.surveyed_area = registered
    unit.save(update_fields=["surveyed_area"])
    record(actor, "area.settled", contract, ratio=result.error_ratio, amount=result.amount,
           buyer_may_cancel=result.buyer_may_cancel)
    if result.amount < ZERO:
        _apply_credit_note(actor, contract, receivable, on)  # type: ignore[arg-type]
    return settlement


def _apply_credit_note(actor: Any, contract: Contract, credit_line: Receivable, on: date) -> None:
    """A negative line (money owed to the buyer) first reduces what the buyer still owes on the plan,
    latest-due first; whatever remains is refunded with refund()."""
    open_rows = lock_receivables(
        contract.receivables.exclude(pk=credit_line.pk).exclude(kind=ReceivableKind.LATE_FEE).values_list("pk",
                                                                                                       flat=True))
    owed = outstanding_of(list(open_rows))
    remaining = -credit_line.amount
    entries = []
    for pk in sorted(open_rows, key=lambda p: (open_rows[p].due_date, p), reverse=True):
        if remaining <= ZERO:
            break
        take = min(owed[pk], remaining)
        if take <= ZERO:
            continue
        entries.append(LedgerEntry(contract=contract, receivable_id=pk, kind=EntryKind.ADJUSTMENT, amount=-take,
                                   posted_on=on, note="area settlement offset", created_by=_user(actor)))
        entries.append(LedgerEntry(contract=contract, receivable=credit_line, kind=EntryKind.ADJUSTMENT,
                                   amount=take, posted_on=on, note="offset against plan", created_by=_user(actor)))
        remaining -= take
    LedgerEntry.objects.bulk_create(entries)


def paid_on_contract(contract: Contract) -> Decimal:
    """Net money the buyer has paid on the contract (receipts less refunds)."""
    return total_of(Receipt.objects.filter(contract=contract))


@transaction.atomic
def cancel_contract(*, actor: Any, contract: Contract, on: date, reason: str, deductions: Decimal | str = ZERO,
                    interest: Decimal | str = ZERO, refund_now: bool = True,
                    _moved_to: Contract | None = None) -> Cancellation:
    """退房: unwind a contract. Every allocation is undone, every open line closed, the agreed
    deductions kept (a deduction line the paid money settles), and the rest (plus any interest owed)
    refunded — or, for a unit swap, moved to the new contract."""
    contract = Contract.objects.select_for_update().select_related("unit").get(pk=contract.pk)
    if contract.status != ContractStatus.SIGNED:
        raise LedgerError(f"contract {contract.contract_no} is already {contract.status}")
    deduct, extra = to_money(deductions), to_money(interest)
    if deduct < ZERO or extra < ZERO:
        raise LedgerError("deductions and interest cannot be negative")
    paid = paid_on_contract(contract)
    if deduct > paid:
        raise LedgerError(f"deductions {deduct} exceed what was paid ({paid})")
    user = _user(actor)
    receivable_ids = list(contract.receivables.values_list("pk", flat=True))
    lock_receivables(receivable_ids)
    # 1. undo allocations that are still standing
    reversed_ids = set(LedgerEntry.objects.filter(contract=contract, reverses__isnull=False)
                       .values_list("reverses_id", flat=True))
    standing = LedgerEntry.objects.filter(contract=contract, kind=EntryKind.ALLOCATION, amount__lt=0,
                                          reverses__isnull=True).exclude(pk__in=reversed_ids)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(contract=contract, receivable_id=e.receivable_id, kind=EntryKind.ALLOCATION, amount=-e.amount,
                    receipt_id=e.receipt_id, reverses=e, posted_on=on, note="contract cancelled", created_by=user)
        for e in standing
    ])
    # 2. close every line that is still owed
    owed = outstanding_of(receivable_ids)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(contract=contract, receivable_id=pk, kind=EntryKind.CANCELLATION, amount=-left, posted_on=on,
                    note=reason, created_by=user)
        for pk, left in owed.items() if left != ZERO
    ])
    # 3. the deductions the developer keeps
    if deduct > ZERO:
        line = Receivable.objects.create(contract=contract, kind=ReceivableKind.DEDUCTION, seq=1, name="退房扣款",
                                         due_date=on, amount=deduct, created_by=user)
        for receipt in contract.receipts.filter(amount__gt=0).order_by("received_on", "pk"):
            left = deduct + total_of(LedgerEntry.objects.filter(receivable=line))
            if left <= ZERO:
                break
            available = unallocated_of(receipt)
            take = min(available, left)
            if take > ZERO:
                LedgerEntry.objects.create(contract=contract, receivable=line, kind=EntryKind.ALLOCATION,
                                           amount=-take, receipt=receipt, posted_on=on, created_by=user)
    contract.status = ContractStatus.SWAPPED if _moved_to else ContractStatus.CANCELLED
    contract.save(update_fields=["status"])
    unit = contract.unit
    unit.status = "available"
    unit.save(update_fields=["status"])
    to_return = paid - deduct
    refunded = ZERO
    if _moved_to is not None and to_return > ZERO:
        Receipt.objects.create(number=next_number("ZC", on.year), contract=contract, amount=-to_return,
                               received_on=on, method=ReceiptMethod.TRANSFER, source=ReceiptSource.SYSTEM,
                               note=f"moved to {_moved_to.contract_no}", created_by=user)
        post_receipt(actor=actor, amount=to_return, received_on=on, contract=_moved_to,
                     method=ReceiptMethod.TRANSFER, source=ReceiptSource.SYSTEM,
                     note=f"moved from {contract.contract_no}")
    elif refund_now and to_return > ZERO:
        refund(actor=actor, contract=contract, amount=to_return, on=on, reason=reason)
        refunded = to_return
    cancellation = Cancellation.objects.create(contract=contract, cancelled_on=on, reason=reason, paid=paid,
                                               deductions=deduct, interest=extra, refunded=refunded + extra,
                                               moved_to=_moved_to, created_by=user)
    record(actor, "contract.cancelled", contract, paid=paid, deductions=deduct, interest=extra,
           refunded=refunded + extra, moved_to=_moved_to and _moved_to.contract_no)
    return cancellation


@transaction.atomic
def swap_unit(*, actor: Any, contract: Contract, new_contract: Contract, on: date, reason: str,
              deductions: Decimal | str = ZERO) -> Cancellation:
    """换房: the old contract is unwound and what the buyer paid moves to the new contract, where it
    is allocated oldest-due first."""
    if new_contract.pk == contract.pk:
        raise LedgerError("a unit swap needs a different contract")
    if new_contract.status != ContractStatus.SIGNED:
        raise LedgerError(f"the new contract {new_contract.contract_no} is not live")
    return cancel_contract(actor=actor, contract=contract, on=on, reason=reason, deductions=deductions,
                           refund_now=False, _moved_to=new_contract)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
