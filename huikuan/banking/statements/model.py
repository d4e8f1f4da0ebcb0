"""Plain data of the statement engine: transactions, results, errors, column mappings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
DIRECTIONS = ("credit", "debit", "neutral")


class StatementError(Exception):
    """A statement that cannot be read: says what was expected and which line failed."""

    def __init__(self, message: str, line: int | None = None, filename: str | None = None,
                 sheet: str | None = None):
        self.message = message
        self.line = line
        self.filename = filename
        self.sheet = sheet  # the workbook's sheet the line is on, when it has several
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.filename:
            where.append(self.filename)
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{': '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Transaction:
    """One normalised statement line. ``amount`` is signed: credit (money in) positive."""

    date: date
    amount: Decimal
    currency: str = "CNY"
    counterparty: str = ""
    counterparty_account: str = ""
    memo: str = ""
    balance: Decimal | None = None
    bank_ref: str = ""
    direction: str = "credit"
    line_no: int = 0
    confidence: float = 1.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "amount": f"{self.amount.quantize(CENT)}",
            "currency": self.currency,
            "counterparty": self.counterparty,
            "counterparty_account": self.counterparty_account,
            "memo": self.memo,
            "balance": None if self.balance is None else f"{self.balance.quantize(CENT)}",
            "bank_ref": self.bank_ref,
            "direction": self.direction,
            "line_no": self.line_no,
            "confidence": round(self.confidence, 4),
        }


@dataclass
class ParseResult:
    format: str
    transactions: list[Transaction]
    warnings: list[str] = field(default_factory=list)
    account: str | None = None
    currency: str = "CNY"
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    account_name: str | None = None


AMOUNT_CONVENTIONS = ("signed", "credit_debit_columns", "amount_with_dc")
MAPPABLE_FIELDS = (
    "date", "amount", "credit", "debit", "dc", "counterparty", "counterparty_account",
    "memo", "balance", "bank_ref", "currency",
)


@dataclass
class ColumnMapping:
    """What a user saves per bank account when detection cannot decide.

    ``columns`` maps a field (see ``MAPPABLE_FIELDS``) to a header text or a 0-based column index.
    ``header_line`` is the 1-based line/row of the header (optional when headers are given by name).
    """

    columns: dict[str, str | int]
    date_format: str | None = None
    amount_convention: str | None = None
    header_line: int | None = None
    dayfirst: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(MAPPABLE_FIELDS)
        if unknown:
            raise StatementError(f"column mapping names unknown fields: {', '.join(sorted(unknown))}")
        if self.amount_convention and self.amount_convention not in AMOUNT_CONVENTIONS:
            raise StatementError(
                f"amount convention must be one of {', '.join(AMOUNT_CONVENTIONS)}, "
                f"got {self.amount_convention!r}"
            )
        if "date" not in self.columns:
            raise StatementError("column mapping needs a 'date' column")
        if not ({"amount", "credit", "debit"} & set(self.columns)):
            raise StatementError("column mapping needs an 'amount' or 'credit'/'debit' columns")

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "date_format": self.date_format,
            "amount_convention": self.amount_convention,
            "header_line": self.header_line,
            "dayfirst": self.dayfirst,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnMapping:
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise StatementError("column mapping must be an object with a 'columns' object")
        return cls(
            columns=dict(data["columns"]),
            date_format=data.get("date_format"),
            amount_convention=data.get("amount_convention"),
            header_line=data.get("header_line"),
            dayfirst=bool(data.get("dayfirst", True)),
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise StatementError(f"column mapping is not valid JSON: {exc.msg}", line=exc.lineno)


def _key_fields(tx: Transaction) -> str:
    return "\x1f".join(
        [
            tx.date.isoformat(),
            f"{tx.amount.quantize(CENT)}",
            tx.counterparty,
            tx.counterparty_account,
            tx.memo,
            "" if tx.balance is None else f"{tx.balance.quantize(CENT)}",
        ]
    )


def transaction_key(tx: Transaction, occurrence: int = 0) -> str:
    """Stable identity of a statement line, so re-importing the same lines adds nothing.

    The bank's reference when there is one; otherwise a sha256 of the line's fields. ``occurrence``
    is the line's index among identical lines of the same statement (0 for the first).
    """
    if tx.bank_ref:
        return tx.bank_ref if occurrence == 0 else f"{tx.bank_ref}#{occurrence}"
    digest = hashlib.sha256(f"{_key_fields(tx)}\x1e{occurrence}".encode()).hexdigest()
    return f"h:{digest}"


def transaction_keys(transactions: Iterable[Transaction]) -> list[str]:
    """Keys for a statement's lines in order, counting occurrences of identical lines."""
    seen: dict[str, int] = {}
    keys = []
    for tx in transactions:
        ident = f"ref:{tx.bank_ref}" if tx.bank_ref else _key_fields(tx)
        occurrence = seen.get(ident, 0)
        seen[ident] = occurrence + 1
        keys.append(transaction_key(tx, occurrence))
    return keys


@dataclass(frozen=True)
class BalanceGap:
    line_no: int
    previous_line_no: int | None
    expected: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.expected

    def __str__(self) -> str:
        after = f" after line {self.previous_line_no}" if self.previous_line_no is not None else ""
        return (
            f"line {self.line_no}: balance {self.actual} but {self.expected} expected{after} "
            f"(difference {self.difference}); a line, day or page may be missing"
        )


def _gaps(txs: list[Transaction], opening: Decimal | None) -> list[BalanceGap]:
    """Each given balance against the previous one plus the lines since (those with no balance of their own —
    MT940 and CAMT give one a statement — included; a neutral line moved no money)."""
    gaps = []
    prev_balance = opening
    prev_line: int | None = None
    moved = Decimal(0)
    for tx in txs:
        if tx.direction != "neutral":
            moved += tx.amount
        if tx.balance is None:
            continue
        if prev_balance is not None:
            expected = prev_balance + moved
            if expected != tx.balance:
                gaps.append(BalanceGap(tx.line_no, prev_line, expected, tx.balance))
        prev_balance, prev_line, moved = tx.balance, tx.line_no, Decimal(0)
    return gaps


def check_balance_continuity(
    transactions: list[Transaction], opening_balance: Decimal | None = None
) -> list[BalanceGap]:
    """Report each line whose balance is not the previous balance plus its amount.

    Statements listed newest first are recognised (checked in reverse when that fits better).
    """
    forward = _gaps(transactions, opening_balance)
    if not forward or opening_balance is not None:
        return forward
    backward = _gaps(list(reversed(transactions)), None)
    return backward if len(backward) < len(forward) else forward
