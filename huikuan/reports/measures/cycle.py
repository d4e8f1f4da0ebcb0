"""Collection cycle: days from signing to full collection, by product line and by payment method."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from huikuan.core.money import ZERO
from huikuan.receivables.models import Receipt

from ..periods import Period
from .base import EVERYTHING, Scope, average, live_contracts, percentile
from .ledger import shared

# distribution buckets of the cycle in days: (label, lowest, highest or None)
BUCKETS = (("0-15", 0, 15), ("16-30", 16, 30), ("31-60", 31, 60), ("61-90", 61, 90), (">90", 91, None))


@dataclass(frozen=True)
class Completed:
    contract_id: int
    product_line: str
    method: str
    days: int


def completed_in(period: Period, scope: Scope = EVERYTHING) -> list[Completed]:
    return shared("completed_in", period, scope, lambda: _completed_in(period, scope))


def _completed_in(period: Period, scope: Scope) -> list[Completed]:
    """Live contracts whose price was fully collected in the period: the receipt that brought the money
    received on the contract (refunds and transfers in included) up to the price is dated in the period.
    `days` = that receipt's date − the sign date."""
    paid_in_period = Receipt.objects.filter(received_on__range=(period.start, period.end), contract__isnull=False)
    candidates = live_contracts(scope).filter(pk__in=paid_in_period.values("contract_id"))
    contracts = {pk: (price, signed, line, method) for pk, price, signed, line, method in
                 candidates.values_list("pk", "price", "sign_date", "project__product_line", "payment_method")}
    receipts: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for cid, day, amount in (Receipt.objects.filter(contract__in=candidates.values("pk"), received_on__lte=period.end)
                             .order_by("contract_id", "received_on", "pk")
                             .values_list("contract_id", "received_on", "amount")):
        receipts[cid].append((day, amount))
    done = []
    for cid, (price, signed, line, method) in contracts.items():
        paid, completed_on = ZERO, None
        for day, amount in receipts[cid]:
            paid += amount
            if paid >= price and completed_on is None:
                completed_on = day
            elif paid < price:
                completed_on = None     # a refund took it below the price again
        if completed_on is not None and period.start <= completed_on <= period.end:
            done.append(Completed(cid, line, method, max(0, (completed_on - signed).days)))
    return done


def _distribution(days: list[int]) -> dict[str, int]:
    return {label: sum(1 for d in days if d >= low and (high is None or d <= high)) for label, low, high in BUCKETS}


def _grouped(period: Period, scope: Scope, attr: str) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for item in completed_in(period, scope):
        groups[getattr(item, attr)].append(item.days)
    return dict(sorted(groups.items()))


def collection_cycle_days(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Mean days from signing to full collection over the contracts completed in the period."""
    return average([c.days for c in completed_in(period, scope)])


def collection_cycle_by_product_line(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """collection_cycle_days per product line of the contract's project."""
    return {line: average(days) for line, days in _grouped(period, scope, "product_line").items()}


def collection_cycle_by_method(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """collection_cycle_days per payment method."""
    return {method: average(days) for method, days in _grouped(period, scope, "method").items()}


def collection_cycle_p90(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """90th percentile of the days (linear interpolation)."""
    return percentile([c.days for c in completed_in(period, scope)], 90)


def collection_cycle_distribution(period: Period, scope: Scope = EVERYTHING) -> dict[str, dict[str, int]]:
    """Per product line: number of completed contracts per bucket of days (0-15, 16-30, 31-60, 61-90, >90)."""
    return {line: _distribution(days) for line, days in _grouped(period, scope, "product_line").items()}
