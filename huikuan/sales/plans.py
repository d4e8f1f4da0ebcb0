"""Payment-plan templates per payment method. Pure: price and dates in, plan lines out.

Every plan sums exactly to the price; the cent remainder of a split goes to the last line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from huikuan.core.money import ZERO, quantize, split_evenly

from .choices import PaymentMethod

# kinds are the strings of huikuan.receivables.choices.ReceivableKind
DEPOSIT, DOWN, INSTALLMENT, MORTGAGE, PROVIDENT, FINAL, FULL = (
    "deposit", "down_payment", "installment", "mortgage_loan", "provident_loan", "final_payment", "full_payment",
)


@dataclass(frozen=True)
class PlanLine:
    kind: str
    seq: int
    name: str
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class PlanOptions:
    down_payment_ratio: Decimal = Decimal("0.30")
    down_payment_days: int = 7           # after signing
    lump_sum_days: int = 7
    mortgage_days: int = 30              # expected disbursement after signing
    provident_days: int = 60
    provident_cap: Decimal = Decimal("1200000.00")  # combination loan: provident part at most this
    installments: int = 4
    installment_months: int = 3          # months between installments
    final_payment_ratio: Decimal = Decimal("0.05")  # installment plans keep a final payment


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def build_plan(method: str, price: Decimal, sign_date: date, *, deposit: Decimal = ZERO,
               deposit_date: date | None = None, options: PlanOptions | None = None) -> list[PlanLine]:
    """The plan lines for a contract. `deposit` already paid at subscription counts toward the price."""
    opts = options or PlanOptions()
    if price <= ZERO:
        raise ValueError("price must be positive")
    if deposit < ZERO or deposit > price:
        raise ValueError("deposit must be between 0 and the price")
    lines: list[PlanLine] = []
    if deposit > ZERO:
        lines.append(PlanLine(DEPOSIT, 1, "定金", deposit_date or sign_date, deposit))

    def after(days: int) -> date:
        return sign_date + timedelta(days=days)

    if method == PaymentMethod.LUMP_SUM:
        lines.append(PlanLine(FULL, 1, "房款", after(opts.lump_sum_days), price - deposit))
    elif method in (PaymentMethod.MORTGAGE, PaymentMethod.PROVIDENT_FUND, PaymentMethod.COMBINATION):
        down_total = quantize(price * opts.down_payment_ratio)
        down = max(down_total - deposit, ZERO)
        loan = price - deposit - down
        lines.append(PlanLine(DOWN, 1, "首付款", after(opts.down_payment_days), down))
        if method == PaymentMethod.MORTGAGE:
            lines.append(PlanLine(MORTGAGE, 1, "按揭款", after(opts.mortgage_days), loan))
        elif method == PaymentMethod.PROVIDENT_FUND:
            lines.append(PlanLine(PROVIDENT, 1, "公积金贷款", after(opts.provident_days), loan))
        else:
            provident = min(loan, opts.provident_cap)
            lines.append(PlanLine(PROVIDENT, 1, "公积金贷款", after(opts.provident_days), provident))
            if loan - provident > ZERO:
                lines.append(PlanLine(MORTGAGE, 1, "按揭款", after(opts.mortgage_days), loan - provident))
    elif method == PaymentMethod.INSTALLMENT:
        down_total = quantize(price * opts.down_payment_ratio)
        down = max(down_total - deposit, ZERO)
        final = quantize(price * opts.final_payment_ratio)
        rest = price - deposit - down - final
        lines.append(PlanLine(DOWN, 1, "首付款", after(opts.down_payment_days), down))
        for n, share in enumerate(split_evenly(rest, opts.installments), start=1):
            lines.append(PlanLine(INSTALLMENT, n, f"分期款{n}", add_months(sign_date, n * opts.installment_months),
                                  share))
        lines.append(PlanLine(FINAL, 1, "尾款",
                              add_months(sign_date, (opts.installments + 1) * opts.installment_months), final))
    else:
        raise ValueError(f"unknown payment method {method!r}")
    lines = [line for line in lines if line.amount != ZERO]
    assert sum((line.amount for line in lines), ZERO) == price
    return lines
