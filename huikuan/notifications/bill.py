"""The bill a reminder carries: open items, amounts, late fee to date, how to pay, the dispute link.

Totals come from `receivables.balances.balance_of` (the one definition of overdue and late fee);
the items are the contract's plan lines with their ledger outstanding.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings

from huikuan.core.money import ZERO
from huikuan.core.services import business_calendar
from huikuan.receivables.balances import balance_of
from huikuan.receivables.choices import ReceivableKind
from huikuan.receivables.models import Receivable
from huikuan.sales.models import Contract

from .dispute_links import dispute_link
from .formatting import date_text, item_name, money_text

NOT_BILLED = (ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION)


def payee_for(contract: Contract) -> dict[str, str]:
    """The account to pay into: per project code if configured, else the default."""
    by_project = getattr(settings, "NOTIFICATIONS_PAYEE_BY_PROJECT", {})
    payee = by_project.get(contract.project.code) or getattr(settings, "NOTIFICATIONS_PAYEE", {})
    return {
        "account_name": str(payee.get("account_name", "")),
        "bank": str(payee.get("bank", "")),
        "account_no": str(payee.get("account_no", "")),
        "reference": contract.contract_no,
    }


def bill_for(contract: Contract, as_of: date, language: str,
             receivable: Receivable | None = None) -> dict[str, Any]:
    """Template context for `contract` as of `as_of`, words and numbers in `language`."""
    balance = balance_of(contract, as_of)
    horizon = as_of + timedelta(days=int(getattr(settings, "NOTIFICATIONS_BILL_HORIZON_DAYS", 30)))
    roll = business_calendar().roll_forward
    lines = (Receivable.objects.filter(contract=contract, due_date__lte=horizon).exclude(kind__in=NOT_BILLED)
             .with_outstanding().filter(outstanding__gt=ZERO).order_by("due_date", "pk"))
    items = []
    for line in lines:
        effective_due = roll(line.due_date)
        days_late = max(0, (as_of - effective_due).days)
        items.append({
            "name": item_name(line.kind, line.seq, line.name, language),
            "due_date": date_text(line.due_date, language),
            "amount": money_text(line.amount),
            "outstanding": money_text(line.outstanding),
            "is_overdue": days_late > 0,
            "days_overdue": days_late,
        })
    unit = contract.unit
    return {
        "contract_no": contract.contract_no,
        "project": contract.project.name,
        "unit": f"{unit.building.name}{unit.number}",
        "as_of": date_text(as_of, language),
        "items": items,
        "due": money_text(balance.due),
        "received": money_text(balance.received),
        "outstanding": money_text(balance.outstanding),
        "overdue": money_text(balance.overdue),
        "late_fee": money_text(balance.late_fee),
        "amount_to_pay": money_text(balance.overdue + balance.late_fee),
        "pay": payee_for(contract),
        "dispute_url": dispute_link(contract, receivable),
    }
