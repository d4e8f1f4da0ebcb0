"""Courtesy reminders before the due date (policy steps timed "days before due").

There is no case yet, so the outbox's idempotency key `courtesy:<receivable>:<step>` is what makes
a second run send nothing new; each send is in the audit trail.
"""

from __future__ import annotations

from datetime import date, timedelta

from huikuan.core.money import ZERO
from huikuan.core.services import business_calendar, record
from huikuan.receivables.choices import ReceivableKind
from huikuan.receivables.models import Receivable

from . import outbound, policy
from .choices import Anchor
from .config import load_policies, policy_for, segment_of

LOOKAHEAD = 45  # days: the longest "before due" offset plus a holiday season


def send_courtesy_reminders(today: date) -> int:
    cal = business_calendar()
    policies = load_policies()
    if not any(s.anchor == Anchor.BEFORE_DUE for c in policies for s in c.steps):
        return 0
    lines = (Receivable.objects.open().filter(due_date__gt=today, due_date__lte=today + timedelta(days=LOOKAHEAD),
                                              contract__status="signed")
             .exclude(kind__in=[ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION])
             .select_related("contract", "contract__project", "contract__unit").order_by("due_date", "pk"))
    sent = 0
    for line in lines:
        if line.outstanding <= ZERO:
            continue
        party = line.contract.parties.filter(is_primary=True).select_related("customer").first()
        if party is None:
            continue
        customer = party.customer
        choice = policy_for(policies, {line.kind}, segment_of(customer.is_vip, customer.kind))
        if choice is None:
            continue
        for step in choice.steps:
            if step.anchor != Anchor.BEFORE_DUE:
                continue
            timing = policy.Timing(step.anchor, step.days, step.business_days)
            if policy.step_date(timing, due=line.due_date, previous=None, calendar=cal) != today:
                continue
            context = outbound.message_context(contract=line.contract, as_of=today, receivable=line)
            message = outbound.send(customer=customer, channel=outbound.message_channel(step.channel, customer),
                                    template=outbound.template_for(step.channel, step.template), context=context,
                                    idempotency_key=f"courtesy:{line.pk}:{step.pk}", related=line)
            if message is not None:
                sent += 1
                record(None, "dunning.courtesy_reminder", line, step=step.pk, message=str(message))
    return sent
