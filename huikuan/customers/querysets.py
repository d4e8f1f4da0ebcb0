from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet


def visible_customers(user: Any) -> QuerySet:
    """Customers who are a party to a contract, or hold a subscription, in a project `user` may see
    (the one customer scope for UI, API and exports)."""
    from huikuan.org.scope import visible_project_ids
    from huikuan.sales.models import ContractParty, Subscription

    from .models import Customer

    ids = visible_project_ids(user)
    if ids is None:
        return Customer.objects.all()
    return Customer.objects.filter(
        Q(pk__in=ContractParty.objects.filter(contract__project__in=ids).values("customer_id"))
        | Q(pk__in=Subscription.objects.filter(project__in=ids).values("customer_id"))
    )
