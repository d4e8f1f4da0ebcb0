"""Many receipts posted and allocated at once — for reconciliation storing thousands of automatic matches.

The rules are those of `services.post_receipt` followed by `services.allocate_receipt` with named targets:
a receipt is a positive amount on a signed contract; each allocation is positive, pays a receivable of the
receipt's contract, never more than the receivable still owes and never more, in all, than the receipt holds.
What differs is the cost: the receivables are locked in one statement (`lock_owed`, primary-key order, as
`lock_objects` does), what they owe is read once, and receipts, ledger entries and audit events are written
as a few many-row INSERTs instead of a dozen queries a receipt.

Receipts come in groups (the receipts one bank transaction is posted as): a group is written whole or not at
all — a group that breaks a rule is refused with the reason and none of its receipts is written, while the
others go ahead. Call both functions inside the caller's transaction, `lock_owed` first (a receipt's contract
must be the contract of receivables it locked).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from huikuan.core.bulk import LOOKUP_CHUNK, insert_rows, last_pk, rows_after
from huikuan.core.money import ZERO
from huikuan.core.services import next_numbers, record_many
from huikuan.core.sql import cents_sql
from huikuan.sales.choices import ContractStatus
from huikuan.sales.models import Contract

from .choices import EntryKind, ReceiptMethod, ReceiptSource
from .models import LedgerEntry, Receipt, Receivable
from .signals import money_moved


@dataclass
class Owed:
    """What the locked receivables owe now (updated as groups are posted), whose contract each is, and those
    contracts' numbers and whether they are signed (the only ones that take receipts)."""

    left: dict[int, Decimal] = field(default_factory=dict)
    contract_of: dict[int, int] = field(default_factory=dict)
    contract_no: dict[int, str] = field(default_factory=dict)
    signed: set[int] = field(default_factory=set)


@dataclass
class NewReceipt:
    contract_id: int
    amount: Decimal
    received_on: date
    reference: str
    allocations: Sequence[tuple[int, Decimal]]  # (receivable id, amount), each receivable once
    payer_name: str = ""
    note: str = ""
    method: str = ReceiptMethod.BANK_TRANSFER
    source: str = ReceiptSource.BANK


@dataclass
class Posted:
    """A receipt written: its id and number, and the ledger entry of each allocation, in order."""

    receipt: NewReceipt
    receipt_id: int = 0
    number: str = ""
    entry_ids: list[int] = field(default_factory=list)


def lock_owed(receivable_ids: Iterable[int]) -> Owed:
    """Lock the receivables (primary-key order) and read what each owes: its amount plus its entries. Keys go to
    the database as they are (plain SQL: no per-value preparation of thousands of ids), money comes back in
    cents."""
    ids = sorted(set(receivable_ids))
    owed = Owed()
    cents: dict[int, int] = {}
    r, c, e = Receivable._meta.db_table, Contract._meta.db_table, LedgerEntry._meta.db_table
    lock = " FOR UPDATE OF r" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start:start + LOOKUP_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            # table names come from the models; every value is a bound parameter
            cursor.execute(f"SELECT r.id, r.contract_id, {cents_sql('r.amount')}, c.contract_no, c.status "  # noqa: S608
                           f"FROM {r} r JOIN {c} c ON c.id = r.contract_id WHERE r.id IN ({marks}) "
                           f"ORDER BY r.id{lock}", chunk)
            for pk, contract_id, amount, number, status in cursor.fetchall():
                cents[pk], owed.contract_of[pk], owed.contract_no[contract_id] = amount, contract_id, number
                if status == ContractStatus.SIGNED:
                    owed.signed.add(contract_id)
            cursor.execute(f"SELECT receivable_id, {cents_sql('SUM(amount)')} FROM {e} "  # noqa: S608
                           f"WHERE receivable_id IN ({marks}) GROUP BY receivable_id", chunk)
            for pk, moved in cursor.fetchall():
                cents[pk] += moved or 0
    owed.left = {pk: Decimal(value).scaleb(-2) for pk, value in cents.items()}
    return owed


