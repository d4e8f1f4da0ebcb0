"""Per-line overdue positions as of a date, over any number of contracts, streamed.

The figures are `receivables.balances.contract_balances(..., with_lines=True)` — the one definition
of due / overdue, receipts applied oldest-due first, due dates rolled to business days, restructured
and waived amounts applied — joined with the primary buyer (for risk, VIP, advisor, segment).

A bank loan line whose application still waits for the bank's money is late when the bank is
(`mortgages.lateness`): its days count from the expected disbursement instead of the plan date, and
a stage past its SLA makes it late (with no days overdue yet) before that. Such lines carry the
application's specialist, who owns the case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from huikuan.core.money import ZERO
from huikuan.core.services import business_calendar
from huikuan.mortgages.lateness import BankLateness, bank_lateness
from huikuan.receivables.balances import ContractBalance, LineBalance, contract_balances
from huikuan.receivables.choices import LOAN_KINDS
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
    sla_over: int = 0  # a bank loan: business days the bank's stage is past its SLA
    specialist_id: int | None = None   # a bank loan waiting on the bank: the application's specialist

    @property
    def overdue(self) -> Decimal:
        return self.unpaid if self.days > 0 and self.unpaid > ZERO else ZERO

    @property
    def at_stake(self) -> Decimal:
        """What the warning rules weigh: the overdue amount, or for a bank over its stage SLA the
        unpaid loan it holds up."""
        return self.unpaid if (self.days > 0 or self.sla_over > 0) and self.unpaid > ZERO else ZERO

    @classmethod
    def of(cls, line: LineBalance, bank: BankLateness | None = None) -> LinePosition:
        if bank is None:
            return cls(line.receivable_id, line.kind, line.due_date, line.effective_due, line.amount, line.unpaid,
                       line.days_late)
        return cls(line.receivable_id, line.kind, line.due_date, bank.deadline, line.amount, line.unpaid,
                   bank.days_past_deadline, bank.sla_over, bank.specialist_id)


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


def position(balance: ContractBalance, buyer: Buyer, banks: dict[int, BankLateness] | None = None,
             ) -> ContractPosition:
    late = []
    overdue = balance.overdue
    for line in balance.lines:
        bank = banks.get(line.receivable_id) if banks else None
        if bank is None:
            if line.overdue > ZERO:
                late.append(LinePosition.of(line))
            continue
        overdue -= line.overdue                 # the plan date gives way to the bank's deadline
        moved = LinePosition.of(line, bank)
        overdue += moved.overdue
        if moved.at_stake > ZERO:
            late.append(moved)
    return ContractPosition(balance.contract_id, balance.project_id, buyer.customer_id, buyer.kind or "",
                            buyer.customer_type or "", bool(buyer.is_vip), buyer.advisor_id, balance.due,
                            overdue, late)


def contract_positions(as_of: date, contracts: QuerySet[Contract] | None = None) -> Iterator[ContractPosition]:
    """One position per contract of `contracts` (default: the live ones), ordered by id."""
    contracts = Contract.objects.live() if contracts is None else contracts
    batch: list[ContractBalance] = []
    for balance in contract_balances(as_of, contracts, with_lines=True):
        batch.append(balance)
        if len(batch) >= WINDOW:
            yield from _joined(batch, as_of)
            batch = []
    yield from _joined(batch, as_of)


def _joined(batch: list[ContractBalance], as_of: date) -> Iterator[ContractPosition]:
    if not batch:
        return
    ids = [b.contract_id for b in batch]
    found = buyers(ids)
    with_loans = [b.contract_id for b in batch
                  if any(line.kind in LOAN_KINDS and line.unpaid > ZERO for line in b.lines)]
    banks = bank_lateness(with_loans, as_of, business_calendar()) if with_loans else {}
    for balance in batch:
        yield position(balance, found.get(balance.contract_id, Buyer()), banks)


def position_of_contract(contract: Contract, as_of: date) -> ContractPosition:
    return next(contract_positions(as_of, Contract.objects.filter(pk=contract.pk)))
