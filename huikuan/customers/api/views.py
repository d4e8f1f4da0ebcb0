from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from huikuan.core.api.viewsets import ScopedViewSetMixin
from huikuan.customers.models import Customer
from huikuan.customers.querysets import visible_customers

from .serializers import CustomerSerializer


class CustomerViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Buyers on contracts or subscriptions in the user's projects; ID numbers masked unless permitted."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_fields = ["kind", "customer_type", "is_vip", "advisor"]
    search_fields = ["name", "phone"]
    ordering_fields = ["name", "created_at"]
    scope_field = None

    def get_queryset(self) -> QuerySet:
        return visible_customers(self.request.user).select_related("advisor")
