"""The first dashboard: signed, collected, outstanding and overdue amounts, per project and in total.

Every figure comes from `receivables.balances.contract_balances` (the one definition of those
words), summed per project. Chart data leaves as decimal strings; the browser parses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from huikuan.core.money import ZERO, money_str
from huikuan.org.models import Project
from huikuan.receivables.balances import BalanceTotals, contract_balances
from huikuan.sales.models import Contract


@dataclass
class ProjectFigures:
    project: Project
    totals: BalanceTotals = field(default_factory=BalanceTotals)

    @property
    def collected_ratio(self) -> Decimal | None:
        """Collected ÷ signed, as a fraction (None when nothing is signed)."""
        if self.totals.price == ZERO:
            return None
        return self.totals.received / self.totals.price


@dataclass
class Dashboard:
    as_of: date
    totals: BalanceTotals
    projects: list[ProjectFigures]

    @property
    def collected_ratio(self) -> Decimal | None:
        return None if self.totals.price == ZERO else self.totals.received / self.totals.price

    def chart_data(self) -> dict[str, Any]:
        """Bar-chart series per project; amounts as decimal strings (never floats)."""
        rows = self.projects
        return {
            "projects": [row.project.name for row in rows],
            "signed": [money_str(row.totals.price) for row in rows],
            "collected": [money_str(row.totals.received) for row in rows],
            "outstanding": [money_str(row.totals.outstanding) for row in rows],
            "overdue": [money_str(row.totals.overdue) for row in rows],
        }


def build_dashboard(as_of: date, contracts: QuerySet[Contract]) -> Dashboard:
    """Figures as of `as_of` over `contracts` (already narrowed to what the viewer may see)."""
    per_project: dict[int, BalanceTotals] = {}
    totals = BalanceTotals()
    for balance in contract_balances(as_of, contracts):
        per_project.setdefault(balance.project_id, BalanceTotals()).add(balance)
        totals.add(balance)
    projects = Project.objects.filter(pk__in=list(per_project)).select_related("region").order_by("code")
    rows = [ProjectFigures(project=project, totals=per_project[project.pk]) for project in projects]
    return Dashboard(as_of=as_of, totals=totals, projects=rows)
