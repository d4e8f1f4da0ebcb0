"""Sales against targets: signed amount and units, completion by project, region and product line,
each product line's share of the signed amount, and sell-through (去化率)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count

from huikuan.core.money import ZERO, quantize
from huikuan.org.models import SalesTarget, Unit

from ..periods import Period
from .base import EVERYTHING, Scope, live_contracts, ratio
from .facts import Facts

# the facts' rows: signed = [amount, units]; targets = [amount to sign, units, amount to collect]
SIGNED_AMOUNT, SIGNED_UNITS = 0, 1
TARGET_AMOUNT, TARGET_UNITS = 0, 1


def signed_amount_of(facts: Facts) -> Decimal:
    return quantize(sum((row[SIGNED_AMOUNT] for row in facts.values("signed")), ZERO))


def signed_amount(period: Period, scope: Scope = EVERYTHING) -> Decimal:
    """Σ price of live contracts (status signed) whose sign date is in the period."""
    return signed_amount_of(Facts.live(period, scope))


def signed_units_of(facts: Facts) -> int:
    return sum(row[SIGNED_UNITS] for row in facts.values("signed"))


def signed_units(period: Period, scope: Scope = EVERYTHING) -> int:
    """Number of live contracts signed in the period."""
    return signed_units_of(Facts.live(period, scope))


def _completion(facts: Facts, group: Callable[[int], str], target_index: int,
                signed_index: int) -> dict[str, Decimal | None]:
    signed: dict[str, Decimal] = defaultdict(lambda: ZERO)
    target: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for project, row in facts.get("signed").items():
        signed[group(project)] += Decimal(row[signed_index])
    for project, row in facts.get("targets").items():
        target[group(project)] += Decimal(row[target_index])
    return {key: ratio(signed[key], target[key]) for key in sorted(set(signed) | set(target))}


def _by(facts: Facts, field: str) -> Callable[[int], str]:
    return lambda project: facts.projects[project][field]


def target_completion_of(facts: Facts) -> dict[str, Decimal | None]:
    return _completion(facts, facts.code, TARGET_AMOUNT, SIGNED_AMOUNT)


def target_completion(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): signed amount in the period ÷ the quarter's SalesTarget.amount_signed
    (None where the project has no target)."""
    return target_completion_of(Facts.live(period, scope))


def target_completion_total_of(facts: Facts) -> Decimal | None:
    target = sum((row[TARGET_AMOUNT] for row in facts.values("targets")), ZERO)
    return ratio(signed_amount_of(facts), target)


def target_completion_total(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Σ signed amount in the period ÷ Σ SalesTarget.amount_signed of the quarter, over the scope."""
    return target_completion_total_of(Facts.live(period, scope))


def target_completion_by_region_of(facts: Facts) -> dict[str, Decimal | None]:
    return _completion(facts, _by(facts, "region"), TARGET_AMOUNT, SIGNED_AMOUNT)


def target_completion_by_region(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per region (code): Σ signed amount ÷ Σ target amount of its projects."""
    return target_completion_by_region_of(Facts.live(period, scope))


def target_completion_by_product_line_of(facts: Facts) -> dict[str, Decimal | None]:
    return _completion(facts, _by(facts, "product_line"), TARGET_AMOUNT, SIGNED_AMOUNT)


def target_completion_by_product_line(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per product line: Σ signed amount ÷ Σ target amount of its projects."""
    return target_completion_by_product_line_of(Facts.live(period, scope))


def target_units_completion_of(facts: Facts) -> dict[str, Decimal | None]:
    return _completion(facts, facts.code, TARGET_UNITS, SIGNED_UNITS)


def target_units_completion(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): units signed in the period ÷ SalesTarget.units."""
    return target_units_completion_of(Facts.live(period, scope))


def signed_share_by_product_line_of(facts: Facts) -> dict[str, Decimal | None]:
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for project, row in facts.get("signed").items():
        amounts[facts.projects[project]["product_line"]] += row[SIGNED_AMOUNT]
    whole = sum(amounts.values(), ZERO)
    return {line: ratio(amount, whole) for line, amount in sorted(amounts.items())}


def signed_share_by_product_line(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per product line: its signed amount in the period ÷ the whole signed amount."""
    return signed_share_by_product_line_of(Facts.live(period, scope))


def sell_through(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per project (code): units with a live contract signed on or before the period's end ÷ all its units."""
    units = dict(scope.apply(Unit.objects.all(), "building__project").values("building__project__code")
                 .annotate(n=Count("pk")).order_by().values_list("building__project__code", "n"))
    sold = dict(live_contracts(scope).filter(sign_date__lte=period.end).values("project__code")
                .annotate(n=Count("unit", distinct=True)).order_by().values_list("project__code", "n"))
    return {code: ratio(sold.get(code, 0), n) for code, n in sorted(units.items())}


def targets_of(period: Period, scope: Scope = EVERYTHING) -> dict[str, dict[str, Decimal | int]]:
    """The quarter's targets per project (code): amount to sign, units, amount to collect."""
    rows = (scope.apply(SalesTarget.objects.filter(year=period.year, quarter=period.quarter))
            .values_list("project__code", "amount_signed", "units", "amount_collected").order_by("project__code"))
    return {code: {"amount_signed": quantize(amount), "units": units, "amount_collected": quantize(collected)}
            for code, amount, units, collected in rows}
