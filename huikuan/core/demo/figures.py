"""The demo quarter's headline figures, measured from the database — so a reader can check the story
(DEMO.md) against what `seed_demo` actually wrote. Definitions are in docs/demo.md."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.customers.choices import CustomerType
from huikuan.org.models import Project, SalesTarget, Unit
from huikuan.receivables.balances import contract_balances
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import Receipt
from huikuan.sales.choices import ContractStatus, PaymentMethod
from huikuan.sales.models import Contract, ContractParty, Discount, Subscription

from .catalogue import PROJECTS
from .operations import days_to_disbursement, dunning_figures, mortgage_figures, statement_figures
from .story import OFFER
from .timeline import PUSH_WEEK, quarter_bounds

METHOD_GROUPS = {
    PaymentMethod.MORTGAGE: "commercial_mortgage", PaymentMethod.COMBINATION: "commercial_mortgage",
    PaymentMethod.PROVIDENT_FUND: "provident_fund",
    PaymentMethod.LUMP_SUM: "lump_sum", PaymentMethod.INSTALLMENT: "lump_sum",
}


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return quantize(part * 100 / whole) if whole else ZERO


def _previous(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _live() -> Any:
    return Contract.objects.filter(status=ContractStatus.SIGNED)


def signed_in(start: date, end: date, **where: Any) -> Decimal:
    return quantize(_live().filter(sign_date__range=(start, end), **where).aggregate(s=Sum("price"))["s"] or ZERO)


def collected_in(start: date, end: date, **where: Any) -> Decimal:
    qs = Receipt.objects.filter(received_on__range=(start, end), contract__isnull=False, **where)
    return quantize(qs.exclude(method=ReceiptMethod.TRANSFER).aggregate(s=Sum("amount"))["s"] or ZERO)


def completion(year: int, quarter: int, **where: Any) -> Decimal:
    start, end = quarter_bounds(year, quarter)
    target = SalesTarget.objects.filter(year=year, quarter=quarter, **where).aggregate(s=Sum("amount_signed"))["s"]
    contract_where = {f"project__{k.removeprefix('project__')}": v for k, v in where.items()}
    return _pct(signed_in(start, end, **contract_where), target or ZERO)


def overdue_over_30_ratio(as_of: date) -> Decimal:
    """Σ (amounts due more than 30 days before `as_of`, unpaid at `as_of`) / Σ amounts due by `as_of`,
    over live contracts — from `receivables.balances`, receipts applied oldest-due first."""
    old = {b.contract_id: b.due for b in contract_balances(as_of - timedelta(days=31), _live())}
    overdue = due = ZERO
    for b in contract_balances(as_of, _live()):
        due += b.due
        overdue += max(ZERO, old.get(b.contract_id, ZERO) - b.received)
    return _pct(overdue, due)


def collections_by_method(start: date, end: date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = (Receipt.objects.filter(received_on__range=(start, end), contract__isnull=False)
            .exclude(method=ReceiptMethod.TRANSFER).values("contract__payment_method").annotate(s=Sum("amount")))
    for row in rows:
        totals[METHOD_GROUPS[row["contract__payment_method"]]] += row["s"]
    whole = sum(totals.values(), ZERO)
    return {k: _pct(v, whole) for k, v in sorted(totals.items())}


def collection_cycle(year: int, quarter: int) -> dict[str, Decimal | None]:
    """The review's measure (reports.measures.cycle.collection_cycle_by_product_line): mean days from
    signing to full collection over the contracts fully collected in the quarter, by product line."""
    from huikuan.reports.measures.cycle import collection_cycle_by_product_line
    from huikuan.reports.periods import Period

    return collection_cycle_by_product_line(Period(year, quarter))


def _project(key: str) -> Project:
    return Project.objects.get(code=PROJECTS[key].code)


def project_figures(year: int, quarter: int) -> dict[str, Any]:
    start, end = quarter_bounds(year, quarter)
    p_start, p_end = quarter_bounds(*_previous(year, quarter))
    a, b, c = _project("A"), _project("B"), _project("C")
    units_a = Unit.objects.filter(building__project=a).count()
    sold_a = _live().filter(project=a, sign_date__lte=end).count()
    quarter_a = list(_live().filter(project=a, sign_date__range=(start, end)).values_list("pk", flat=True))
    buyers = dict(ContractParty.objects.filter(contract__in=quarter_a, is_primary=True)
                  .values_list("contract_id", "customer_id"))
    repeaters = set(ContractParty.objects.filter(customer__in=buyers.values(), customer__is_vip=True,
                                                 contract__status=ContractStatus.SIGNED)
                    .values("customer").annotate(n=Count("contract")).filter(n__gt=1)
                    .values_list("customer", flat=True))
    ranks = {}
    for label, (s, e) in (("quarter", (start, end)), ("previous", (p_start, p_end))):
        collected = {p.pk: collected_in(s, e, contract__project=p) for p in Project.objects.all()}
        order = sorted(collected, key=collected.__getitem__, reverse=True)
        ranks[label] = order.index(b.pk) + 1
    c_signed = signed_in(start, end, project=c)
    bulk = ZERO
    groups = (ContractParty.objects.filter(contract__in=_live().filter(project=c, sign_date__range=(start, end)),
                                           is_primary=True)
              .values("customer", "contract__sign_date").annotate(n=Count("contract"), s=Sum("contract__price"))
              .filter(n__gte=3))
    for row in groups:
        bulk += row["s"]
    subs = Subscription.objects.filter(project=c, subscribed_on__range=(start, end))
    sub_total = subs.aggregate(s=Sum("price"))["s"] or ZERO
    sub_inst = subs.filter(customer__customer_type=CustomerType.INSTITUTION).aggregate(s=Sum("price"))["s"] or ZERO
    total_collected = collected_in(start, end)
    return {
        "A_sell_through_pct": _pct(Decimal(sold_a), Decimal(units_a)),
        "A_collections_share_pct": _pct(collected_in(start, end, contract__project=a), total_collected),
        "A_vip_repeat_pct": _pct(Decimal(sum(1 for cust in buyers.values() if cust in repeaters)),
                                 Decimal(len(quarter_a))),
        "B_units_quarter": _live().filter(project=b, sign_date__range=(start, end)).count(),
        "B_units_previous": _live().filter(project=b, sign_date__range=(p_start, p_end)).count(),
        "B_collections_rank_previous": ranks["previous"],
        "B_collections_rank_quarter": ranks["quarter"],
        "C_bulk_share_pct": _pct(bulk, c_signed),
        "C_institutional_subscription_pct": _pct(sub_inst, sub_total),
    }


def push_week(year: int, quarter: int) -> dict[str, Any]:
    start, end = quarter_bounds(year, quarter)
    target = SalesTarget.objects.filter(year=year, quarter=quarter).aggregate(s=Sum("amount_signed"))["s"] or ZERO
    week = _live().filter(sign_date__range=PUSH_WEEK)
    offer = Discount.objects.filter(description=OFFER, contract__in=week).values("contract").distinct()
    return {
        "week": f"{PUSH_WEEK[0]}..{PUSH_WEEK[1]}",
        "units_signed": week.count(),
        "offer_contracts": offer.count(),
        "lift_points": _pct(signed_in(*PUSH_WEEK, pk__in=offer), target),
    }


def headline_figures(year: int = 2026, quarter: int = 3) -> dict[str, Any]:
    start, end = quarter_bounds(year, quarter)
    p_start, p_end = quarter_bounds(*_previous(year, quarter))
    ly_start, ly_end = quarter_bounds(year - 1, quarter)
    signed = signed_in(start, end)
    lines: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line, total in (_live().filter(sign_date__range=(start, end)).values_list("project__product_line")
                        .annotate(s=Sum("price"))):
        lines[line] += total
    collected, last_year = collected_in(start, end), collected_in(ly_start, ly_end)
    return {
        "quarter": f"{year}Q{quarter}",
        "contracts": _live().count(),
        "signed": signed,
        "completion_pct": completion(year, quarter),
        "completion_core_pct": completion(year, quarter, project__region__code="CORE"),
        "completion_new_pct": completion(year, quarter, project__region__code="NEW"),
        "product_line_share_pct": {k: _pct(v, signed) for k, v in sorted(lines.items())},
        "push_week": push_week(year, quarter),
        "collected": collected,
        "collected_last_year": last_year,
        "collections_yoy_pct": _pct(collected - last_year, last_year),
        "collections_by_method_pct": collections_by_method(start, end),
        "collection_cycle_days": collection_cycle(year, quarter),
        "overdue_over_30_pct": overdue_over_30_ratio(end),
        "overdue_over_30_previous_pct": overdue_over_30_ratio(p_end),
        "days_to_disbursement": days_to_disbursement(start, end),
        "days_to_disbursement_previous": days_to_disbursement(p_start, p_end),
        **project_figures(year, quarter),
        **mortgage_figures(year, quarter),
        **statement_figures(),
        **dunning_figures(year, quarter),
    }


def format_figures(figures: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k} {show(v)}" for k, v in value.items())
        return str(value)

    return "\n".join(f"  {key:<34} {show(value)}" for key, value in figures.items())
