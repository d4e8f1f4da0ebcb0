"""Dashboard page: thin view over `reports.dashboard`."""

from __future__ import annotations

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
