"""Sales targets per project per quarter, set so each quarter's completion reads as the story says
(2026Q3: company ≈112 %, core city ≈135 %, new district ≈89 %). Pure: plan-space figures in, rows out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .catalogue import CORE, PROJECTS
from .plan import Ledger
from .timeline import quarter_bounds

QUARTERS = ((2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4))
# completion of the signing target per project and quarter (2026Q3's core/new-district mix gives 135 %/89 %)
COMPLETION = {
    (2025, 3): {"A": "1.08", "C": "1.05", "D": "0.98", "B": "0.40", "E": "0.90"},
    (2025, 4): {"A": "0.95", "C": "0.90", "D": "0.85", "B": "0.30", "E": "0.70"},
    (2026, 1): {"A": "0.92", "C": "0.88", "D": "0.86", "B": "0.30", "E": "0.75"},
    (2026, 2): {"A": "1.02", "C": "0.96", "D": "0.93", "B": "0.35", "E": "0.80"},
}
REGION_COMPLETION_Q3 = {CORE: Decimal("1.35"), "NEW": Decimal("0.89")}
FIXED_Q3 = {"A": Decimal("1.45"), "B": Decimal("0.80"), "E": Decimal("0.60")}   # the rest of a region fills in
COLLECTION_COMPLETION = Decimal("1.04")


@dataclass(frozen=True)
class Target:
    project: str
    year: int
    quarter: int
    units: int
    amount_signed: Decimal
    amount_collected: Decimal


def _round(amount: Decimal) -> Decimal:
    return (amount / 10000).quantize(Decimal("1")) * 10000


def _completion_q3(ledger: Ledger) -> dict[str, Decimal]:
    bounds = quarter_bounds(2026, 3)
    signed = {k: ledger.signed(*bounds, project=k) for k in PROJECTS}
    result = dict(FIXED_Q3)
    for region, completion in REGION_COMPLETION_Q3.items():
        members = [k for k, spec in PROJECTS.items() if spec.region == region]
        target = sum((signed[k] for k in members), Decimal("0")) / completion
        fixed = sum((signed[k] / FIXED_Q3[k] for k in members if k in FIXED_Q3), Decimal("0"))
        (rest,) = [k for k in members if k not in FIXED_Q3]
        result[rest] = signed[rest] / (target - fixed)
    return result


def quarterly_targets(ledger: Ledger) -> list[Target]:
    rows: list[Target] = []
    q3 = _completion_q3(ledger)
    for year, quarter in QUARTERS:
        bounds = quarter_bounds(year, quarter)
        for key in PROJECTS:
            if (year, quarter) == (2026, 4):     # this quarter: the same as the last one, 5 % more
                last = next(r for r in rows if r.project == key and (r.year, r.quarter) == (2026, 3))
                rows.append(Target(key, year, quarter, last.units, _round(last.amount_signed * Decimal("1.05")),
                                   _round(last.amount_collected * Decimal("1.05"))))
                continue
            completion = q3[key] if (year, quarter) == (2026, 3) else Decimal(COMPLETION[(year, quarter)][key])
            signed = ledger.signed(*bounds, project=key)
            units = sum(1 for d in ledger.deals
                        if d.project == key and d.live and bounds[0] <= d.sign_date <= bounds[1])
            collected = ledger.collected(*bounds, project=key)
            rows.append(Target(key, year, quarter, max(1, round(units / float(completion))),
                               _round(signed / completion) if signed else Decimal("1000000"),
                               _round(collected / COLLECTION_COMPLETION)))
    return rows
