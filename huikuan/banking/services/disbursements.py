"""Batch mortgage disbursements: a bank's list of the buyers one transfer pays (放款清单).

The list (contract number or buyer name, amount per row) is stored, then matched against the open loan
receivables: each row's loan line is paid from the one transfer. Without a list, `reconcile` already
proposes the subset of the bank's open loan receivables that sums exactly to the transfer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from huikuan.banking.matching import DisbursementRow as EngineRow
from huikuan.banking.matching import Matcher
from huikuan.banking.statements import StatementError
from huikuan.core.money import MoneyError, to_money
from huikuan.core.services import record

from ..choices import ALLOCATED_STATUSES, OPEN_STATUSES, MatchStatus
from ..models import BankTransaction, DisbursementList, DisbursementRow, Match
from .open_items import build_open_items
from .reconciliation import thresholds
from .storing import TxnFacts, store_proposals

HEADERS = {
    "contract_no": ("合同编号", "合同号", "contract_no", "contract"),
    "buyer_name": ("借款人", "借款人姓名", "客户姓名", "姓名", "buyer", "buyer_name", "name"),
    "amount": ("放款金额", "金额", "amount"),
}

TOTALS = ("合计", "总计", "小计", "total")


@dataclass(frozen=True)
class ListRow:
    contract_no: str
    buyer_name: str
    amount: Decimal
    line_no: int = 0


def read_disbursement_file(source: str | Path | bytes) -> list[ListRow]:
    """A CSV list with a header naming a contract number and/or buyer column and an amount column."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise StatementError("the disbursement list is neither UTF-8 nor GBK text")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    index = {field: next((header.index(n.lower()) for n in names if n.lower() in header), None)
             for field, names in HEADERS.items()}
    if index["amount"] is None or (index["contract_no"] is None and index["buyer_name"] is None):
        raise StatementError("a disbursement list needs an amount column and a contract number or buyer column",
                             line=1)
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            i = index[field]
            return cells[i].strip() if i is not None and i < len(cells) else ""

        label = (cell("contract_no") or cell("buyer_name")).lower()
        if label.startswith(TOTALS):
            continue
        try:
            amount = to_money(cell("amount"))
        except MoneyError:
            raise StatementError(f"amount {cell('amount')!r} is not an amount", line=reader.line_num)
        rows.append(ListRow(cell("contract_no"), cell("buyer_name"), amount, reader.line_num))
    if not rows:
        raise StatementError("the disbursement list has no rows")
    return rows


@transaction.atomic
def import_disbursement_list(*, actor: Any, rows: list[ListRow], txn: BankTransaction | None = None,
                             file_name: str = "") -> DisbursementList:
    listing = DisbursementList.objects.create(
        account=txn.account if txn else None, bank=txn.account.bank if txn else None, transaction=txn,
        file_name=file_name[:255], total=sum((r.amount for r in rows), Decimal("0.00")),
        imported_by=actor if getattr(actor, "pk", None) else None)
    DisbursementRow.objects.bulk_create([
        DisbursementRow(disbursement_list=listing, line_no=r.line_no or n, contract_no=r.contract_no[:64],
                        buyer_name=r.buyer_name[:128], amount=r.amount) for n, r in enumerate(rows, start=1)])
    record(actor, "disbursement_list.imported", listing, rows=len(rows), total=listing.total,
           transaction=txn and txn.reference)
    return listing


@transaction.atomic
def match_disbursement(*, actor: Any, txn: BankTransaction, listing: DisbursementList) -> Match:
    """Match one transfer over the rows of a disbursement list (replacing a suggestion or exception)."""
    locked = BankTransaction.objects.select_for_update(of=("self",)).select_related("account__bank").get(pk=txn.pk)
    live = Match.objects.live().filter(transaction=locked).first()
    if live is not None and live.status in ALLOCATED_STATUSES:
        raise StatementError("this transfer is already matched; undo the match first")
    if live is not None and live.status in OPEN_STATUSES:
        live.status, live.note = MatchStatus.REJECTED, "replaced by the disbursement list"
        live.decided_by = actor if getattr(actor, "pk", None) else None
        live.save(update_fields=["status", "note", "decided_by"])
    if listing.transaction_id != locked.pk:
        listing.transaction = locked
        listing.save(update_fields=["transaction"])
    auto, suggest = thresholds()
    matcher = Matcher(build_open_items(), high=auto, medium=suggest)
    rows = [EngineRow(r.contract_no, r.buyer_name, r.amount) for r in listing.rows.all()]
    facts = TxnFacts.of(locked)
    stored = store_proposals(actor, [(facts, matcher.match_disbursement_list(facts.engine_txn(), rows))])[0]
    if stored is None:
        raise StatementError("this transfer was matched meanwhile; reload it")
    return Match.objects.get(pk=stored.match_id)
