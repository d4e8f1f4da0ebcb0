"""What a person decides in the review queue: confirm, split, reject, unmatch, write off, refund.

Every decision is one call, one transaction, holding the bank transaction's row lock, with an audit event.
A match that was allocated is undone with reversing ledger entries (the receipt is immutable and keeps the
money as unallocated credit, which the next confirmation on that contract uses first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from huikuan.banking.matching import name_key
from huikuan.core.money import ZERO, to_money
from huikuan.core.services import record
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import EntryKind
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import LedgerEntry, Receipt, Receivable
from huikuan.sales.models import ContractParty

from ..choices import ALLOCATED_STATUSES, OPEN_STATUSES, ExceptionKind, MatchStatus
from ..models import BankTransaction, Match, MatchLine, PayerAlias, TransactionReceipt
from .posting import credit_on
from .reconciliation import setting

REVIEW = "banking.review_match"
WRITE_OFF = "banking.write_off_difference"


class ReviewError(LedgerError):
    """A review decision that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class Line:
    receivable_id: int
    amount: Decimal


def _require(actor: Any, perm: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(perm)):
        raise PermissionDenied(f"needs the permission {perm}")


def _lock(match: Match) -> Match:
    BankTransaction.objects.select_for_update().get(pk=match.transaction_id)
    return Match.objects.select_for_update(of=("self",)).select_related("transaction__account").get(pk=match.pk)


def _decided(match: Match, actor: Any, status: str, note: str = "") -> None:
    match.status, match.decided_by, match.decided_at = status, actor, timezone.now()
    if note:
        match.note = note[:255]
    match.save(update_fields=["status", "decided_by", "decided_at", "note", "contract"])


def _requeue(match: Match, reason: str, drop_contract: int | None = None) -> Match:
    """A new live `unidentified` match for the transaction, keeping the candidates for the person."""
    candidates = [c for c in match.candidates if c.get("contract_id") != drop_contract]
    return Match.objects.create(transaction_id=match.transaction_id, status=MatchStatus.EXCEPTION,
                                exception_kind=ExceptionKind.UNIDENTIFIED, reasons=[reason], candidates=candidates,
                                contract_id=None if match.contract_id == drop_contract else match.contract_id)


@transaction.atomic
def confirm(*, actor: Any, match: Match, lines: Sequence[Line] | None = None, note: str = "") -> Match:
    """Confirm a suggestion or an exception: allocate its lines (or, for a split, the lines given)."""
    _require(actor, REVIEW)
    match = _lock(match)
    if match.status not in OPEN_STATUSES:
        raise ReviewError(f"this match is {match.get_status_display()}; only suggestions and exceptions are confirmed")
    txn = match.transaction
    if txn.amount <= ZERO:
        raise ReviewError("money out (a refund, reversal or fee) is not a receipt; reject it to clear it")
    if lines is not None:
        _replace_lines(match, lines)
    if not match.lines.exists():
        raise ReviewError("name the receivables this transaction pays (split) before confirming")
    from .posting import allocate_match

    allocate_match(actor, match)
    first = match.lines.select_related("receivable").first()
    match.contract_id = first.receivable.contract_id if first else match.contract_id
    _decided(match, actor, MatchStatus.CONFIRMED, note)
    _learn_payer(actor, match)
    record(actor, "match.confirmed", match, transaction=txn.reference, split=lines is not None, note=note,
           lines={str(line.receivable_id): line.amount for line in match.lines.all()})
    return match


def split(*, actor: Any, match: Match, lines: Sequence[Line], note: str = "") -> Match:
    """Spread one transaction over the receivables named (any contracts), and confirm."""
    if not lines:
        raise ReviewError("a split needs at least one receivable and amount")
    return confirm(actor=actor, match=match, lines=lines, note=note or "split")


