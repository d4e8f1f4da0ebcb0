"""Reads over many rows: the worklist and dispute lists, always narrowed by the viewer's row scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CaseQuerySet(models.QuerySet):
    def open(self) -> CaseQuerySet:
        return self.filter(status="open")

    def visible_to(self, user: Any) -> CaseQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user, "contract__project")  # type: ignore[return-value]

    def worklist(self) -> CaseQuerySet:
        return (self.open().select_related("contract", "contract__project", "customer", "owner")
                .order_by("-priority", "pk"))


class DisputeQuerySet(models.QuerySet):
    def open(self) -> DisputeQuerySet:
        return self.filter(status="open")

    def visible_to(self, user: Any) -> DisputeQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user, "contract__project")  # type: ignore[return-value]

    def breached(self, now: Any = None) -> DisputeQuerySet:
        now = now or timezone.now()
        return self.filter(Q(first_response_at__isnull=True, response_due_at__lt=now)
                           | Q(first_response_at__gt=models.F("response_due_at")))
