"""Collections (回款): what arrived in the period, by payment method, against last year and last quarter,
and the collection rate."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.org.models import SalesTarget
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import Receipt
from huikuan.sales.choices import PaymentMethod

from ..periods import Period
from .base import EVERYTHING, Scope, change, ratio
from .ledger import positions

METHODS = [m.value for m in PaymentMethod]   # mortgage, provident_fund, lump_sum, installment, combination


def receipts_between(start: date, end: date, scope: Scope) -> QuerySet:
    """The receipts that count as collections: on a contract, dated start..end, refunds negative,
    transfers between contracts (a unit swap moving paid money) left out — they are not new money."""
    qs = Receipt.objects.filter(contract__isnull=False, received_on__range=(start, end))
    return scope.apply(qs.exclude(method=ReceiptMethod.TRANSFER), "contract__project")


def receipts_in(period: Period, scope: Scope) -> QuerySet:
    return receipts_between(period.start, period.end, scope)


def collections_total(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ receipt amounts dated in the period on contracts (refunds negative, transfers excluded)."""
    return quantize(receipts_in(period, scope).aggregate(s=Sum("amount"))["s"] or ZERO)


def collections_by_method(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total split by the payment method of the contract each receipt is on:
    mortgage, provident_fund, lump_sum, installment, combination (every key present, zero if none)."""
    totals: dict[str, Decimal] = dict.fromkeys(METHODS, ZERO)
    rows = receipts_in(period, scope).values("contract__payment_method").annotate(s=Sum("amount")).order_by()
    for row in rows:
        totals[row["contract__payment_method"]] = quantize(totals[row["contract__payment_method"]] + row["s"])
    return totals


def collections_by_method_share(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Each method's collections ÷ collections_total."""
    by_method = collections_by_method(period, scope)
    whole = sum(by_method.values(), ZERO)
    return {method: ratio(amount, whole) for method, amount in by_method.items()}


def collections_by_project(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total per project (code)."""
    rows = (receipts_in(period, scope).values("contract__project__code").annotate(s=Sum("amount"))
            .order_by("contract__project__code"))
    return {row["contract__project__code"]: quantize(row["s"]) for row in rows}


def collections_yoy(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """(collections_total − collections_total of the same quarter last year) ÷ the latter."""
    return change(collections_total(period, scope), collections_total(period.same_quarter_last_year(), scope))


def collections_qoq(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """(collections_total − collections_total of the previous quarter) ÷ the latter."""
    return change(collections_total(period, scope), collections_total(period.previous(), scope))


def collections_target_completion(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """collections_total ÷ Σ SalesTarget.amount_collected of the quarter."""
    target = (scope.apply(SalesTarget.objects.filter(year=period.year, quarter=period.quarter))
              .aggregate(s=Sum("amount_collected"))["s"])
    return ratio(collections_total(period, scope), target or ZERO)


def collection_rate(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Of what had fallen due by the period's end, the share collected by then, over live contracts:
    Σ min(received, due) ÷ Σ due, both as of the period's end (receivables.balances)."""
    due = collected = ZERO
    for p in positions(period.end, scope):
        due += p.due
        collected += max(ZERO, min(p.received, p.due))
    return ratio(collected, due)


def collection_rate_by_project(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """collection_rate per project (code)."""
    from huikuan.org.models import Project

    codes = dict(Project.objects.values_list("pk", "code"))
    due: dict[str, Decimal] = defaultdict(lambda: ZERO)
    collected: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for p in positions(period.end, scope):
        code = codes[p.project_id]
        due[code] += p.due
        collected[code] += max(ZERO, min(p.received, p.due))
    return {code: ratio(collected[code], due[code]) for code in sorted(due)}


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


def collections_by_building(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal]:
    """collections_total per building, keyed "project code/building name"."""
    rows = (receipts_in(period, scope).values("contract__project__code", "contract__unit__building__name")
            .annotate(s=Sum("amount")).order_by("contract__project__code", "contract__unit__building__name"))
    return {f"{r['contract__project__code']}/{r['contract__unit__building__name']}": quantize(r["s"]) for r in rows}
