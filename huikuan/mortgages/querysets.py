"""Reads over many loan applications: row scope, open ones, a specialist's own."""

from __future__ import annotations

from typing import Any

from django.db import models

from .pipeline import BEFORE_DISBURSEMENT, TERMINAL


class LoanApplicationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> LoanApplicationQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user, "project")  # type: ignore[return-value]

    def open(self) -> LoanApplicationQuerySet:
        return self.exclude(stage__in=TERMINAL)

    def awaiting_money(self) -> LoanApplicationQuerySet:
        """Applications the bank has not paid yet (a policy change or quota still affects them)."""
        return self.filter(stage__in=BEFORE_DISBURSEMENT)

    def of_specialist(self, user: Any) -> LoanApplicationQuerySet:
        return self.filter(specialist=user)

    def with_related(self) -> LoanApplicationQuerySet:
        return self.select_related("bank", "project", "contract", "specialist", "contract__unit__building")


def guarantee_exposure(as_of: Any, user: Any = None) -> dict[tuple[str, str], Any]:
    """阶段性担保 running on `as_of` (started by then, not released by then), per (bank code, project code)."""
    from django.db.models import Sum

    from huikuan.core.money import quantize

    from .models import Guarantee

    rows = Guarantee.objects.filter(started_on__lte=as_of).exclude(released_on__lte=as_of)
    if user is not None:
        from huikuan.org.scope import scope_queryset

        rows = scope_queryset(rows, user, "project")
    totals = rows.order_by().values("bank__code", "project__code").annotate(total=Sum("amount"))
    return {(r["bank__code"], r["project__code"]): quantize(r["total"]) for r in totals}
