"""What every measure shares: the scope (which projects count), safe ratios, averages and percentiles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet

from huikuan.core.money import ZERO, quantize

RATIO_PLACES = Decimal("0.0001")     # ratios carry four places: 0.1234 = 12.34 %
DAYS_PLACES = Decimal("0.01")
NOT_AVAILABLE = "not available"


@dataclass(frozen=True)
class Scope:
    """Which projects a measure counts: `project_ids` None means every project."""

    project_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, *, user: Any = None, project: str | None = None, region: str | None = None) -> Scope:
        """The user's row scope (org.scope), narrowed to one project (code or name) and/or region (code or name)."""
        from huikuan.org.models import Project
        from huikuan.org.scope import visible_project_ids

        ids: set[int] | None = None if user is None else visible_project_ids(user)
        if project or region:
            qs = Project.objects.all()
            if project:
                qs = qs.filter(Q(code=project) | Q(name=project))
            if region:
                qs = qs.filter(Q(region__code=region) | Q(region__name=region))
            chosen = set(qs.values_list("pk", flat=True))
            ids = chosen if ids is None else ids & chosen
        return cls(None if ids is None else frozenset(ids))

    def apply(self, qs: QuerySet, field: str = "project") -> QuerySet:
        if self.project_ids is None:
            return qs
        return qs.filter(**{f"{field}__in": sorted(self.project_ids)})

    @property
    def key(self) -> str:
        """A stable name for caching: "all" or the sorted project ids."""
        return "all" if self.project_ids is None else ",".join(str(i) for i in sorted(self.project_ids))


EVERYTHING = Scope()


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole with four places; None when whole is zero (there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def change(current: Decimal | None, before: Decimal | None) -> Decimal | None:
    """(current − before) ÷ before; None when either is missing or before is zero."""
    if current is None or before is None:
        return None
    return ratio(current - before, before)


def points(current: Decimal | None, before: Decimal | None) -> Decimal | None:
    """current − before for two ratios (a change in percentage points, as a fraction)."""
    if current is None or before is None:
        return None
    return (current - before).quantize(RATIO_PLACES)


def average(values: Sequence[int | Decimal]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)


def percentile(values: Iterable[int | Decimal], pct: int) -> Decimal | None:
    """The pct-th percentile with linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(Decimal(v) for v in values)
    if not ordered:
        return None
    rank = Decimal(pct) / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return value.quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)


def total(values: Iterable[Decimal | None]) -> Decimal:
    return quantize(sum((v for v in values if v is not None), ZERO))


def live_contracts(scope: Scope) -> QuerySet:
    from huikuan.sales.models import Contract

    return scope.apply(Contract.objects.live())


@dataclass(frozen=True)
class NotAvailable:
    """What a measure returns when the data it is measured from does not exist (yet): the report
    writes null and a note, never a made-up number."""

    reason: str

    def __bool__(self) -> bool:
        return False

    @property
    def note(self) -> str:
        return f"{NOT_AVAILABLE}: {self.reason}"


def app_installed(label: str) -> bool:
    from django.apps import apps

    return apps.is_installed(f"huikuan.{label}")
