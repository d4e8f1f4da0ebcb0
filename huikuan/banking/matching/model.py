"""Plain data in and out of the matching engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LOAN_KINDS = frozenset({"mortgage_loan", "provident_loan", "commercial_loan", "combination_loan"})
EXCEPTIONS = ("duplicate_payment", "underpayment", "overpayment", "unidentified", "reversal")


@dataclass(frozen=True, slots=True)
class BankTxn:
    key: str
    date: date
    amount: Decimal
    counterparty: str = ""
    counterparty_account: str = ""
    memo: str = ""
    bank_code: str = ""
    account_id: str = ""
    # the project of the account the money arrived on (an escrow account, 预售资金监管, is tied to one):
    # only that project's receivables can be paid by it; None: any project
    project: str | int | None = None


@dataclass(slots=True)
class OpenItem:
    """One open receivable (a payment-plan line) with what is known of its contract."""

    receivable_id: str | int
    contract_id: str | int
    contract_no: str
    unit_labels: tuple[str, ...] | list[str]
    kind: str
    due_date: date
    outstanding: Decimal
    party_names: list[str] | tuple[str, ...] = ()
    known_payer_accounts: set[str] | frozenset[str] = frozenset()
    known_payer_names: set[str] | frozenset[str] = frozenset()
    bank: str = ""
    original_amount: Decimal | None = None
    project: str | int | None = None


@dataclass(frozen=True, slots=True)
class DisbursementRow:
    """One line of a bank's mortgage disbursement list."""

    contract_no: str = ""
    buyer_name: str = ""
    amount: Decimal = Decimal(0)


@dataclass
class MatchProposal:
    txn_key: str
    allocations: list[tuple[str | int, Decimal]]
    confidence: float
    level: str  # "high" | "medium" | "low"
    reasons: list[str] = field(default_factory=list)
    exception: str | None = None
    contract_id: str | int | None = None
    candidates: list[tuple[str | int, float]] = field(default_factory=list)

    @property
    def allocated(self) -> Decimal:
        return sum((a for _, a in self.allocations), Decimal(0))
