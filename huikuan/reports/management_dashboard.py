"""The management dashboard's content: cards and charts from the dashboard's document (kpis.dashboard_data,
the same values as `report kpis`), and the drill-down region → project → building → contract. Chart data
leaves as decimal strings (the browser parses them only to draw); every chart names the measure it shows
and the unit of its values — "ratio" (a fraction, 0.8734, that the page shows as 87.3 %), "yuan" or
"days"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum

from huikuan.org.models import Building, Project, Region

from .measures.base import Scope
from .measures.collections import receipts_in
from .periods import Period
from .review.content import METHODS, PRODUCT_LINES


@dataclass(frozen=True)
class Drill:
    """Where the viewer is: the whole company, a region, a project, or a building of a project."""

    region: str = ""
    project: str = ""
    building: int | None = None

    def scope(self, user: Any) -> Scope:
        return Scope.of(user=user, project=self.project or None, region=self.region or None)


UNITS = ("ratio", "yuan", "days")


def _chart(chart_id: str, title: str, kind: str, measure: str, categories: list[str], series: list[dict],
           drill: list[dict] | None = None, *, unit: str) -> dict[str, Any]:
    assert unit in UNITS
    return {"id": chart_id, "title": title, "kind": kind, "measure": measure, "unit": unit,
            "categories": categories, "series": series, "drill": drill or []}


def charts(data: dict[str, Any], drill: Drill) -> list[dict[str, Any]]:
    """Chart specs: {id, title, kind, measure, unit, categories, series: [{name, values: [decimal strings]}],
    drill}."""
    out = []
    names = {code: p["name"] for code, p in data["projects"].items()}
    if not drill.project:
        regions = data["target_completion_by_region"]
        out.append(_chart("completion-region", "区域销售目标完成率", "bar", "target_completion_by_region",
                          [data["regions"].get(c, c) for c in regions],
                          [{"name": "完成率", "values": list(regions.values())}],
                          [{"region": c} for c in regions], unit="ratio"))
        projects = data["target_completion"]
        out.append(_chart("completion-project", "项目销售目标完成率", "bar", "target_completion",
                          [names.get(c, c) for c in projects], [{"name": "完成率", "values": list(projects.values())}],
                          [{"project": c} for c in projects], unit="ratio"))
        collected = data["collections_by_project"]
        out.append(_chart("collections-project", "各项目回款（元）", "bar", "collections_by_project",
                          [names.get(c, c) for c in collected], [{"name": "回款", "values": list(collected.values())}],
                          [{"project": c} for c in collected], unit="yuan"))
    else:
        buildings = {key.split("/", 1)[1]: value for key, value in data["collections_by_building"].items()
                     if key.split("/", 1)[0] == drill.project}
        ids = dict(Building.objects.filter(project__code=drill.project).values_list("name", "pk"))
        out.append(_chart("collections-building", "各楼栋回款（元）", "bar", "collections_by_building",
                          list(buildings), [{"name": "回款", "values": list(buildings.values())}],
                          [{"project": drill.project, "building": ids.get(name)} for name in buildings], unit="yuan"))
    by_method = data["collections_by_method"]
    out.append(_chart("collections-method", "回款按付款方式（元）", "pie", "collections_by_method",
                      [METHODS.get(m, m) for m in by_method], [{"name": "回款", "values": list(by_method.values())}],
                      unit="yuan"))
    lines = data["signed_share_by_product_line"]
    out.append(_chart("share-product-line", "业态签约金额占比", "pie", "signed_share_by_product_line",
                      [PRODUCT_LINES.get(k, k) for k in lines], [{"name": "占比", "values": list(lines.values())}],
                      unit="ratio"))
    now, before = data["bank_disbursement_days"] or {}, data["bank_disbursement_days_previous"] or {}
    banks = sorted(set(now) | set(before))
    out.append(_chart("bank-days", "合作银行平均放款天数", "bar", "bank_disbursement_days",
                      [data["banks"].get(c, c) for c in banks],
                      [{"name": "上季度", "values": [before.get(c) for c in banks]},
                       {"name": "本季度", "values": [now.get(c) for c in banks]}], unit="days"))
    weeks = data["cash_forecast"]["weeks"]
    out.append(_chart("cash-forecast", "未来13周现金流入预测（元）", "line", "cash_forecast",
                      [w["week_start"] for w in weeks],
                      [{"name": "预测", "values": [w["forecast"] for w in weeks]},
                       {"name": "实际", "values": [w["actual"] for w in weeks]}], unit="yuan"))
    return out


def cards(data: dict[str, Any]) -> list[dict[str, Any]]:
    keys = [("target_completion_total", "销售目标完成率", "ratio"), ("collections_total", "本季回款", "money"),
            ("collections_yoy", "回款同比", "ratio"), ("collection_rate", "回款率", "ratio"),
            ("overdue_over_30_ratio", "逾期30天以上占比", "ratio"), ("dso", "DSO（天）", "days")]
    return [{"measure": key, "label": label, "kind": kind, "value": data.get(key)} for key, label, kind in keys]


def contracts_of_building(period: Period, scope: Scope, building: int) -> list[dict[str, Any]]:
    """The last drill level: each contract of the building with its collections in the period."""
    rows = (receipts_in(period, scope).filter(contract__unit__building_id=building)
            .values("contract_id", "contract__contract_no", "contract__price", "contract__unit__number")
            .annotate(s=Sum("amount")).order_by("contract__unit__number"))
    return [{"id": r["contract_id"], "contract_no": r["contract__contract_no"], "unit": r["contract__unit__number"],
             "price": f"{r['contract__price']:.2f}", "collected": f"{r['s']:.2f}"} for r in rows]


def breadcrumbs(drill: Drill) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = [{"label": "全公司", "params": {}}]
    if drill.region:
        region = Region.objects.filter(Q(code=drill.region) | Q(name=drill.region)).first()
        crumbs.append({"label": region.name if region else drill.region, "params": {"region": drill.region}})
    if drill.project:
        project = Project.objects.filter(Q(code=drill.project) | Q(name=drill.project)).first()
        crumbs.append({"label": project.name if project else drill.project, "params": {"project": drill.project}})
    if drill.building:
        building = Building.objects.filter(pk=drill.building).first()
        crumbs.append({"label": building.name if building else str(drill.building),
                       "params": {"project": drill.project, "building": drill.building}})
    return crumbs
