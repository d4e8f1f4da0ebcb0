"""Pure ledger arithmetic: oldest-due-first application, overdue amounts and late fees.

No Django here: plain dates and Decimals in, plain results out, so the rules can be tested exactly
and run over a million lines without a database. Inside, amounts are integer cents and dates are
day ordinals, so the hot loop does no Decimal arithmetic; Decimals come back out, exact to the cent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from huikuan.core.money import ZERO

HUNDRED = Decimal(100)


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
    amount: Decimal                 # negative: a refund


@dataclass(frozen=True)
class Terms:
    daily_rate: Decimal             # 0.0005 = 0.05 % a day
    grace_days: int = 0             # days after the due date that cost nothing
    cap: Decimal | None = None      # the most late fee the contract can ever charge (None: no cap)


@dataclass(frozen=True)
class LineResult:
    key: object
    due_date: date
    effective_due: date             # the due date rolled to a business day
    amount: Decimal
    unpaid: Decimal
    days_late: int                  # calendar days past the effective due date (0: not late)
    late_fee: Decimal

    @property
    def overdue(self) -> Decimal:
        return self.unpaid if self.days_late > 0 and self.unpaid > ZERO else ZERO


@dataclass(frozen=True)
class ContractPosition:
    due: Decimal          # plan amounts due on or before the date
    received: Decimal     # money received up to the date (refunds subtract)
    overdue: Decimal      # due before the date (effective due) and unpaid, receipts applied oldest-due first
    late_fee: Decimal     # accrued to the date, capped
    lines: tuple[LineResult, ...]


def identity(day: date) -> date:
    return day


def cents(amount: Decimal) -> int:
    return int((amount * HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def fee_cents(principal_cent_days: int, rate_ratio: tuple[int, int]) -> int:
    """rate × Σ(principal × days) in cents, rounded half-up — exact integer arithmetic
    (`rate_ratio` is the daily rate as numerator, denominator)."""
    num, den = rate_ratio
    return (2 * principal_cent_days * num + den) // (2 * den)


def fee_of(principal_cent_days: int, daily_rate: Decimal) -> Decimal:
    """rate × Σ(principal × days), rounded half-up to the cent."""
    return from_cents(fee_cents(principal_cent_days, daily_rate.as_integer_ratio()))


def settle_cents(dues: Sequence[int], amounts: Sequence[int], accrues: Sequence[bool],
                 payments: Sequence[tuple[int, int]], as_of: int, grace: int) -> tuple[list[int], list[int]]:
    """The core, in integers. `dues` are effective due ordinals in ascending order, `amounts` cents;
    `payments` (day ordinal, cents > 0) in date order, none after `as_of`.

    Payments cover lines oldest-due first. Returns each line's unpaid cents and its chargeable
    principal × days: each paid part counts from the due date (plus grace) to the day it was paid,
    what is still unpaid counts to `as_of`. Money beyond the last line is the contract's credit.
    """
    n = len(amounts)
    unpaid = list(amounts)
    weight = [0] * n
    index = 0
    for day, money in payments:
        while money > 0 and index < n:
            left = unpaid[index]
            if left <= 0:
                index += 1
                continue
            take = left if left < money else money
            unpaid[index] = left - take
            money -= take
            if accrues[index]:
                late = day - dues[index] - grace
                if late > 0:
                    weight[index] += take * late
            if unpaid[index] <= 0:
                index += 1
    for i in range(n):
        if accrues[i] and unpaid[i] > 0:
            late = as_of - dues[i] - grace
            if late > 0:
                weight[i] += unpaid[i] * late
    return unpaid, weight


def net_of_refunds(payments: list[tuple[int, int]], refunded: int) -> list[tuple[int, int]]:
    """Take refunded money back from the latest payments first."""
    result = list(payments)
    while refunded > 0 and result:
        day, money = result.pop()
        if money > refunded:
            result.append((day, money - refunded))
            refunded = 0
        else:
            refunded -= money
    return result


def contract_position(lines: Sequence[Line], payments: Sequence[Payment], terms: Terms, as_of: date, *,
                      roll: Callable[[date], date] = identity) -> ContractPosition:
    """A contract's position at a date, receipts applied oldest-due first."""
    ordered = sorted(lines, key=lambda line: (roll(line.due_date), line.due_date))
    effective = [roll(line.due_date) for line in ordered]
    day = as_of.toordinal()
    known = sorted((p.paid_on.toordinal(), cents(p.amount)) for p in payments if p.paid_on <= as_of)
    money_in = [(d, c) for d, c in known if c > 0]
    refunded = -sum(c for _, c in known if c < 0)
    if refunded:
        money_in = net_of_refunds(money_in, refunded)
    amounts = [cents(line.amount) for line in ordered]
    unpaid, weight = settle_cents([d.toordinal() for d in effective], amounts,
                                  [line.accrues_late_fee for line in ordered], money_in, day, terms.grace_days)
    results = tuple(
        LineResult(line.key, line.due_date, eff, line.amount, from_cents(left),
                   max(0, (as_of - eff).days), fee_of(w, terms.daily_rate) if w else ZERO)
        for line, eff, left, w in zip(ordered, effective, unpaid, weight, strict=True)
    )
    fee = sum((r.late_fee for r in results), ZERO)
    if terms.cap is not None:
        fee = min(fee, terms.cap)
    return ContractPosition(
        due=sum((line.amount for line in ordered if line.due_date <= as_of), ZERO),
        received=from_cents(sum(c for _, c in known)),
        overdue=sum((r.overdue for r in results), ZERO),
        late_fee=fee,
        lines=results,
    )
