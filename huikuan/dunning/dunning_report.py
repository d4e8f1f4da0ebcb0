"""The dunning report for a period: steps run per step and channel, promises made and kept, money
recovered after each step, open disputes and SLA breaches."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from huikuan.core.money import ZERO, money_str
from huikuan.receivables.models import Receipt

from .aging_report import allowed_projects
from .choices import ActionKind, ActionStatus, PromiseStatus
from .models import CaseAction, Dispute, PromiseToPay


def _scoped(qs: Any, allowed: set[int] | None, field: str) -> Any:
    return qs if allowed is None else qs.filter(**{f"{field}__in": allowed})


def recovered_after_steps(steps: list[tuple[int, int, date, str, str]], until: date) -> dict[tuple[str, str], Decimal]:
    """Money received on the case's contract from the day a step ran until the day before the next step
    of that case ran (or through `until`): credited to the step that preceded it."""
    by_case: dict[int, list[tuple[date, str, str, int]]] = defaultdict(list)
    for case_id, contract_id, done_on, name, channel in steps:
        by_case[case_id].append((done_on, name, channel, contract_id))
    result: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for runs in by_case.values():
        runs.sort()
        for i, (done_on, name, channel, contract_id) in enumerate(runs):
            window = {"received_on__gte": done_on}
            if i + 1 < len(runs):
                window["received_on__lt"] = runs[i + 1][0]
            else:
                window["received_on__lte"] = until
            money = (Receipt.objects.filter(contract_id=contract_id, amount__gt=0, **window)
                     .aggregate(t=Sum("amount"))["t"]) or ZERO
            result[(name, channel)] += money
    return result


def dunning_report(date_from: date, date_to: date, *, user: Any = None, project: str | None = None) -> dict[str, Any]:
    allowed = allowed_projects(user, project)
    steps = _scoped(CaseAction.objects.filter(kind=ActionKind.STEP, done_on__gte=date_from, done_on__lte=date_to,
                                              status__in=[ActionStatus.DONE, ActionStatus.PENDING_CHANNEL]),
                    allowed, "case__contract__project")
    rows = list(steps.values_list("case_id", "case__contract_id", "done_on", "step__name", "channel", "status"))
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"done": 0, "pending_channel": 0})
    for *_, name, channel, status in rows:
        counts[(name or "", channel)][status] += 1
    recovered = recovered_after_steps([r[:5] for r in rows], date_to)
    promises = _scoped(PromiseToPay.objects.filter(made_on__gte=date_from, made_on__lte=date_to), allowed,
                       "case__contract__project")
    promise_totals = {}
    for status in PromiseStatus.values:
        chosen = promises.filter(status=status)
        promise_totals[status] = {"count": chosen.count(),
                                  "amount": money_str(chosen.aggregate(t=Sum("amount"))["t"] or ZERO)}
    end = timezone.make_aware(datetime.combine(date_to, time.max))
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    disputes = _scoped(Dispute.objects.all(), allowed, "contract__project")
    open_at_end = disputes.filter(opened_at__lte=end).exclude(resolved_at__lte=end)
    opened = disputes.filter(opened_at__gte=start, opened_at__lte=end)
    breaches = [d for d in opened if d.breached(now=min(end, timezone.now()))]
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "steps": [
            {"step": name, "channel": channel, "done": c["done"], "pending_channel": c["pending_channel"],
             "recovered_after": money_str(recovered.get((name, channel), ZERO))}
            for (name, channel), c in sorted(counts.items())
        ],
        "promises": {"made": {"count": promises.count(),
                              "amount": money_str(promises.aggregate(t=Sum("amount"))["t"] or ZERO)},
                     **promise_totals},
        "disputes": {"opened": opened.count(), "open": open_at_end.count(),
                     "open_amount": money_str(open_at_end.aggregate(t=Sum("amount"))["t"] or ZERO),
                     "sla_breaches": len(breaches)},
    }
