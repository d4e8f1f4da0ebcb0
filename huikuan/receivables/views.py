"""Receipts: the list of money that arrived (and refunds), within the viewer's row scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.views.generic import ListView

from huikuan.org.models import Project

from .choices import ReceiptMethod
from .models import Receipt


class ReceiptListView(LoginRequiredMixin, ListView):
    template_name = "receivables/receipt_list.html"
    context_object_name = "receipts"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Receipt]:
        receipts = (Receipt.objects.visible_to(self.request.user).with_unallocated()  # type: ignore[attr-defined]
                    .select_related("contract__project").order_by("-received_on", "-pk"))
        params = self.request.GET
        text = params.get("q", "").strip()
        if text:
            receipts = receipts.filter(Q(number__icontains=text) | Q(reference__icontains=text)
                                       | Q(payer_name__icontains=text) | Q(contract__contract_no__icontains=text))
        if params.get("project", "").isdigit():
            receipts = receipts.filter(contract__project_id=int(params["project"]))
        if params.get("method") in ReceiptMethod.values:
            receipts = receipts.filter(method=params["method"])
        return receipts

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        return super().get_context_data(
            projects=Project.objects.visible_to(self.request.user).order_by("code"),
            methods=ReceiptMethod.choices, q=params.get("q", ""), project=params.get("project", ""),
            method=params.get("method", ""), **kwargs)
