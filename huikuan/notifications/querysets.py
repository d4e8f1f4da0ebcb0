"""Which messages a person may see: those to customers with a contract in a visible project."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huikuan.org.scope import visible_project_ids
from huikuan.sales.models import ContractParty

from .models import Message


def visible_messages(user: Any) -> QuerySet[Message]:
    ids = visible_project_ids(user)
    messages = Message.objects.all()
    if ids is None:
        return messages
    customers = ContractParty.objects.filter(contract__project__in=ids).values("customer_id")
    return messages.filter(customer_id__in=customers)
