"""Signing to down payment: how long buyers take to pay the first money the plan asks for, and the
share of each sales agent's contracts whose down payment arrived on time (a sales KPI).

The down payment of a contract is the sum of its plan lines of kind deposit, down_payment and
full_payment (a lump-sum contract's first payment is the whole price); it is due on the latest due date
among those lines, and it has arrived on the day the money received on the contract first reaches it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from huikuan.core.money import ZERO
from huikuan.receivables.choices import ReceivableKind
from huikuan.receivables.models import Receipt, Receivable

from ..periods import Period
from .base import EVERYTHING, Scope, average, live_contracts, ratio
from .ledger import shared

DOWN_KINDS = (ReceivableKind.DEPOSIT, ReceivableKind.DOWN_PAYMENT, ReceivableKind.FULL_PAYMENT)


@dataclass(frozen=True)
class DownPayment:
    contract_id: int
    agent: str
    sign_date: date
    amount: Decimal
    due: date
    arrived_on: date | None     # None: not (yet) fully received by the period's end

    @property
    def on_time(self) -> bool:
        return self.arrived_on is not None and self.arrived_on <= self.due


def down_payments(period: Period, scope: Scope = EVERYTHING) -> list[DownPayment]:
    return shared("down_payments", period, scope, lambda: _down_payments(period, scope))


def _down_payments(period: Period, scope: Scope) -> list[DownPayment]:
    """The down payments of the live contracts signed in the period, as known at the period's end."""
    signed_in = live_contracts(scope).filter(sign_date__range=(period.start, period.end))
    contracts = {pk: (agent or "", signed) for pk, agent, signed in
                 signed_in.values_list("pk", "agent__username", "sign_date")}
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    dues: dict[int, date] = {}
    ids = signed_in.values("pk")      # a subquery: the database joins, no list of ids goes back and forth
    for cid, due, amount in (Receivable.objects.filter(contract__in=ids, kind__in=DOWN_KINDS)
                             .values_list("contract_id", "due_date", "amount")):
        amounts[cid] += amount
        dues[cid] = max(due, dues.get(cid, due))
    receipts: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for cid, day, amount in (Receipt.objects.filter(contract__in=ids, received_on__lte=period.end)
                             .order_by("contract_id", "received_on", "pk")
                             .values_list("contract_id", "received_on", "amount")):
        receipts[cid].append((day, amount))
    result = []
    for cid, amount in amounts.items():
        paid, arrived = ZERO, None
        for day, value in receipts[cid]:
            paid += value
            if paid >= amount:
                arrived = day
                break
        agent, signed = contracts[cid]
        result.append(DownPayment(cid, agent, signed, amount, dues[cid], arrived))
    return result


def signing_to_down_payment_days(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Mean days from the sign date to the down payment's arrival (0 when it was paid before signing, as a
    subscription deposit), over the contracts signed in the period whose down payment arrived by its end."""
    return average([max(0, (d.arrived_on - d.sign_date).days) for d in down_payments(period, scope)
                    if d.arrived_on is not None])


def down_payment_arrival_rate(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Contracts signed in the period whose down payment arrived by its due date ÷ contracts signed."""
    items = down_payments(period, scope)
    return ratio(sum(1 for d in items if d.on_time), len(items))


def down_payment_arrival_rate_by_agent(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """down_payment_arrival_rate per sales agent (username; "" for contracts without an agent)."""
    groups: dict[str, list[DownPayment]] = defaultdict(list)
    for d in down_payments(period, scope):
        groups[d.agent].append(d)
    return {agent: ratio(sum(1 for d in items if d.on_time), len(items)) for agent, items in sorted(groups.items())}
