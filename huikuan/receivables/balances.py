"""Contract balances as of a date, over any number of contracts, in one streaming pass.

The one definition of `due`, `received`, `outstanding`, `overdue` and `late_fee` that the balances
report, the API, the contract page and the dashboard all use:

* due — plan amounts whose due date is on or before the date;
* received — money received on the contract up to the date, refunds subtracted;
* outstanding — price − received;
* overdue — amounts whose (business-day-rolled) due date is before the date and that are still
  unpaid, receipts applied oldest-due first;
* late_fee — accrued up to the date from the contract terms (see `calculations`).

Three ordered queries (contracts, plan lines, receipts) are merged by contract id, so memory stays
flat however many contracts there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet

from huikuan.core.money import ZERO, quantize
from huikuan.core.services import business_calendar
from huikuan.sales.models import Contract

from .calculations import Line, Payment, Terms, contract_position
from .choices import LOAN_KINDS, ReceivableKind
from .models import Receipt, Receivable

CHUNK = 20_000


@dataclass(frozen=True)
class ContractBalance:
    contract_id: int
    contract_no: str
    project_id: int
    status: str
    price: Decimal
    due: Decimal
    received: Decimal
    outstanding: Decimal
    overdue: Decimal
    late_fee: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "contract_no": self.contract_no,
            "status": self.status,
            "price": f"{self.price:.2f}",
            "due": f"{self.due:.2f}",
            "received": f"{self.received:.2f}",
            "outstanding": f"{self.outstanding:.2f}",
            "overdue": f"{self.overdue:.2f}",
            "late_fee": f"{self.late_fee:.2f}",
        }


def _grouped(rows: Iterator[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    for key, group in groupby(rows, key=itemgetter(0)):
        yield key, list(group)


def contract_balances(as_of: date, contracts: QuerySet[Contract] | None = None) -> Iterator[ContractBalance]:
    """Yield one balance per contract of `contracts` (default: all), ordered by contract id."""
    contracts = Contract.objects.all() if contracts is None else contracts
    roll = business_calendar().roll_forward
    contract_rows = (contracts.order_by("pk")
                     .values_list("pk", "contract_no", "project_id", "status", "price", "late_fee_daily_rate",
                                  "grace_days", "late_fee_cap_ratio")
                     .iterator(chunk_size=CHUNK))
    ids = contracts.values("pk")
    line_rows = (Receivable.objects.filter(contract__in=ids)
                 .exclude(kind__in=[ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION])
                 .order_by("contract_id", "due_date", "pk")
                 .values_list("contract_id", "due_date", "amount", "kind").iterator(chunk_size=CHUNK))
    receipt_rows = (Receipt.objects.filter(contract__in=ids, received_on__lte=as_of)
                    .order_by("contract_id", "received_on", "pk")
                    .values_list("contract_id", "received_on", "amount").iterator(chunk_size=CHUNK))
    lines_by_contract = _grouped(line_rows)
    receipts_by_contract = _grouped(receipt_rows)
    next_lines = next(lines_by_contract, None)
    next_receipts = next(receipts_by_contract, None)
    for pk, number, project_id, status, price, rate, grace, cap_ratio in contract_rows:
        while next_lines is not None and next_lines[0] < pk:
            next_lines = next(lines_by_contract, None)
        while next_receipts is not None and next_receipts[0] < pk:
            next_receipts = next(receipts_by_contract, None)
        lines: list[Line] = []
        if next_lines is not None and next_lines[0] == pk:
            lines = [Line(i, due, amount, kind not in LOAN_KINDS) for i, (_, due, amount, kind)
                     in enumerate(next_lines[1])]
        payments: list[Payment] = []
        if next_receipts is not None and next_receipts[0] == pk:
            payments = [Payment(day, amount) for _, day, amount in next_receipts[1]]
        cap = None if cap_ratio is None else quantize(price * cap_ratio)
        pos = contract_position(lines, payments, Terms(rate, grace, cap), as_of, roll=roll)
        yield ContractBalance(
            contract_id=pk, contract_no=number, project_id=project_id, status=status, price=price,
            due=quantize(pos.due), received=quantize(pos.received), outstanding=quantize(price - pos.received),
            overdue=quantize(pos.overdue), late_fee=pos.late_fee,
        )


@dataclass
class BalanceTotals:
    contracts: int = 0
    price: Decimal = ZERO
    due: Decimal = ZERO
    received: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    late_fee: Decimal = ZERO

    def add(self, b: ContractBalance) -> None:
        self.contracts += 1
        self.price += b.price
        self.due += b.due
        self.received += b.received
        self.outstanding += b.outstanding
        self.overdue += b.overdue
        self.late_fee += b.late_fee

    def as_json(self) -> dict[str, Any]:
        return {"contracts": self.contracts, **{k: f"{getattr(self, k):.2f}" for k in
                                                ("price", "due", "received", "outstanding", "overdue", "late_fee")}}


def balance_of(contract: Contract, as_of: date) -> ContractBalance:
    return next(contract_balances(as_of, Contract.objects.filter(pk=contract.pk)))
