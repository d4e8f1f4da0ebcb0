"""Customers: a searchable list and the customer page, both within the viewer's row scope.

A customer is visible when one of their contracts or subscriptions belongs to a visible project.
ID numbers are masked unless the viewer has `customers.view_id_number` (see the `masked_id` filter).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.views.generic import DetailView, ListView

from huikuan.org.scope import visible_project_ids
from huikuan.sales.models import Contract
from huikuan.sales.views import contract_rows

from .models import Customer
from .querysets import visible_customers


class CustomerListView(LoginRequiredMixin, ListView):
    template_name = "customers/customer_list.html"
    context_object_name = "customers"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Customer]:
        ids = visible_project_ids(self.request.user)
        in_scope = Q() if ids is None else Q(contract_parties__contract__project__in=ids)
        customers = (visible_customers(self.request.user).select_related("advisor")
                     .annotate(contract_count=Count("contract_parties", filter=in_scope)).order_by("name", "pk"))
        text = self.request.GET.get("q", "").strip()
        if text:
            customers = customers.filter(Q(name__icontains=text) | Q(phone__icontains=text)
                                         | Q(id_number__iendswith=text))
        if self.request.GET.get("vip"):
            customers = customers.filter(is_vip=True)
        return customers

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(q=self.request.GET.get("q", ""), vip=bool(self.request.GET.get("vip")),
                                        **kwargs)


class CustomerDetailView(LoginRequiredMixin, DetailView):
    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_queryset(self) -> QuerySet[Customer]:
        return visible_customers(self.request.user).select_related("advisor", "referred_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        contracts = (Contract.objects.visible_to(self.request.user).filter(parties__customer=self.object)
                     .select_related("project", "unit__building").prefetch_related("parties__customer")
                     .order_by("-sign_date", "-pk"))
        return super().get_context_data(rows=contract_rows(list(contracts), today), as_of=today, **kwargs)
