"""Batch mortgage disbursements: a bank's list of the buyers one transfer pays (放款清单).

The list (contract number or buyer name, amount per row) is stored, then matched against the open loan
receivables: each row's loan line is paid from the one transfer. Without a list, `reconcile` already
proposes the subset of the bank's open loan receivables that sums exactly to the transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from huikuan.banking.matching import DisbursementRow as EngineRow
from huikuan.banking.matching import Matcher
from huikuan.banking.matching.normalize import contract_lookup_key
from huikuan.banking.statements import StatementError, table_rows
from huikuan.banking.statements.tabular import normalise_header
from huikuan.banking.statements.values import clean, parse_amount
from huikuan.core.services import record

from ..account_numbers import canonical_account_no
from ..choices import ALLOCATED_STATUSES, OPEN_STATUSES, MatchStatus
from ..models import BankTransaction, DisbursementList, DisbursementRow, Match
from .open_items import build_open_items, contracts_named
from .reconciliation import thresholds
from .storing import TxnFacts, store_proposals

HEADERS = {
    "contract_no": ("合同编号", "合同号", "合同号码", "contractno", "contract"),
    "buyer_name": ("借款人", "借款人姓名", "客户姓名", "姓名", "buyer", "buyername", "name"),
    "amount": ("放款金额", "发放金额", "贷款金额", "金额", "amount"),
}

TOTALS = ("合计", "总计", "小计", "total")


@dataclass(frozen=True)
class ListRow:
    contract_no: str
    buyer_name: str
    amount: Decimal
    line_no: int = 0


def read_disbursement_file(source: str | Path | bytes) -> list[ListRow]:
    """A bank's list (放款清单) as it comes — CSV (UTF-8 or GBK), XLS or XLSX, a title or notes above the header —
    whose header names an amount column and a contract number or buyer column. StatementError naming the line and
    the reason for anything else."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    rows = table_rows(data)
    headers = [(n, _columns([normalise_header(c) for c in row.cells])) for n, row in enumerate(rows[:20])]
    header, index = next(((n, index) for n, index in headers if index["amount"] is not None and (
        index["contract_no"] is not None or index["buyer_name"] is not None)), (None, {}))
    if header is None:
        raise StatementError("a disbursement list needs a header naming an amount column (放款金额) and a contract "
                             "number (合同编号) or buyer (借款人) column", line=rows[0].line_no if rows else 1)
    out = []
    for row in rows[header + 1:]:
        texts = [clean(c) for c in row.cells]

        def cell(field: str, texts: list[str] = texts) -> str:
            i = index[field]
            return texts[i] if i is not None and i < len(texts) else ""

        label = (cell("contract_no") or cell("buyer_name")).lower()
        if label.startswith(TOTALS) or not (cell("contract_no") or cell("buyer_name")):
            continue
        i = index["amount"] or 0
        try:
            amount = parse_amount(row.cells[i] if i < len(row.cells) else "", cell("amount"))
        except ValueError as exc:
            raise StatementError(str(exc), line=row.line_no)
        if amount is None or amount <= 0:
            raise StatementError(f"row of {label}: the amount must be positive, got {cell('amount')!r}",
                                 line=row.line_no)
        out.append(ListRow(cell("contract_no"), cell("buyer_name"), amount, row.line_no))
    if not out:
        raise StatementError("the disbursement list has no rows")
    return out


def _columns(headers: list[str]) -> dict[str, int | None]:
    return {field: next((headers.index(n) for n in names if n in headers), None) for field, names in HEADERS.items()}


def transfer_referenced(reference: str, account_no: str | None = None) -> BankTransaction:
    """The bank line a disbursement list is for, by its bank reference (or the key its import gave it), on the
    account given (however its number is written) if any. StatementError when there is none, or several."""
    found = BankTransaction.objects.filter(Q(bank_ref=reference) | Q(key=reference)).select_related("account")
    if account_no:
        found = found.filter(account__account_no=canonical_account_no(account_no))
    lines = list(found[:3])
    if not lines:
        raise StatementError(f"no bank line with the reference {reference!r}" +
                             (f" on account {account_no}" if account_no else ""))
    if len(lines) > 1:
        raise StatementError(f"several bank lines have the reference {reference!r} "
                             f"(accounts {', '.join(sorted({t.account.account_no for t in lines}))}): name the account")
    return lines[0]


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
def place_by_list(
    *, actor: Any, txn: BankTransaction, data: bytes, file_name: str = ""
) -> tuple[DisbursementList, Match]:
    """A bank's list file read (`read_disbursement_file`), stored and matched to its transfer — all or nothing: a
    bad file, or a transfer already matched, leaves no list behind."""
    listing = import_disbursement_list(actor=actor, rows=read_disbursement_file(data), txn=txn, file_name=file_name)
    return listing, match_disbursement(actor=actor, txn=txn, listing=listing)


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
    rows = [EngineRow(r.contract_no, r.buyer_name, r.amount) for r in listing.rows.all()]
    # only the contracts the rows can name are indexed (the engine looks each row up by number, else by name)
    named = contracts_named(numbers=[contract_lookup_key(r.contract_no) for r in rows if r.contract_no],
                            names=[r.buyer_name for r in rows if r.buyer_name])
    matcher = Matcher(build_open_items(contract_ids=named), high=auto, medium=suggest)
    facts = TxnFacts.of(locked)
    stored = store_proposals(actor, [(facts, matcher.match_disbursement_list(facts.engine_txn(), rows))])[0]
    if stored is None:
        raise StatementError("this transfer was matched meanwhile; reload it")
    return Match.objects.get(pk=stored.match_id)
