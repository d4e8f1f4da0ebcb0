"""Collections (回款): what arrived in the period, by payment method, against last year and last quarter,
and the collection rate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import Receipt
from huikuan.sales.choices import PaymentMethod

from ..periods import Period
from .base import EVERYTHING, Scope, change, ratio
from .facts import Facts

METHODS = [m.value for m in PaymentMethod]   # mortgage, provident_fund, lump_sum, installment, combination


def receipts_between(start: date, end: date, scope: Scope) -> QuerySet:
    """The receipts that count as collections: on a contract, dated start..end, refunds negative,
    transfers between contracts (a unit swap moving paid money) left out — they are not new money."""
    qs = Receipt.objects.filter(contract__isnull=False, received_on__range=(start, end))
    return scope.apply(qs.exclude(method=ReceiptMethod.TRANSFER), "contract__project")


def receipts_in(period: Period, scope: Scope) -> QuerySet:
    return receipts_between(period.start, period.end, scope)


def _sum_methods(values: Iterable[dict[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = dict.fromkeys(METHODS, ZERO)
    for by_method in values:
        for method, amount in by_method.items():
            totals[method] = totals.get(method, ZERO) + amount
    return {method: quantize(amount) for method, amount in totals.items()}


def _total(values: Iterable[dict[str, Decimal]]) -> Decimal:
    return quantize(sum((amount for by_method in values for amount in by_method.values()), ZERO))


def collections_total_of(facts: Facts) -> Decimal:
    return _total(facts.values("collections"))


def collections_total(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ receipt amounts dated in the period on contracts (refunds negative, transfers excluded)."""
    return collections_total_of(Facts.live(period, scope))


def collections_by_method_of(facts: Facts) -> dict[str, Decimal]:
    return _sum_methods(facts.values("collections"))


def collections_by_method(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total split by the payment method of the contract each receipt is on:
    mortgage, provident_fund, lump_sum, installment, combination (every key present, zero if none)."""
    return collections_by_method_of(Facts.live(period, scope))


def collections_by_method_share_of(facts: Facts) -> dict[str, Decimal | None]:
    by_method = collections_by_method_of(facts)
    whole = sum(by_method.values(), ZERO)
    return {method: ratio(amount, whole) for method, amount in by_method.items()}


def collections_by_method_share(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Each method's collections ÷ collections_total."""
    return collections_by_method_share_of(Facts.live(period, scope))


def collections_by_project_of(facts: Facts) -> dict[str, Decimal]:
    by_code = {facts.code(project): _total([by_method]) for project, by_method in facts.get("collections").items()}
    return dict(sorted(by_code.items()))


def collections_by_project(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total per project (code)."""
    return collections_by_project_of(Facts.live(period, scope))


def collections_last_year_of(facts: Facts) -> Decimal:
    return _total(facts.values("collections_last_year"))


def collections_last_year(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """collections_total of the same quarter last year."""
    return collections_last_year_of(Facts.live(period, scope))


def collections_previous_quarter_of(facts: Facts) -> Decimal:
    return _total(facts.values("collections_previous"))


def collections_previous_quarter(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """collections_total of the previous quarter."""
    return collections_previous_quarter_of(Facts.live(period, scope))


def collections_yoy_of(facts: Facts) -> Decimal | None:
    return change(collections_total_of(facts), collections_last_year_of(facts))


def collections_yoy(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """(collections_total − collections_total of the same quarter last year) ÷ the latter."""
    return collections_yoy_of(Facts.live(period, scope))


def collections_qoq_of(facts: Facts) -> Decimal | None:
    return change(collections_total_of(facts), collections_previous_quarter_of(facts))


def collections_qoq(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """(collections_total − collections_total of the previous quarter) ÷ the latter."""
    return collections_qoq_of(Facts.live(period, scope))


def collections_target_completion_of(facts: Facts) -> Decimal | None:
    target = sum((row[2] for row in facts.values("targets")), ZERO)
    return ratio(collections_total_of(facts), target)


def collections_target_completion(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """collections_total ÷ Σ SalesTarget.amount_collected of the quarter."""
    return collections_target_completion_of(Facts.live(period, scope))


def collection_rate_of(facts: Facts) -> Decimal | None:
    rows = list(facts.values("positions"))
    return ratio(sum((r[1] for r in rows), ZERO), sum((r[0] for r in rows), ZERO))


def collection_rate(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Of what had fallen due by the period's end, the share collected by then, over live contracts:
    Σ min(received, due) ÷ Σ due, both as of the period's end (receivables.balances)."""
    return collection_rate_of(Facts.live(period, scope))


def collection_rate_by_project_of(facts: Facts) -> dict[str, Decimal | None]:
    return dict(sorted((facts.code(project), ratio(row[1], row[0])) for project, row in facts.get("positions").items()))


def collection_rate_by_project(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """collection_rate per project (code)."""
    return collection_rate_by_project_of(Facts.live(period, scope))


def final_payments(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Final payments (尾款) of live contracts falling due in the period: {"due": Σ amount of the
    final_payment lines due in it, "collected": Σ allocated to those lines by the period's end,
    "rate": collected ÷ due}."""
    from huikuan.receivables.choices import EntryKind, ReceivableKind
    from huikuan.receivables.models import LedgerEntry, Receivable

    from .base import live_contracts

    lines = Receivable.objects.filter(contract__in=live_contracts(scope), kind=ReceivableKind.FINAL_PAYMENT,
                                      due_date__range=(period.start, period.end))
    due = quantize(lines.aggregate(s=Sum("amount"))["s"] or ZERO)
    allocated = -(LedgerEntry.objects.filter(receivable__in=lines, kind=EntryKind.ALLOCATION,
                                             posted_on__lte=period.end).aggregate(s=Sum("amount"))["s"] or ZERO)
    return {"due": due, "collected": quantize(allocated), "rate": ratio(allocated, due)}


def collections_by_building_of(facts: Facts) -> dict[str, Decimal]:
    rows = [(f"{facts.code(project)}/{name}", quantize(amount))
            for project, by_building in facts.get("buildings").items() for name, amount in by_building.items()]
    return dict(sorted(rows))


def collections_by_building(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total per building, keyed "project code/building name"."""
    return collections_by_building_of(Facts.live(period, scope))
