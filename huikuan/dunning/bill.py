"""What a reminder or letter says: the late lines, the late fee to date, how to pay, the dispute link.
Amounts are decimal strings (never floats), ready for any template or JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing

from huikuan.core.money import ZERO, money_str
from huikuan.receivables.models import Receivable
from huikuan.receivables.services import accrued_late_fee

from .models import CollectionCase
from .positions import position_of_contract

DISPUTE_SALT = "huikuan.dunning.dispute"


def dispute_token(receivable_id: int) -> str:
    return signing.dumps({"r": receivable_id}, salt=DISPUTE_SALT)


def receivable_from_token(token: str, max_age_days: int = 90) -> int:
    return int(signing.loads(token, salt=DISPUTE_SALT, max_age=max_age_days * 86400)["r"])


def payment_instructions(contract: Any) -> dict[str, str]:
    conf = getattr(settings, "HUIKUAN", {})
    return {
        "payee": conf.get("PAYEE_NAME", "") or contract.project.name,
        "bank": conf.get("PAYEE_BANK", ""),
        "account": conf.get("PAYEE_ACCOUNT", ""),
        "reference": contract.contract_no,
    }


def bill_context(case: CollectionCase, today: date, *, exclude_disputed: Decimal = ZERO) -> dict[str, Any]:
    contract = case.contract
    pos = position_of_contract(contract, today)
    names = dict(Receivable.objects.filter(pk__in=[x.receivable_id for x in pos.late_lines])
                 .values_list("pk", "name"))
    lines = [{"item": names.get(x.receivable_id, x.kind), "due_date": x.due_date.isoformat(), "days": x.days,
              "amount": money_str(x.overdue), "dispute_token": dispute_token(x.receivable_id)}
             for x in pos.late_lines if x.overdue > ZERO]
    late_fee = accrued_late_fee(contract, today)
    principal = pos.overdue - exclude_disputed
    customer = case.customer
    return {
        "customer_name": customer.name if customer else "",
        "contract_no": contract.contract_no,
        "project": contract.project.name,
        "unit": str(contract.unit),
        "as_of": today.isoformat(),
        "lines": lines,
        "overdue": money_str(principal),
        "late_fee": money_str(late_fee),
        "total": money_str(principal + late_fee),
        "pay": payment_instructions(contract),
        "dispute_token": lines[0]["dispute_token"] if lines else "",
        "level": case.level,
    }
