"""Per-line overdue positions as of a date, over any number of contracts, streamed.

The figures are `receivables.balances.contract_balances(..., with_lines=True)` — the one definition
of due / overdue, receipts applied oldest-due first, due dates rolled to business days, restructured
and waived amounts applied — joined with the primary buyer (for risk, VIP, advisor, segment).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from huikuan.core.money import ZERO
from huikuan.receivables.balances import ContractBalance, LineBalance, contract_balances
from huikuan.sales.models import Contract, ContractParty

WINDOW = 5_000


@dataclass(frozen=True)
class LinePosition:
    receivable_id: int
    kind: str
    due_date: date
    effective_due: date
    amount: Decimal    # what the line is worth after adjustments
    unpaid: Decimal
    days: int          # days overdue on the date (0: not late)

    @property
    def overdue(self) -> Decimal:
        return self.unpaid if self.days > 0 and self.unpaid > ZERO else ZERO

    @classmethod
    def of(cls, line: LineBalance) -> LinePosition:
        return cls(line.receivable_id, line.kind, line.due_date, line.effective_due, line.amount, line.unpaid,
                   line.days_late)


@dataclass(frozen=True)
class Buyer:
    customer_id: int | None = None
    kind: str = ""
    customer_type: str = ""
    is_vip: bool = False
    advisor_id: int | None = None


@dataclass(frozen=True)
class ContractPosition:
    contract_id: int
    project_id: int
    customer_id: int | None
    customer_kind: str
    customer_type: str
    is_vip: bool
    advisor_id: int | None
    due: Decimal
    overdue: Decimal
    late_lines: list[LinePosition]


def buyers(contract_ids: list[int]) -> dict[int, Buyer]:
    rows = (ContractParty.objects.filter(contract_id__in=contract_ids, is_primary=True).order_by("contract_id", "pk")
            .values_list("contract_id", "customer_id", "customer__kind", "customer__customer_type",
                         "customer__is_vip", "customer__advisor_id"))
    result: dict[int, Buyer] = {}
    for contract_id, *buyer in rows:
        result.setdefault(contract_id, Buyer(*buyer))  # type: ignore[arg-type]
    return result


def position(balance: ContractBalance, buyer: Buyer) -> ContractPosition:
    late = [LinePosition.of(line) for line in balance.lines if line.overdue > ZERO]
    return ContractPosition(balance.contract_id, balance.project_id, buyer.customer_id, buyer.kind or "",
                            buyer.customer_type or "", bool(buyer.is_vip), buyer.advisor_id, balance.due,
                            balance.overdue, late)


def contract_positions(as_of: date, contracts: QuerySet[Contract] | None = None) -> Iterator[ContractPosition]:
    """One position per contract of `contracts` (default: the live ones), ordered by id."""
    contracts = Contract.objects.live() if contracts is None else contracts
    batch: list[ContractBalance] = []
    for balance in contract_balances(as_of, contracts, with_lines=True):
        batch.append(balance)
        if len(batch) >= WINDOW:
            yield from _joined(batch)
            batch = []
    yield from _joined(batch)


def _joined(batch: list[ContractBalance]) -> Iterator[ContractPosition]:
    if not batch:
        return
    found = buyers([b.contract_id for b in batch])
    for balance in batch:
        yield position(balance, found.get(balance.contract_id, Buyer()))


def position_of_contract(contract: Contract, as_of: date) -> ContractPosition:
    return next(contract_positions(as_of, Contract.objects.filter(pk=contract.pk)))
