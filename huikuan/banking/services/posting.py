"""Turning a match into ledger movements: receipts posted from a bank transaction, allocated to its lines.

Called inside a transaction that holds the bank transaction's row lock. The money a transaction holds is
tracked through the receipts it was posted as (`TransactionReceipt`, one or more per contract):

* a transaction never allocates more than its amount (checked against its other allocated matches);
* a receivable never receives more than it owes (`receivables.services.allocate_receipt` re-reads it
  under its row lock and refuses);
* a receipt is immutable: after an undo its money stays on it as unallocated credit and is used first by
  the next confirmation on the same contract; confirming onto another contract moves that credit with a
  transfer pair (− on the old contract, + on the new), as a unit swap does;
* a loan line whose application in the mortgage pipeline awaits its disbursement is paid through
  `mortgages.services.record_disbursement`, which posts the receipt, allocates it and moves the pipeline.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from huikuan.core.bulk import rows_in
from huikuan.core.money import ZERO, quantize
from huikuan.core.services import next_number, record
from huikuan.mortgages import services as mortgage_services
from huikuan.mortgages.choices import Stage
from huikuan.mortgages.models import LoanApplication
from huikuan.mortgages.pipeline import MortgageError, check_move
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import LOAN_KINDS, EntryKind, ReceiptMethod, ReceiptSource
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.sales.models import Contract

from ..choices import ALLOCATED_STATUSES
from ..models import BankTransaction, Match, MatchLine, TransactionReceipt


def allocated_by(txn: BankTransaction, exclude: Match | None = None) -> Decimal:
    """What the transaction's standing (auto/confirmed) matches have allocated."""
    qs = MatchLine.objects.filter(match__transaction=txn, match__status__in=ALLOCATED_STATUSES,
                                  ledger_entry__isnull=False)
    if exclude is not None:
        qs = qs.exclude(match=exclude)
    return quantize(qs.aggregate(total=Sum("amount"))["total"] or ZERO)


def allocate_match(actor: Any, match: Match) -> None:
    """Post and allocate every line of `match` (lines without a ledger entry yet). Raises LedgerError."""
    txn = match.transaction
    lines = list(match.lines.filter(ledger_entry__isnull=True).select_related("receivable"))
    if not lines:
        raise LedgerError("the match names no receivable to pay")
    if any(line.amount <= ZERO for line in lines):
        raise LedgerError("each line must pay a positive amount")
    wanted = sum((line.amount for line in lines), ZERO)
    left = txn.amount - allocated_by(txn)
    if wanted > left:
        raise LedgerError(f"the bank transaction holds {left}, cannot allocate {wanted}")
    by_contract: dict[int, list[MatchLine]] = defaultdict(list)
    for line in lines:
        by_contract[line.receivable.contract_id].append(line)
    single = len(by_contract) == 1
    for contract_id, clines in sorted(by_contract.items()):
        rest = [line for line in clines if not _paid_as_disbursement(actor, txn, line)]
        if rest:
            _allocate_on_contract(actor, txn, contract_id, rest, take_all=single)


def _paid_as_disbursement(actor: Any, txn: BankTransaction, line: MatchLine) -> bool:
    if line.receivable.kind not in LOAN_KINDS:
        return False
    apps = list(LoanApplication.objects.open().filter(receivable_id=line.receivable_id,
                                                      disbursement_receipt__isnull=True))
    if len(apps) != 1:
        return False
    try:
        check_move(apps[0].stage, Stage.DISBURSED)
    except MortgageError:
        return False
    if line.amount > _unposted(txn) or line.amount != ledger.outstanding_of([line.receivable_id])[line.receivable_id]:
        return False
    receipt = mortgage_services.record_disbursement(apps[0], line.amount, txn.date, txn.reference, actor=actor)
    TransactionReceipt.objects.create(transaction=txn, receipt=receipt, contract=apps[0].contract)
    entry = LedgerEntry.objects.get(receipt=receipt, kind=EntryKind.ALLOCATION, receivable_id=line.receivable_id,
                                    reverses__isnull=True)
    line.ledger_entry = entry
    line.save(update_fields=["ledger_entry"])
    return True


def _links(txn: BankTransaction) -> list[TransactionReceipt]:
    return list(TransactionReceipt.objects.filter(transaction=txn).select_related("receipt").order_by("pk"))


def _unposted(txn: BankTransaction) -> Decimal:
    posted = sum((link.receipt.amount for link in _links(txn)), ZERO)
    return txn.amount - posted


def credit_on(txn: BankTransaction, contract_id: int) -> list[tuple[Receipt, Decimal]]:
    """The transaction's money sitting unallocated on the contract: (receipt, usable) in posting order."""
    links = [link for link in _links(txn) if link.contract_id == contract_id]
    pool = sum((link.receipt.amount for link in links), ZERO)
    for link in links:
        if link.receipt.amount > ZERO:
            pool -= link.receipt.amount - ledger.unallocated_of(link.receipt)
    out = []
    for link in links:
        if pool <= ZERO:
            break
        if link.receipt.amount > ZERO:
            usable = min(ledger.unallocated_of(link.receipt), pool)
            if usable > ZERO:
                out.append((link.receipt, usable))
                pool -= usable
    return out


