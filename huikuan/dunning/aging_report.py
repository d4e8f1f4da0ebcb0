"""The aging report: overdue by bucket and warning level, in total and per project, region and
customer type, with the over-30-days amount and its ratio to receivables due.

Read from the scan of that date when one finished (a few GROUP BY queries over the snapshots),
otherwise computed live from the ledger with the same engines (nothing written).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum

from huikuan.core.money import ZERO, money_str
from huikuan.org.models import Project
from huikuan.org.scope import visible_project_ids

from . import levels
from .aging import bucket_for
from .choices import LEVELS_IN_ORDER, ScanStatus
from .config import load_buckets, load_rules
from .models import OverdueSnapshot, ScanRun
from .positions import contract_positions
from .scanning import risky_customers

RATIO = Decimal("0.0001")


@dataclass
class Tally:
    buckets: dict[str, Decimal]
    levels: dict[str, list] = field(default_factory=lambda: {lv: [0, ZERO] for lv in LEVELS_IN_ORDER})
    due: Decimal = ZERO
    over_30: Decimal = ZERO

    def add(self, bucket: str, level: str, days: int, count: int, amount: Decimal) -> None:
        self.buckets[bucket] = self.buckets.get(bucket, ZERO) + amount
        if level in self.levels:
            self.levels[level][0] += count
            self.levels[level][1] += amount
        if days > 30:
            self.over_30 += amount

    def as_json(self) -> dict[str, Any]:
        total = sum(self.buckets.values(), ZERO)
        ratio = (self.over_30 / self.due).quantize(RATIO, ROUND_HALF_UP) if self.due else Decimal("0.0000")
        return {
            "buckets": {label: money_str(amount) for label, amount in self.buckets.items()},
            "levels": {lv: {"count": c, "amount": money_str(a)} for lv, (c, a) in self.levels.items()},
            "overdue_total": money_str(total),
            "overdue_over_30": money_str(self.over_30),
            "receivables_due": money_str(self.due),
            "overdue_over_30_ratio": f"{ratio:.4f}",
        }


class Report:
    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        self.groups: dict[tuple[str, str], Tally] = {}

    def tally(self, dimension: str, key: str) -> Tally:
        found = self.groups.get((dimension, key))
        if found is None:
            found = self.groups[(dimension, key)] = Tally(dict.fromkeys(self.labels, ZERO))
        return found

    def add(self, keys: dict[str, str], bucket: str, level: str, days: int, count: int, amount: Decimal) -> None:
        for dimension, key in keys.items():
            self.tally(dimension, key).add(bucket, level, days, count, amount)

    def add_due(self, keys: dict[str, str], amount: Decimal) -> None:
        for dimension, key in keys.items():
            self.tally(dimension, key).due += amount

    def as_json(self, as_of: date, source: str) -> dict[str, Any]:
        total = self.tally("total", "").as_json()
        out: dict[str, Any] = {"as_of": as_of.isoformat(), "source": source, **total}
        for dimension in ("project", "region", "customer_type"):
            out[f"by_{dimension}"] = {key: tally.as_json() for (dim, key), tally in sorted(self.groups.items())
                                      if dim == dimension}
        return out


def _names(project_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {pk: (name, region) for pk, name, region in
            Project.objects.filter(pk__in=set(project_ids)).values_list("pk", "name", "region__name")}


def allowed_projects(user: Any = None, project: str | None = None) -> set[int] | None:
    """The project ids a report covers: the user's row scope, narrowed to one project (code or name)."""
    allowed = None if user is None else visible_project_ids(user)
    if project:
        chosen = set(Project.objects.filter(Q(code=project) | Q(name=project)).values_list("pk", flat=True))
        allowed = chosen if allowed is None else allowed & chosen
    return allowed


def aging_report(as_of: date, *, user: Any = None, project: str | None = None, live: bool = False) -> dict[str, Any]:
    """The report as of `as_of`, limited to the projects `user` may see (None: every project)."""
    allowed = allowed_projects(user, project)
    buckets = load_buckets()
    report = Report([b.label for b in buckets])
    run = ScanRun.objects.filter(as_of=as_of, status=ScanStatus.DONE).first()
    if run is not None and not live:
        _from_scan(report, run, allowed)
        return report.as_json(as_of, "scan")
    _live(report, as_of, allowed, buckets)
    return report.as_json(as_of, "live")


def _keys(names: dict[int, tuple[str, str]], project_id: int, customer_type: str) -> dict[str, str]:
    name, region = names[project_id]
    return {"total": "", "project": name, "region": region, "customer_type": customer_type or "-"}


def _from_scan(report: Report, run: ScanRun, allowed: set[int] | None) -> None:
    rows = OverdueSnapshot.objects.filter(as_of=run.as_of)
    if allowed is not None:
        rows = rows.filter(project_id__in=allowed)
    over_30 = ExpressionWrapper(Q(days__gt=30), output_field=BooleanField())
    grouped = list(rows.order_by().annotate(over_30=over_30)
                   .values_list("project_id", "customer__customer_type", "bucket", "level", "over_30")
                   .annotate(n=Count("pk"), amount=Sum("amount")))
    due = [(int(k.split(":")[0]), k.split(":")[1], Decimal(v)) for k, v in run.totals.items()]
    due = [row for row in due if allowed is None or row[0] in allowed]
    names = _names([r[0] for r in grouped] + [r[0] for r in due])
    for project_id, customer_type, bucket, level, over, n, amount in grouped:
        report.add(_keys(names, project_id, customer_type), bucket, level, 31 if over else 0, n,
                   Decimal(amount).quantize(Decimal("0.01")))
    for project_id, customer_type, amount in due:
        report.add_due(_keys(names, project_id, customer_type), amount)


def _live(report: Report, as_of: date, allowed: set[int] | None, buckets: list) -> None:
    from huikuan.sales.models import Contract

    contracts = Contract.objects.live()
    if allowed is not None:
        contracts = contracts.filter(project_id__in=allowed)
    rules, risky = load_rules(), risky_customers(as_of)
    names: dict[int, tuple[str, str]] = {}
    due_by: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for pos in contract_positions(as_of, contracts):
        if pos.project_id not in names:
            names.update(_names([pos.project_id]))
        keys = _keys(names, pos.project_id, pos.customer_type)
        due_by[(pos.project_id, pos.customer_type)] += pos.due
        risk = "high" if pos.customer_id in risky else "normal"
        for line in pos.late_lines:
            if line.days <= 0:   # a bank over a stage SLA before its deadline: warned, not overdue
                continue
            verdict = levels.evaluate(rules, levels.Facts(line.days, line.at_stake, line.kind, risk, line.sla_over))
            bucket = bucket_for(line.days, buckets)
            report.add(keys, bucket, verdict.level, line.days, 1, line.overdue)
    for (project_id, customer_type), amount in due_by.items():
        report.add_due(_keys(names, project_id, customer_type), amount)