def _replace_lines(match: Match, lines: Sequence[Line]) -> None:
    ids = [line.receivable_id for line in lines]
    if len(set(ids)) != len(ids):
        raise ReviewError("name each receivable once")
    found = set(Receivable.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = set(ids) - found
    if missing:
        raise ReviewError(f"receivable {min(missing)} does not exist")
    total = ZERO
    for line in lines:
        if to_money(line.amount) <= ZERO:
            raise ReviewError("each line must pay a positive amount")
        total += to_money(line.amount)
    if total > match.transaction.amount:
        raise ReviewError(f"the lines add up to {total}, the transaction is {match.transaction.amount}")
    match.lines.all().delete()
    MatchLine.objects.bulk_create([MatchLine(match=match, receivable_id=line.receivable_id,
                                             amount=to_money(line.amount)) for line in lines])


def _learn_payer(actor: Any, match: Match) -> None:
    """A payer who is not a party of the contract paid it (a relative or agent): remember them."""
    txn = match.transaction
    payer = name_key(txn.counterparty)
    if not payer:
        return
    contract_ids = set(match.lines.values_list("receivable__contract_id", flat=True))
    parties = list(ContractParty.objects.filter(contract_id__in=contract_ids).select_related("customer"))
    if len(contract_ids) != 1 or not parties or any(name_key(p.customer.name) == payer for p in parties):
        return
    customer = parties[0].customer
    alias, created = PayerAlias.objects.get_or_create(
        customer=customer, name=txn.counterparty[:128], account=txn.counterparty_account[:64],
        defaults={"learnt_from": match, "created_by": actor if getattr(actor, "pk", None) else None})
    if created:
        record(actor, "payer_alias.learnt", alias, customer=customer.pk, name=alias.name, account=alias.account)


@transaction.atomic
def reject(*, actor: Any, match: Match, note: str = "") -> Match | None:
    """Reject a suggestion (the transaction goes back to the queue as unidentified, other candidates kept),
    or dismiss an unidentified/reversal line that is not a buyer's payment. Returns the requeued match."""
    _require(actor, REVIEW)
    match = _lock(match)
    if match.status not in OPEN_STATUSES:
        raise ReviewError(f"this match is {match.get_status_display()}; allocated matches are undone (unmatch)")
    proposed = match.lines.exists()
    _decided(match, actor, MatchStatus.REJECTED, note)
    record(actor, "match.rejected", match, transaction=match.transaction.reference, note=note)
    if proposed or match.exception_kind not in (ExceptionKind.UNIDENTIFIED, ExceptionKind.REVERSAL, ""):
        return _requeue(match, f"suggestion rejected{': ' + note if note else ''}", drop_contract=match.contract_id)
    return None


@transaction.atomic
def unmatch(*, actor: Any, match: Match, reason: str) -> Match:
    """Undo an allocated match: reverse its allocations (and write-off), back to the queue."""
    _require(actor, REVIEW)
    if not reason.strip():
        raise ReviewError("say why the match is undone")
    match = _lock(match)
    if match.status not in ALLOCATED_STATUSES:
        raise ReviewError(f"this match is {match.get_status_display()}; only allocated matches can be undone")
    reversed_ids = set(LedgerEntry.objects.filter(reverses__isnull=False).filter(
        reverses__match_line__match=match).values_list("reverses_id", flat=True))
    for line in match.lines.select_related("ledger_entry"):
        if line.ledger_entry is not None and line.ledger_entry_id not in reversed_ids:
            ledger.unallocate(actor=actor, entry=line.ledger_entry, reason=f"bank match undone: {reason}")
    entry = match.write_off_entry
    if entry is not None:
        LedgerEntry.objects.create(contract_id=entry.contract_id, receivable_id=entry.receivable_id,
                                   kind=EntryKind.WRITE_OFF, amount=-entry.amount, reverses=entry,
                                   posted_on=timezone.localdate(), note=f"bank match undone: {reason}",
                                   created_by=actor if getattr(actor, "pk", None) else None)
    _decided(match, actor, MatchStatus.UNMATCHED, reason)
    record(actor, "match.unmatched", match, transaction=match.transaction.reference, reason=reason)
    return _requeue(match, f"undone: {reason}")


def write_off_tolerance() -> Decimal:
    return to_money(setting("MATCH_WRITE_OFF_TOLERANCE", "10.00"))


@dataclass(frozen=True)
class Settling:
    """What is left to settle after an allocated match: a small difference to write off, credit to refund."""

    write_off: Decimal = ZERO  # what the one receivable the match pays still owes, within the tolerance
    refund: Decimal = ZERO  # what the transaction left unallocated on the contract


def settling(match: Match) -> Settling:
    """What `write_off_difference` and `refund_excess` would take for this match now (zero: nothing to offer)."""
    if match.status not in ALLOCATED_STATUSES:
        return Settling()
    write_off = ZERO
    paid = set(match.lines.values_list("receivable_id", flat=True))
    if len(paid) == 1 and match.write_off_entry_id is None:
        owed = ledger.outstanding_of(list(paid))[next(iter(paid))]
        write_off = owed if ZERO < owed <= write_off_tolerance() else ZERO
    refund = sum((usable for _, usable in credit_on(match.transaction, match.contract_id)), ZERO) \
        if match.contract_id is not None else ZERO
    return Settling(write_off, refund)


@transaction.atomic
def write_off_difference(*, actor: Any, match: Match, receivable_id: int | None = None,
                         amount: Decimal | str | None = None, reason: str = "") -> LedgerEntry:
    """Write off what a small under-payment left open (within HUIKUAN["MATCH_WRITE_OFF_TOLERANCE"])."""
    _require(actor, WRITE_OFF)
    match = _lock(match)
    if match.status not in ALLOCATED_STATUSES:
        raise ReviewError("confirm the match before writing off its difference")
    if match.write_off_entry_id is not None:
        raise ReviewError("this match's difference is already written off")
    paid = set(match.lines.values_list("receivable_id", flat=True))
    if receivable_id is None:
        if len(paid) != 1:
            raise ReviewError("name the receivable whose difference is written off")
        receivable_id = next(iter(paid))
    if receivable_id not in paid:
        raise ReviewError("the receivable is not paid by this match")
    row = ledger.lock_receivables([receivable_id])[receivable_id]
    owed = ledger.outstanding_of([receivable_id])[receivable_id]
    value = owed if amount is None else to_money(amount)
    tolerance = write_off_tolerance()
    if value <= ZERO or value > owed:
        raise ReviewError(f"the receivable owes {owed}; cannot write off {value}")
    if value > tolerance:
        raise ReviewError(f"{value} is above the write-off tolerance of {tolerance}")
    entry = LedgerEntry.objects.create(
        contract_id=row.contract_id, receivable_id=receivable_id, kind=EntryKind.WRITE_OFF, amount=-value,
        posted_on=timezone.localdate(), note=(reason or f"difference of bank match {match.pk}")[:255],
        created_by=actor)
    match.write_off_entry = entry
    match.save(update_fields=["write_off_entry"])
    record(actor, "match.written_off", match, receivable=receivable_id, amount=value, reason=reason)
    return entry


@transaction.atomic
def refund_excess(*, actor: Any, match: Match, amount: Decimal | str | None = None, reason: str = "") -> Receipt:
    """Pay back what an over-payment left as credit on the contract (a negative receipt)."""
    _require(actor, REVIEW)
    if not actor.has_perm("receivables.refund"):
        raise PermissionDenied("needs the permission receivables.refund")
    match = _lock(match)
    contract = match.contract
    if match.status not in ALLOCATED_STATUSES or contract is None:
        raise ReviewError("confirm the match before refunding its excess")
    credit = sum((usable for _, usable in credit_on(match.transaction, contract.pk)), ZERO)
    value = credit if amount is None else to_money(amount)
    if value <= ZERO or value > credit:
        raise ReviewError(f"the transaction left {credit} of credit on the contract; cannot refund {value}")
    receipt = ledger.refund(actor=actor, contract=contract, amount=value, on=timezone.localdate(),
                            reason=reason or f"over-payment of bank transaction {match.transaction.reference}")
    TransactionReceipt.objects.create(transaction=match.transaction, receipt=receipt, contract=contract)
    record(actor, "match.excess_refunded", match, amount=value)
    return receipt
