"""Importing cashier receipts (CSV/XLSX): each row is posted with `services.post_receipt` and
allocated oldest-due first. All or nothing per file; re-importing a file changes nothing.

A row's reference (流水号/凭证号) keys it: a reference already imported is skipped. A row without
one gets a stable reference from a hash of (contract, date, amount, method) and how many identical
rows came before it in the file, so the same file imported twice gives the same references.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from huikuan.sales.choices import ContractStatus
from huikuan.sales.importing.errors import ImportFailed, RowError
from huikuan.sales.importing.tables import Column, Table, read_table
from huikuan.sales.importing.values import parse_date, parse_positive_amount, text
from huikuan.sales.importing.vocabulary_key import key
from huikuan.sales.models import Contract

from .choices import ReceiptMethod, ReceiptSource
from .models import Receipt
from .services import post_receipt

RECEIPT_COLUMNS = [
    Column("contract_no", ("合同编号", "contract_no", "合同号")),
    Column("date", ("收款日期", "date", "日期", "received_on")),
    Column("amount", ("金额", "amount", "收款金额")),
    Column("method", ("方式", "method", "收款方式", "支付方式"), required=False),
    Column("reference", ("流水号", "reference", "凭证号", "参考号"), required=False),
    Column("payer", ("付款人", "payer", "交款人"), required=False),
]

METHOD_NAMES: dict[str, str] = {
    "现金": ReceiptMethod.CASH, "cash": ReceiptMethod.CASH,
    "转账": ReceiptMethod.BANK_TRANSFER, "银行转账": ReceiptMethod.BANK_TRANSFER, "汇款": ReceiptMethod.BANK_TRANSFER,
    "banktransfer": ReceiptMethod.BANK_TRANSFER, "transfer": ReceiptMethod.BANK_TRANSFER,
    "pos": ReceiptMethod.POS, "刷卡": ReceiptMethod.POS, "银行卡": ReceiptMethod.POS, "card": ReceiptMethod.POS,
    "微信": ReceiptMethod.WECHAT, "微信支付": ReceiptMethod.WECHAT, "wechat": ReceiptMethod.WECHAT,
    "wechatpay": ReceiptMethod.WECHAT,
    "支付宝": ReceiptMethod.ALIPAY, "alipay": ReceiptMethod.ALIPAY,
    "支票": ReceiptMethod.CHEQUE, "cheque": ReceiptMethod.CHEQUE, "check": ReceiptMethod.CHEQUE,
    "按揭放款": ReceiptMethod.LOAN_DISBURSEMENT, "贷款放款": ReceiptMethod.LOAN_DISBURSEMENT,
    "公积金放款": ReceiptMethod.LOAN_DISBURSEMENT, "放款": ReceiptMethod.LOAN_DISBURSEMENT,
    "loandisbursement": ReceiptMethod.LOAN_DISBURSEMENT, "loan": ReceiptMethod.LOAN_DISBURSEMENT,
}
_METHODS = {key(name): method for name, method in METHOD_NAMES.items()}


@dataclass(frozen=True)
class ReceiptRow:
    row: int
    contract_no: str
    received_on: date
    amount: Decimal
    method: str
    reference: str
    payer: str


@dataclass
class ReceiptImportResult:
    file: str
    posted: int = 0
    skipped: int = 0
    amount: Decimal = Decimal("0.00")


def method_of(cell: Any) -> str | None:
    written = text(cell)
    return str(ReceiptMethod.BANK_TRANSFER) if not written else _METHODS.get(key(written))


def stable_reference(contract_no: str, received_on: date, amount: Decimal, method: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{contract_no}|{received_on}|{amount}|{method}|{occurrence}".encode()).hexdigest()
    return f"auto-{digest[:24]}"


def _no_progress(iterable: Iterable[Any], **_: Any) -> Iterable[Any]:
    return iterable


def import_receipts(path: str | Path, *, actor: Any = None,
                    progress: Callable[..., Iterable[Any]] = _no_progress) -> ReceiptImportResult:
    """Post every row of the file, or none (ImportFailed lists every error)."""
    table = read_table(path, RECEIPT_COLUMNS)
    rows, errors = _parse_rows(table)
    contracts = {c.contract_no: c for c in Contract.objects.filter(contract_no__in={r.contract_no for r in rows})}
    done = set(Receipt.objects.filter(source=ReceiptSource.IMPORT, reference__in=[r.reference for r in rows])
               .values_list("reference", flat=True))
    for row in rows:
        contract = contracts.get(row.contract_no)
        if contract is None:
            errors.append(table.error(row.row, "contract_no", f"no contract {row.contract_no}"))
        elif contract.status != ContractStatus.SIGNED and row.reference not in done:
            errors.append(table.error(row.row, "contract_no", f"contract {row.contract_no} is {contract.status}; "
                                                              "it takes no receipts"))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row or 0))
    result = ReceiptImportResult(file=table.file)
    with transaction.atomic():
        for row in progress(rows, total=len(rows), desc="posting", unit="receipt"):
            if row.reference in done:
                result.skipped += 1
                continue
            post_receipt(actor=actor, amount=row.amount, received_on=row.received_on,
                         contract=contracts[row.contract_no], method=row.method, source=ReceiptSource.IMPORT,
                         reference=row.reference, payer_name=row.payer, note=f"{table.file} row {row.row}")
            result.posted += 1
            result.amount += row.amount
    return result


def _parse_rows(table: Table) -> tuple[list[ReceiptRow], list[RowError]]:
    errors: list[RowError] = []
    rows: list[ReceiptRow] = []
    seen: Counter[tuple[str, date, Decimal, str]] = Counter()
    references: dict[str, int] = {}
    for raw in table.rows:
        row_errors: list[RowError] = []
        number = text(raw.cells.get("contract_no"))
        if not number:
            row_errors.append(table.error(raw, "contract_no", "empty"))
        parsed: dict[str, Any] = {}
        for field, parser in (("date", parse_date), ("amount", parse_positive_amount)):
            if raw.cells.get(field) is None:
                row_errors.append(table.error(raw, field, "empty"))
                continue
            try:
                parsed[field] = parser(raw.cells[field])
            except ValueError as exc:
                row_errors.append(table.error(raw, field, str(exc)))
        method = method_of(raw.cells.get("method"))
        if method is None:
            row_errors.append(table.error(raw, "method", f"{text(raw.cells.get('method'))!r} is not a receipt method "
                                                         "(现金, 转账, POS, 微信, 支付宝, 支票, 按揭放款)"))
        errors += row_errors
        if row_errors:
            continue
        reference = text(raw.cells.get("reference"))
        if not reference:
            identity = (number, parsed["date"], parsed["amount"], str(method))
            reference = stable_reference(*identity, seen[identity])
            seen[identity] += 1
        elif reference in references:
            errors.append(table.error(raw, "reference",
                                      f"reference {reference} is also on row {references[reference]}"))
            continue
        references[reference] = raw.number
        rows.append(ReceiptRow(raw.number, number, parsed["date"], parsed["amount"], str(method), reference,
                               text(raw.cells.get("payer"))))
    return rows, errors
