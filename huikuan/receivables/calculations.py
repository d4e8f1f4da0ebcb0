"""Pure ledger arithmetic: oldest-due-first application, overdue amounts and late fees.

No Django here: plain dates and Decimals in, plain results out, so the rules can be tested exactly
and benchmarked over a million lines without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from huikuan.core.money import ZERO, quantize


@dataclass(frozen=True)
class Line:
    """One receivable as the arithmetic needs it."""

    key: object
    due_date: date
    amount: Decimal
    accrues_late_fee: bool = True   # bank-loan lines do not: a late bank is not the buyer's default


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount: Decimal


@dataclass(frozen=True)
class Terms:
    daily_rate: Decimal             # 0.0005 = 0.05 % a day
    grace_days: int = 0             # days after the due date that cost nothing
    cap: Decimal | None = None      # the most late fee the contract can ever charge (None: no cap)


@dataclass
class LineState:
    line: Line
    effective_due: date
    paid: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def paid_total(self) -> Decimal:
        return sum((amount for _, amount in self.paid), ZERO)

    @property
    def unpaid(self) -> Decimal:
        return self.line.amount - self.paid_total


def identity(day: date) -> date:
    return day


def apply_oldest_first(lines: Sequence[Line], payments: Iterable[Payment], *,
                       roll: Callable[[date], date] = identity) -> list[LineState]:
    """Apply payments in date order to lines in due order (oldest due first).

    `roll` maps a due date to the day payment is really due (the next business day when the due date
    is a holiday). Money beyond the last line is left over (the contract's credit).
    """
    states = [LineState(line, roll(line.due_date)) for line in lines]
    states.sort(key=lambda s: (s.effective_due, s.line.due_date))
    index = 0
    for payment in sorted(payments, key=lambda p: p.paid_on):
        remaining = payment.amount
        if remaining <= ZERO:
            continue
        while remaining > ZERO and index < len(states):
            state = states[index]
            take = min(state.unpaid, remaining)
            if take > ZERO:
                state.paid.append((payment.paid_on, take))
                remaining -= take
            if state.unpaid <= ZERO:
                index += 1
    return states


def overdue_amount(states: Sequence[LineState], as_of: date) -> Decimal:
    """What was due before `as_of` (by effective due date) and is still unpaid."""
    return sum((s.unpaid for s in states if s.effective_due < as_of and s.unpaid > ZERO), ZERO)


def days_overdue(effective_due: date, until: date, grace_days: int = 0) -> int:
    """Chargeable days: the days after the due date, less the grace days."""
    return max(0, (until - effective_due).days - grace_days)


def late_fee_by_line(states: Sequence[LineState], terms: Terms, as_of: date) -> dict[object, Decimal]:
    """Late fee accrued on each line up to `as_of`: rate × overdue principal × chargeable days.

    Each paid chunk is charged until the day it was paid; what is still unpaid, until `as_of`.
    Payments dated after `as_of` are not known yet at that date and must not be passed in.
    """
    fees: dict[object, Decimal] = {}
    for state in states:
        if not state.line.accrues_late_fee:
            continue
        principal_days = ZERO
        for paid_on, amount in state.paid:
            principal_days += amount * days_overdue(state.effective_due, min(paid_on, as_of), terms.grace_days)
        if state.unpaid > ZERO:
            principal_days += state.unpaid * days_overdue(state.effective_due, as_of, terms.grace_days)
        fee = quantize(principal_days * terms.daily_rate)
        if fee > ZERO:
            fees[state.line.key] = fee
    return fees


def late_fee_total(states: Sequence[LineState], terms: Terms, as_of: date) -> Decimal:
    total = sum(late_fee_by_line(states, terms, as_of).values(), ZERO)
    if terms.cap is not None:
        total = min(total, quantize(terms.cap))
    return total


@dataclass(frozen=True)
class ContractPosition:
    due: Decimal          # plan amounts due on or before the date
    received: Decimal     # money received up to the date (refunds subtract)
    overdue: Decimal
    late_fee: Decimal


def contract_position(lines: Sequence[Line], payments: Sequence[Payment], terms: Terms, as_of: date, *,
                      roll: Callable[[date], date] = identity) -> ContractPosition:
    """A contract's position at a date, receipts applied oldest-due first."""
    known = [p for p in payments if p.paid_on <= as_of]
    received = sum((p.amount for p in known), ZERO)
    # refunds (negative receipts) reduce what was paid; apply the net positive money
    net = [Payment(p.paid_on, p.amount) for p in known if p.amount > ZERO]
    refunds = -sum((p.amount for p in known if p.amount < ZERO), ZERO)
    if refunds:
        net = _net_of_refunds(net, refunds)
    states = apply_oldest_first(lines, net, roll=roll)
    return ContractPosition(
        due=sum((line.amount for line in lines if line.due_date <= as_of), ZERO),
        received=received,
        overdue=overdue_amount(states, as_of),
        late_fee=late_fee_total(states, terms, as_of),
    )


def _net_of_refunds(payments: list[Payment], refunds: Decimal) -> list[Payment]:
    """Take refunded money back from the latest payments first."""
    result = list(payments)
    while refunds > ZERO and result:
        last = result.pop()
        if last.amount > refunds:
            result.append(Payment(last.paid_on, last.amount - refunds))
            refunds = ZERO
        else:
            refunds -= last.amount
    return result