def _reference(txn: BankTransaction, contract: Contract) -> str:
    options = reference_candidates(txn.reference, txn.account.account_no, contract.contract_no)
    taken = taken_references(options)
    return next((c for c in options if c not in taken), None) or numbered_reference(options[1], taken)


def reference_candidates(reference: str, account_no: str, contract_no: str) -> list[str]:
    """The references a receipt posted from a bank transaction may take, in order of preference (the bank's own,
    then qualified by the contract, then by the account); each fits the receipt's 128 characters."""
    return [c[:128] for c in (reference, f"{reference}/{contract_no}", f"{account_no}:{reference}")]


def numbered_reference(base: str, taken: set[str]) -> str:
    """`base/2`, `base/3`, … the first no receipt has (base: the reference qualified by the contract)."""
    used = taken | set(Receipt.objects.filter(source=ReceiptSource.BANK, reference__startswith=base[:100])
                       .values_list("reference", flat=True))
    n = 2
    while f"{base}/{n}"[:128] in used:
        n += 1
    return f"{base}/{n}"[:128]


def taken_references(references: list[str]) -> set[str]:
    """Those of `references` a bank receipt already has."""
    return {ref for ref, source in rows_in(Receipt, ["reference", "source"], "reference", references)
            if source == ReceiptSource.BANK}


def _move_credit_to(actor: Any, txn: BankTransaction, contract_id: int, amount: Decimal) -> None:
    """Bring up to `amount` of this transaction's credit on other contracts back (a transfer out of each)."""
    for other in sorted({link.contract_id for link in _links(txn)} - {contract_id}):
        if amount <= ZERO:
            return
        available = sum((usable for _, usable in credit_on(txn, other)), ZERO)
        contract = Contract.objects.select_for_update().get(pk=other)
        take = min(available, amount, ledger.contract_credit(contract))
        if take <= ZERO:
            continue
        receipt = Receipt.objects.create(
            number=next_number("ZC", txn.date.year), contract=contract, amount=-take, received_on=txn.date,
            method=ReceiptMethod.TRANSFER, source=ReceiptSource.SYSTEM,
            note=f"bank transaction {txn.reference} re-matched to another contract")
        TransactionReceipt.objects.create(transaction=txn, receipt=receipt, contract=contract)
        record(actor, "receipt.transferred", receipt, amount=take, reference=txn.reference)
        amount -= take


def _allocate_on_contract(actor: Any, txn: BankTransaction, contract_id: int, lines: list[MatchLine],
                          take_all: bool) -> None:
    need = sum((line.amount for line in lines), ZERO)
    have = sum((usable for _, usable in credit_on(txn, contract_id)), ZERO)
    if have < need:
        if _unposted(txn) < need - have:
            _move_credit_to(actor, txn, contract_id, need - have - _unposted(txn))
        unposted = _unposted(txn)
        amount = unposted if take_all else min(unposted, need - have)
        if amount < need - have:
            raise LedgerError(f"the bank transaction holds {have + unposted} for this contract, cannot allocate {need}")
        contract = Contract.objects.get(pk=contract_id)
        receipt = ledger.post_receipt(
            actor=actor, amount=amount, received_on=txn.date, contract=contract, source=ReceiptSource.BANK,
            reference=_reference(txn, contract), payer_name=txn.counterparty[:128],
            note=f"bank {txn.account.account_no} line {txn.line_no}"[:255], allocate=False)
        TransactionReceipt.objects.create(transaction=txn, receipt=receipt, contract=contract)
    sources = credit_on(txn, contract_id)
    queue: list[tuple[MatchLine, Decimal]] = [(line, line.amount) for line in lines]
    for receipt, usable in sources:
        targets: list[tuple[MatchLine, Decimal]] = []
        while queue and usable > ZERO:
            line, owed = queue[0]
            take = min(owed, usable)
            targets.append((line, take))
            usable -= take
            if take == owed:
                queue.pop(0)
            else:
                queue[0] = (line, owed - take)
        if targets:
            _allocate_receipt(actor, receipt, targets, txn)
        if not queue:
            return
    if queue:
        raise LedgerError("the bank transaction's money on this contract does not cover the match")


def _allocate_receipt(actor: Any, receipt: Receipt, targets: list[tuple[MatchLine, Decimal]],
                      txn: BankTransaction) -> None:
    entries = ledger.allocate_receipt(actor=actor, receipt=receipt, on=txn.date,
                                      targets=[ledger.Target(line.receivable_id, amount) for line, amount in targets])
    if len(entries) != len(targets):
        raise LedgerError("the receipt could not take every line of the match")
    for (line, amount), entry in zip(targets, entries, strict=True):
        if line.ledger_entry_id is None and amount == line.amount:
            line.ledger_entry = entry
            line.save(update_fields=["ledger_entry"])
        else:
            # a line paid from two receipts: it is split in two lines, one per ledger entry
            if line.ledger_entry_id is None:
                line.amount -= amount
                line.save(update_fields=["amount"])
            MatchLine.objects.create(match_id=line.match_id, receivable_id=line.receivable_id, amount=amount,
                                     ledger_entry=entry)
