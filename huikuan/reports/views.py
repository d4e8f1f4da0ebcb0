"""Dashboard page: thin view over `reports.dashboard`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from huikuan.sales.models import Contract

from .dashboard import build_dashboard


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contracts = Contract.objects.live().visible_to(self.request.user)
        dashboard = build_dashboard(timezone.localdate(), contracts)
        labels = {"signed": _("Signed amount"), "collected": _("Collected"), "outstanding": _("Outstanding"),
                  "overdue": _("Overdue"), "unit": _("×10k yuan")}
        return super().get_context_data(dashboard=dashboard, chart_data=dashboard.chart_data(),
                                        chart_labels=labels, **kwargs)


# --- the management dashboard and the quarterly review page ------------------------------------------

from django.http import Http404, HttpResponse  # noqa: E402

from .measures.base import Scope  # noqa: E402
from .periods import Period, PeriodError  # noqa: E402


def _period(request: Any) -> Period:
    text = request.GET.get("period")
    try:
        return Period.parse(text) if text else Period.containing(timezone.localdate()).previous()
    except PeriodError:
        raise Http404(f"not a quarter: {text}")


def _drill(request: Any) -> Any:
    from .management_dashboard import Drill

    building = request.GET.get("building") or None
    return Drill(region=request.GET.get("region", ""), project=request.GET.get("project", ""),
                 building=int(building) if building and building.isdigit() else None)


def _periods_around(period: Period) -> list[str]:
    today = Period.containing(timezone.localdate())
    labels, p = [], today
    for _step in range(8):
        labels.append(p.label)
        p = p.previous()
    if period.label not in labels:
        labels.append(period.label)
    return labels


class ManagementDashboardView(LoginRequiredMixin, TemplateView):
    """Management dashboard: the kpis of a quarter over the viewer's scope, drilled down by the URL."""

    template_name = "reports/management.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .management_dashboard import breadcrumbs, cards, charts, contracts_of_building

        period, drill = _period(self.request), _drill(self.request)
        scope = drill.scope(self.request.user)
        data, stored = _dashboard_data(period, scope, refresh=self.request.GET.get("refresh") == "1")
        contracts = contracts_of_building(period, scope, drill.building) if drill.building else []
        params = self.request.GET.copy()
        params.pop("refresh", None)
        return super().get_context_data(period=period, periods=_periods_around(period), drill=drill, kpis=data,
                                        cards=cards(data), charts=charts(data, drill), contracts=contracts,
                                        crumbs=breadcrumbs(drill), query=params.urlencode(),
                                        stale=timezone.now() - stored.computed_at > _max_age(), **kwargs)


def _max_age() -> Any:
    from .aggregates import MAX_AGE

    return MAX_AGE


def _dashboard_data(period: Period, scope: Scope, *, refresh: bool = False) -> tuple[dict[str, Any], Any]:
    """The dashboard's document for the scope, from the period's stored per-project facts."""
    from .aggregates import stored_facts
    from .kpis import dashboard_data

    facts, stored = stored_facts(period, scope, refresh=refresh)
    return dashboard_data(facts, stored.computed_at.isoformat(timespec="seconds")), stored


class ChartExportView(LoginRequiredMixin, TemplateView):
    """GET /management/charts/<chart>.xlsx?period=…&region=…&project=…: one chart's data as Excel."""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        from io import BytesIO

        from openpyxl import Workbook

        from .management_dashboard import charts

        period, drill = _period(request), _drill(request)
        data, _stored = _dashboard_data(period, drill.scope(request.user))
        chart = next((c for c in charts(data, drill) if c["id"] == kwargs["chart"]), None)
        if chart is None:
            raise Http404("no such chart")
        book = Workbook()
        sheet: Any = book.active
        sheet.title = chart["id"][:31]
        sheet.append([chart["title"], f"{period.label}", f"measure: {chart['measure']}",
                      f"unit: {UNIT_NAMES[chart['unit']]}"])
        sheet.append([""] + [s["name"] for s in chart["series"]])
        for i, category in enumerate(chart["categories"]):
            sheet.append([category] + [None if s["values"][i] is None else Decimal(s["values"][i])
                                       for s in chart["series"]])
            if chart["unit"] == "ratio":    # the exact fraction, shown as a percentage
                for cell in sheet[sheet.max_row][1:]:
                    cell.number_format = "0.00%"
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{chart["id"]}-{period.label}.xlsx"'
        return response


class QuarterlyReviewView(LoginRequiredMixin, TemplateView):
    """The quarterly review as a page (the same content as the PPTX and PDF), with downloads."""

    template_name = "reports/quarterly_review.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .aggregates import snapshot
        from .review.content import build_review

        period = _period(self.request)
        scope = Scope.of(user=self.request.user)
        data = snapshot(period, scope)
        review = build_review(period, scope, data)
        return super().get_context_data(review=review, period=period, periods=_periods_around(period),
                                        computed_at=data["computed_at"], **kwargs)


class QuarterlyReviewDownloadView(LoginRequiredMixin, TemplateView):
    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        import tempfile
        from pathlib import Path

        from .aggregates import snapshot
        from .review import write_review

        fmt = kwargs["fmt"]
        if fmt not in ("pdf", "pptx"):
            raise Http404("the review is written as pdf or pptx")
        period = _period(request)
        scope = Scope.of(user=request.user)
        with tempfile.TemporaryDirectory() as tmp:
            path = write_review(period, scope, fmt, Path(tmp) / f"review.{fmt}", snapshot(period, scope))
            content = path.read_bytes()
        types = {"pdf": "application/pdf",
                 "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
        response = HttpResponse(content, content_type=types[fmt])
        response["Content-Disposition"] = f'attachment; filename="review-{period.label}.{fmt}"'
        return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_NAMES = {"ratio": "比率（单元格以百分比显示）", "yuan": "元", "days": "天"}
