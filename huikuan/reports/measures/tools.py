"""The tools' effect (section 4 of the review): the reconciliation auto-match rate and the reminders
sent with what followed them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from huikuan.receivables.models import Receipt

from ..periods import Period
from .base import EVERYTHING, NotAvailable, Scope, app_installed, ratio

EFFECT_DAYS = 14


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (datetime.combine(period.start, time.min, tzinfo=tz),
            datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz))


def _money_in(period: Period, scope: Scope):  # type: ignore[no-untyped-def]
    from huikuan.banking.models import BankTransaction

    qs = BankTransaction.objects.money_in().filter(date__range=(period.start, period.end))
    if scope.project_ids is not None:
        qs = qs.filter(Q(account__project__isnull=True) | Q(account__project__in=sorted(scope.project_ids)))
    return qs


def _bank_lines(period: Period, scope: Scope):  # type: ignore[no-untyped-def]
    if not app_installed("banking"):
        return NotAvailable("bank reconciliation is not installed")
    lines = _money_in(period, scope)
    if not lines.exists():
        return NotAvailable(f"no bank transactions imported for {period}")
    return lines


def reconciliation_auto_match_rate(period: Period, scope: Scope = EVERYTHING) -> Decimal | NotAvailable:
    """Money-in bank lines dated in the period whose live match is automatic (status auto — by the engine
    when the statement was reconciled, or from a bank's disbursement list) ÷ all money-in bank lines dated
    in the period (accounts of projects in scope, and accounts of no project). The same counts as the
    "auto" and "imported" columns of `huikuan report reconciliation` for the period."""
    lines = _bank_lines(period, scope)
    if isinstance(lines, NotAvailable):
        return lines
    from huikuan.banking.choices import MatchStatus
    from huikuan.banking.models import Match

    auto = Match.objects.live().filter(transaction__in=lines, status=MatchStatus.AUTO).values("transaction").distinct()
    return ratio(auto.count(), lines.count()) or Decimal("0.0000")


def reconciliation_first_pass_auto_rate(period: Period, scope: Scope = EVERYTHING) -> Decimal | NotAvailable:
    """Money-in bank lines dated in the period whose first match (the engine's decision when the statement
    was reconciled, before any person or list changed it) was automatic ÷ all money-in bank lines dated in
    the period. Lower than reconciliation_auto_match_rate by the lines settled automatically only later."""
    lines = _bank_lines(period, scope)
    if isinstance(lines, NotAvailable):
        return lines
    from huikuan.banking.models import Match

    first = (Match.objects.filter(transaction__in=lines).values("transaction").annotate(first=Min("pk"))
             .values("first"))
    auto = Match.objects.filter(pk__in=first, status="auto").count()
    return ratio(auto, lines.count()) or Decimal("0.0000")


def _messages(period: Period, scope: Scope):  # type: ignore[no-untyped-def]
    from huikuan.notifications.models import Message

    start, end = _bounds(period)
    qs = Message.objects.filter(status="sent", sent_at__gte=start, sent_at__lt=end)
    return scope.apply(qs, "contract__project") if scope.project_ids is not None else qs


def reminders_sent(period: Period, scope: Scope = EVERYTHING) -> dict[str, int] | NotAvailable:
    """Messages sent to customers in the period, per channel (notifications outbox, status sent)."""
    try:
        from huikuan.notifications.models import Message
    except ImportError:
        return NotAvailable("notifications are not installed")
    if not Message.objects.exists():
        return NotAvailable("no messages in the outbox")
    rows = _messages(period, scope).values("channel").annotate(n=Count("pk")).order_by("channel")
    return {row["channel"]: row["n"] for row in rows}


def reminder_effect(period: Period, scope: Scope = EVERYTHING) -> Decimal | None | NotAvailable:
    """Contracts that were sent a message in the period and received money within 14 days after the first
    one ÷ contracts that were sent a message in the period."""
    sent = reminders_sent(period, scope)
    if isinstance(sent, NotAvailable):
        return sent
    firsts = dict(_messages(period, scope).filter(contract__isnull=False).values("contract")
                  .annotate(first=Min("sent_at")).order_by().values_list("contract", "first"))
    if not firsts:
        return None
    tz = timezone.get_default_timezone()
    paid = 0
    receipts = (Receipt.objects.filter(contract__in=list(firsts), amount__gt=0,
                                       received_on__gte=period.start,
                                       received_on__lte=period.end + timedelta(days=EFFECT_DAYS))
                .values_list("contract_id", "received_on"))
    days: dict[int, list] = {}
    for cid, day in receipts:
        days.setdefault(cid, []).append(day)
    for cid, first in firsts.items():
        start = timezone.localtime(first, tz).date()
        if any(start <= d <= start + timedelta(days=EFFECT_DAYS) for d in days.get(cid, [])):
            paid += 1
    return ratio(paid, len(firsts))
