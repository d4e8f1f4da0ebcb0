"""A bank's monthly lending quota (额度) and its use — one definition for the bank comparison page, the
submission check and the API.

Use = the amounts of the bank's applications approved in the calendar month (Asia/Shanghai business
dates) up to the day. The quota is the one in the bank's policy in force on that day (none: no limit).
A loan that would not fit in what is left is not submitted blind: the specialist switches to a bank
with room, or submits anyway with a reason that goes into the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from huikuan.core.money import ZERO, quantize

from . import rules
from .models import Bank, LoanApplication


@dataclass(frozen=True)
class QuotaUse:
    quota: Decimal | None     # None: the bank's policy sets no quota
    used: Decimal
    month: str                # "2026-03"

    @property
    def left(self) -> Decimal | None:
        return None if self.quota is None else self.quota - self.used

    def fits(self, amount: Decimal) -> bool:
        return self.left is None or amount <= self.left


def used_this_month(on: date) -> dict[int, Decimal]:
    """{bank id: amount approved from the first of `on`'s month up to `on`}."""
    rows = (LoanApplication.objects.filter(approved_on__gte=on.replace(day=1), approved_on__lte=on).order_by()
            .values("bank_id").annotate(total=Sum("amount")).values_list("bank_id", "total"))
    return {bank_id: quantize(total or ZERO) for bank_id, total in rows}


def quota_use(bank: Bank, on: date, used: dict[int, Decimal] | None = None) -> QuotaUse:
    policy = rules.policy_in_force(bank, on)
    spent = (used if used is not None else used_this_month(on)).get(bank.pk, ZERO)
    return QuotaUse(quota=policy.monthly_quota if policy else None, used=spent, month=on.strftime("%Y-%m"))


def banks_with_room(amount: Decimal, on: date, *, exclude: Bank | None = None) -> list[tuple[Bank, QuotaUse]]:
    """Partner banks whose quota this month still takes `amount`, most room first (no quota: first)."""
    used = used_this_month(on)
    found = [(bank, quota_use(bank, on, used)) for bank in Bank.objects.filter(is_partner=True).order_by("code")
             if exclude is None or bank.pk != exclude.pk]
    fitting = [(bank, use) for bank, use in found if use.fits(amount)]
    return sorted(fitting, key=lambda pair: (pair[1].left is not None, -(pair[1].left or ZERO)))
