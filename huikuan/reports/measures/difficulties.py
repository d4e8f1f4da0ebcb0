"""Difficulties (section 3 of the review): customers with credit problems and what collection work
achieved — promises to pay kept and broken, disputes, lawyer letters and litigation."""

from __future__ import annotations

from django.db.models import Count, Sum

from huikuan.core.money import ZERO, quantize

from ..periods import Period
from .base import EVERYTHING, NotAvailable, Scope


def credit_flags(period: Period, scope: Scope = EVERYTHING) -> dict[str, int] | NotAvailable:
    """Credit pre-checks done in the period: {"checked", "flagged"} (mortgages.CreditPreCheck)."""
    from huikuan.mortgages.models import CreditPreCheck

    if not CreditPreCheck.objects.exists():
        return NotAvailable("no credit pre-checks recorded")
    qs = scope.apply(CreditPreCheck.objects.filter(checked_on__range=(period.start, period.end)),
                     "application__project")
    return {"checked": qs.count(), "flagged": qs.filter(result="flagged").count()}


def _dunning_ready(model: str) -> NotAvailable | None:
    from django.apps import apps

    if not apps.is_installed("huikuan.dunning"):
        return NotAvailable("the dunning app is not installed")
    if not apps.get_model("dunning", model).objects.exists():
        return NotAvailable(f"no {model} recorded")
    return None


def promises_to_pay(period: Period, scope: Scope = EVERYTHING) -> dict[str, dict] | NotAvailable:
    """Promises to pay due (pay_by) in the period, per status (kept, broken, open): count and amount."""
    missing = _dunning_ready("PromiseToPay")
    if missing is not None:
        return missing
    from huikuan.dunning.models import PromiseToPay

    qs = scope.apply(PromiseToPay.objects.filter(pay_by__range=(period.start, period.end)), "case__contract__project")
    out = {status: {"count": 0, "amount": ZERO} for status in ("kept", "broken", "open")}
    for row in qs.values("status").annotate(n=Count("pk"), s=Sum("amount")).order_by():
        out[row["status"]] = {"count": row["n"], "amount": quantize(row["s"] or ZERO)}
    return out


def disputes(period: Period, scope: Scope = EVERYTHING) -> dict[str, int] | NotAvailable:
    """Disputes opened in the period, and of those resolved, how: {"opened", "upheld", "rejected", "withdrawn",
    "open"}."""
    missing = _dunning_ready("Dispute")
    if missing is not None:
        return missing
    from huikuan.dunning.models import Dispute

    qs = scope.apply(Dispute.objects.filter(opened_at__date__range=(period.start, period.end)), "contract__project")
    out = {"opened": qs.count(), "upheld": 0, "rejected": 0, "withdrawn": 0,
           "open": qs.filter(status="open").count()}
    for row in qs.exclude(outcome="").values("outcome").annotate(n=Count("pk")).order_by():
        out[row["outcome"]] = row["n"]
    return out


def legal_actions(period: Period, scope: Scope = EVERYTHING) -> dict[str, int] | NotAvailable:
    """Lawyer letters, litigation referrals and asset-preservation steps done in the period (CaseAction)."""
    missing = _dunning_ready("CollectionCase")
    if missing is not None:
        return missing
    from huikuan.dunning.choices import LEGAL_CHANNELS
    from huikuan.dunning.models import CaseAction

    qs = scope.apply(CaseAction.objects.filter(channel__in=[str(c) for c in LEGAL_CHANNELS], status="done",
                                               done_on__range=(period.start, period.end)), "case__contract__project")
    out = {str(c): 0 for c in sorted(LEGAL_CHANNELS)}
    for row in qs.values("channel").annotate(n=Count("pk")).order_by():
        out[row["channel"]] = row["n"]
    return out


def cases_closed(period: Period, scope: Scope = EVERYTHING) -> dict[str, int] | NotAvailable:
    """Collection cases closed in the period, per close reason (paid, restructured, cancelled, manual)."""
    missing = _dunning_ready("CollectionCase")
    if missing is not None:
        return missing
    from huikuan.dunning.models import CollectionCase

    qs = scope.apply(CollectionCase.objects.filter(closed_on__range=(period.start, period.end)), "contract__project")
    return {row["close_reason"] or "": row["n"]
            for row in qs.values("close_reason").annotate(n=Count("pk")).order_by("close_reason")}