def post_receipt_groups(actor: Any, groups: Sequence[Sequence[NewReceipt]], owed: Owed) -> list[list[Posted] | str]:
    """Post each group whole, or refuse it: per group, its receipts as written, or the reason it was refused."""
    outcome: list[list[Posted] | str] = []
    for group in groups:
        problem = _check(group, owed)
        if problem:
            outcome.append(problem)
            continue
        for receipt in group:
            for receivable_id, amount in receipt.allocations:
                owed.left[receivable_id] -= amount
        outcome.append([Posted(receipt) for receipt in group])
    posted = [p for result in outcome if not isinstance(result, str) for p in result]
    if posted:
        _write(actor, posted, owed.contract_no)
    return outcome


def _check(group: Sequence[NewReceipt], owed: Owed) -> str:
    """Why the group cannot be posted as it stands ('' when it can), against what is owed now."""
    taking: dict[int, Decimal] = {}
    for receipt in group:
        if receipt.amount <= ZERO:
            return "a receipt must be a positive amount"
        if receipt.contract_id not in owed.signed:
            return f"contract {receipt.contract_id} is not signed; it takes no receipts"
        if sum((amount for _, amount in receipt.allocations), ZERO) > receipt.amount:
            return f"a receipt of {receipt.amount} cannot allocate more than it holds"
        for receivable_id, amount in receipt.allocations:
            if amount <= ZERO:
                return "an allocation must be a positive amount"
            if owed.contract_of.get(receivable_id) != receipt.contract_id:
                return f"receivable {receivable_id} is not locked or belongs to another contract"
            taking[receivable_id] = taking.get(receivable_id, ZERO) + amount
    for receivable_id, amount in taking.items():
        if amount > owed.left[receivable_id]:
            return f"receivable {receivable_id} owes {owed.left[receivable_id]}, cannot take {amount}"
    return ""


def _write(actor: Any, posted: list[Posted], contract_nos: dict[int, str]) -> None:
    user = getattr(actor, "pk", None)
    by_year: dict[int, list[Posted]] = {}
    for p in posted:
        by_year.setdefault(p.receipt.received_on.year, []).append(p)
    for year, those in sorted(by_year.items()):
        for p, number in zip(those, next_numbers("SK", year, len(those)), strict=True):
            p.number = number
    receipts_before = last_pk(Receipt)
    insert_rows(Receipt, ["number", "contract", "amount", "received_on", "method", "source", "reference",
                          "payer_name", "note"],
                ((p.number, p.receipt.contract_id, p.receipt.amount, p.receipt.received_on, p.receipt.method,
                  p.receipt.source, p.receipt.reference.strip(), p.receipt.payer_name.strip()[:128],
                  p.receipt.note[:255]) for p in posted),
                same={"created_by": user}, fill_defaults=True)
    ids = dict(rows_after(Receipt, ["number", "pk"], receipts_before))
    for p in posted:
        p.receipt_id = ids[p.number]
    entries_before = last_pk(LedgerEntry)
    insert_rows(LedgerEntry, ["contract", "receivable", "kind", "amount", "receipt", "posted_on"],
                ((p.receipt.contract_id, receivable_id, EntryKind.ALLOCATION, -amount, p.receipt_id,
                  p.receipt.received_on) for p in posted for receivable_id, amount in p.receipt.allocations),
                same={"created_by": user}, fill_defaults=True)
    entries = {(receipt_id, receivable_id): pk for receipt_id, receivable_id, pk
               in rows_after(LedgerEntry, ["receipt", "receivable", "pk"], entries_before)}
    for p in posted:
        p.entry_ids = [entries[(p.receipt_id, receivable_id)] for receivable_id, _ in p.receipt.allocations]
    record_many(actor, _audit(posted, contract_nos))
    contracts = sorted({p.receipt.contract_id for p in posted})
    transaction.on_commit(lambda: money_moved.send(sender=Receipt, contract_ids=contracts))


def _audit(posted: list[Posted], contract_nos: dict[int, str]) -> Iterable[tuple[str, str, Any, dict[str, Any]]]:
    label = Receipt._meta.label_lower
    for p in posted:
        r = p.receipt
        yield "receipt.posted", label, p.receipt_id, {"amount": r.amount, "contract": contract_nos[r.contract_id],
                                                      "reference": r.reference}
        if r.allocations:
            allocated = sum((amount for _, amount in r.allocations), ZERO)
            yield "receipt.allocated", label, p.receipt_id, {
                "allocations": {str(pk): str(amount) for pk, amount in r.allocations},
                "unallocated": r.amount - allocated}
