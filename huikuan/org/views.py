"""Projects: the list with unit and contract counts, and one project's contracts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.views.generic import DetailView, ListView

from huikuan.reports.dashboard import build_dashboard
from huikuan.sales.models import Contract
from huikuan.sales.views import contract_rows

from .models import Project, Unit

MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)


def _count(qs: QuerySet, group_by: str) -> Subquery:
    return Subquery(qs.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField())


def projects_with_counts(user: Any) -> QuerySet[Project]:
    """Visible projects with their number of units, signed contracts and signed amount (one query)."""
    units = Unit.objects.filter(building__project=OuterRef("pk"))
    signed = Contract.objects.live().filter(project=OuterRef("pk"))
    signed_amount = Subquery(signed.order_by().values("project").annotate(total=Sum("price")).values("total")[:1],
                             output_field=MONEY)
    return (Project.objects.visible_to(user).select_related("region")
            .annotate(unit_count=Coalesce(_count(units, "building__project"), Value(0)),
                      contract_count=Coalesce(_count(signed, "project"), Value(0)),
                      signed_amount=Coalesce(signed_amount, Value(Decimal("0")), output_field=MONEY))
            .order_by("region__code", "code"))


class ProjectListView(LoginRequiredMixin, ListView):
    template_name = "org/project_list.html"
    context_object_name = "projects"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Project]:
        return projects_with_counts(self.request.user)


class ProjectDetailView(LoginRequiredMixin, DetailView):
    template_name = "org/project_detail.html"
    context_object_name = "project"

    def get_queryset(self) -> QuerySet[Project]:
        return projects_with_counts(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = self.object
        contracts = Contract.objects.visible_to(self.request.user).filter(project=project)
        today = timezone.localdate()
        page = Paginator(contracts.order_by("-sign_date", "-pk"), 50).get_page(self.request.GET.get("page"))
        figures = build_dashboard(today, contracts.live())
        return super().get_context_data(page_obj=page, rows=contract_rows(list(page.object_list), today),
                                        totals=figures.totals, as_of=today, **kwargs)
