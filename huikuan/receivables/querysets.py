"""Reads over many rows: outstanding amounts are sums over the ledger, computed in the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)


def _entries_total(field: str = "receivable") -> Subquery:
    from .models import LedgerEntry

    return Subquery(
        LedgerEntry.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Sum("amount"))
        .values("total")[:1],
        output_field=MONEY,
    )


class ReceivableQuerySet(models.QuerySet):
    def with_outstanding(self) -> ReceivableQuerySet:
        return self.annotate(
            settled=Coalesce(_entries_total(), Value(Decimal("0")), output_field=MONEY),
        ).annotate(outstanding=F("amount") + F("settled"))

    def open(self) -> ReceivableQuerySet:
        return self.with_outstanding().exclude(outstanding=0)

    def visible_to(self, user: Any) -> ReceivableQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user, "contract__project")  # type: ignore[return-value]


class ReceiptQuerySet(models.QuerySet):
    def with_unallocated(self) -> ReceiptQuerySet:
        from .choices import EntryKind
        from .models import LedgerEntry

        allocated = Subquery(
            LedgerEntry.objects.filter(receipt=OuterRef("pk"), kind=EntryKind.ALLOCATION)
            .order_by()
            .values("receipt")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=MONEY,
        )
        # allocation entries are negative on the receivable, so the receipt's allocated total is −Σ
        return self.annotate(
            allocated=-Coalesce(allocated, Value(Decimal("0")), output_field=MONEY),
        ).annotate(unallocated=F("amount") - F("allocated"))

    def visible_to(self, user: Any) -> ReceiptQuerySet:
        from huikuan.org.scope import visible_project_ids

        ids = visible_project_ids(user)
        if ids is None:
            return self
        return self.filter(contract__project__in=ids)


class LedgerEntryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> LedgerEntryQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user, "contract__project")  # type: ignore[return-value]
