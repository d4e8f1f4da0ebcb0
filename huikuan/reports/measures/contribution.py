"""Project contribution: each project's share of collections and its rank, and repeat and referral
purchases by VIP customers."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count

from huikuan.core.money import ZERO, quantize
from huikuan.sales.models import ContractParty

from ..periods import Period
from .base import EVERYTHING, Scope, live_contracts, ratio
from .collections import collections_by_project
from .facts import Facts


def project_collections_share(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): its collections in the period ÷ collections_total."""
    by_project = collections_by_project(period, scope)
    whole = sum(by_project.values(), ZERO)
    return {code: ratio(amount, whole) for code, amount in by_project.items()}


def _rank(by_project: dict[str, Decimal]) -> dict[str, int]:
    order = sorted(by_project, key=lambda code: (-by_project[code], code))
    return {code: order.index(code) + 1 for code in sorted(by_project)}


def project_collections_rank(period: Period, scope: Scope = EVERYTHING) -> dict[str, int]:
    """Per project (code): 1 for the project that collected most in the period, and so on."""
    return _rank(collections_by_project(period, scope))


def project_collections_rank_previous(period: Period, scope: Scope = EVERYTHING) -> dict[str, int]:
    """project_collections_rank of the previous quarter."""
    facts = Facts.live(period, scope)
    return _rank(dict(sorted((facts.code(project), quantize(sum(by_method.values(), ZERO)))
                             for project, by_method in facts.get("collections_previous").items())))


def _primary_buyers(period: Period, scope: Scope) -> list[tuple[int, str, int, bool, int | None]]:
    contracts = live_contracts(scope).filter(sign_date__range=(period.start, period.end))
    return list(ContractParty.objects.filter(contract__in=contracts, is_primary=True)
                .values_list("contract_id", "contract__project__code", "customer_id", "customer__is_vip",
                             "customer__referred_by_id"))


def vip_repeat_purchase_share(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): contracts signed in the period whose primary buyer is a VIP customer who is
    a party to more than one live contract ÷ the project's contracts signed in the period."""
    rows = _primary_buyers(period, scope)
    vips = {customer for _, _, customer, vip, _ in rows if vip}
    repeaters = set(ContractParty.objects.filter(customer__in=vips, contract__status="signed")
                    .values("customer").annotate(n=Count("contract", distinct=True)).filter(n__gt=1)
                    .values_list("customer", flat=True))
    return _share_by_project(rows, lambda row: row[2] in repeaters)


def referral_purchase_share(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): contracts signed in the period whose primary buyer was referred by another
    customer (Customer.referred_by) ÷ the project's contracts signed in the period."""
    return _share_by_project(_primary_buyers(period, scope), lambda row: row[4] is not None)


def _share_by_project(rows, test) -> dict[str, Decimal | None]:  # type: ignore[no-untyped-def]
    counts: dict[str, list[int]] = {}
    for row in rows:
        hit, total = counts.setdefault(row[1], [0, 0])
        counts[row[1]] = [hit + (1 if test(row) else 0), total + 1]
    return {code: ratio(hit, total) for code, (hit, total) in sorted(counts.items())}
