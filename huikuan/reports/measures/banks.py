"""Banks: days from signing to disbursement per partner bank, the loan pipeline, policy changes and
rejections.

A disbursement is either a `LoanApplication` with `disbursed_on` (the mortgage pipeline), or — for loans
recorded before the pipeline existed, or imported — a receipt with method loan_disbursement whose payer
is a `Bank` (by name or short name) and that no loan application is linked to. A period counts the
disbursements dated in it. Days are calendar days to the disbursement from the day the bank got the loan:
the application's `opened_on` (so a backup bank is timed from its own application, not from the refusal
before it); without an application, from the contract's sign date (then a loan that a backup bank made
after a refusal carries the refusal's delay too — the p90 shows such outliers).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from huikuan.core.money import ZERO, quantize
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import Receipt

from ..periods import Period
from .base import EVERYTHING, NotAvailable, Scope, average, percentile

OPEN_STAGES = ("documents", "submitted", "interview", "appraisal", "approval", "approved", "loan_contract")


def disbursements(period: Period, scope: Scope = EVERYTHING) -> list[tuple[str, int]]:
    """(bank code, days) for every disbursement dated in the period."""
    from huikuan.mortgages.models import Bank, LoanApplication

    out: list[tuple[str, int]] = []
    apps = scope.apply(LoanApplication.objects.filter(disbursed_on__range=(period.start, period.end)))
    linked: list[int] = []
    for code, disbursed, opened, receipt in apps.values_list("bank__code", "disbursed_on", "opened_on",
                                                             "disbursement_receipt_id"):
        out.append((code, max(0, (disbursed - opened).days)))
        if receipt:
            linked.append(receipt)
    names: dict[str, str] = {}
    for code, name, short in Bank.objects.values_list("code", "name", "short_name"):
        names[name] = code
        if short:
            names[short] = code
    linked_ids = set(LoanApplication.objects.exclude(disbursement_receipt=None)
                     .values_list("disbursement_receipt_id", flat=True))
    receipts = scope.apply(Receipt.objects.filter(method=ReceiptMethod.LOAN_DISBURSEMENT, payer_name__in=list(names),
                                                  received_on__range=(period.start, period.end),
                                                  contract__isnull=False), "contract__project")
    for pk, payer, day, signed in receipts.values_list("pk", "payer_name", "received_on", "contract__sign_date"):
        if pk not in linked_ids:
            out.append((names[payer], (day - signed).days))
    return out


def _by_bank(period: Period, scope: Scope) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for code, days in disbursements(period, scope):
        groups[code].append(days)
    return dict(sorted(groups.items()))


def bank_disbursement_days(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per bank (code): mean days to disbursement over the disbursements in the period."""
    return {code: average(days) for code, days in _by_bank(period, scope).items()}


def bank_disbursement_days_p90(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """Per bank (code): 90th percentile of those days (linear interpolation)."""
    return {code: percentile(days, 90) for code, days in _by_bank(period, scope).items()}


def bank_disbursement_days_previous(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None]:
    """bank_disbursement_days of the previous quarter."""
    return bank_disbursement_days(period.previous(), scope)


def disbursement_days_all_banks(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """Mean days to disbursement over every partner-bank disbursement in the period."""
    return average([days for _, days in disbursements(period, scope)])


def disbursement_days_all_banks_previous(period: Period, scope: Scope = EVERYTHING) -> Decimal | None:
    """disbursement_days_all_banks of the previous quarter."""
    return disbursement_days_all_banks(period.previous(), scope)


def banks_directory() -> dict[str, str]:
    """Bank code → display name (short name where there is one)."""
    from huikuan.mortgages.models import Bank

    return {code: short or name for code, name, short in Bank.objects.values_list("code", "name", "short_name")}


def _applications(scope: Scope):  # type: ignore[no-untyped-def]
    from huikuan.mortgages.models import LoanApplication

    return scope.apply(LoanApplication.objects.all())


def mortgage_pipeline(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal] | NotAvailable:
    """Σ loan amount of the applications opened by the period's end and, at its end, neither disbursed,
    rejected nor withdrawn — per stage (the stage they are in now, for those still open; "approved and
    waiting" counts as approved)."""
    apps = _applications(scope)
    if not apps.exists():
        return NotAvailable("no loan applications recorded")
    end = period.end
    open_at_end = apps.filter(opened_on__lte=end).filter(
        Q(disbursed_on__isnull=True) | Q(disbursed_on__gt=end)).filter(
        Q(rejected_on__isnull=True) | Q(rejected_on__gt=end)).exclude(stage="withdrawn")
    stages = dict.fromkeys(OPEN_STAGES, ZERO)
    for row in open_at_end.values("stage").annotate(s=Sum("amount")).order_by():
        stage = row["stage"] if row["stage"] in stages else "approved"
        stages[stage] = quantize(stages[stage] + row["s"])
    return stages


def mortgage_rejections(period: Period, scope: Scope = EVERYTHING) -> dict[str, int | Decimal] | NotAvailable:
    """Applications rejected in the period: count, amount, and how many were followed by another
    application (a backup bank, or provident fund) — `replaced_by`."""
    apps = _applications(scope)
    if not apps.exists():
        return NotAvailable("no loan applications recorded")
    rejected = apps.filter(rejected_on__range=(period.start, period.end))
    return {"count": rejected.count(),
            "amount": quantize(rejected.aggregate(s=Sum("amount"))["s"] or ZERO),
            "followed_by_another_application": rejected.filter(replaced_by__isnull=False).count()}


def bank_policy_changes(period: Period) -> list[dict[str, str]] | NotAvailable:
    """The bank policies that took effect in the period, with what changed (BankPolicy.diff); not available
    when no bank policy was ever recorded."""
    from huikuan.mortgages.models import BankPolicy

    if not BankPolicy.objects.exists():
        return NotAvailable("no bank policies recorded")
    rows = BankPolicy.objects.filter(effective_from__range=(period.start, period.end)).select_related("bank")
    return [{"bank": p.bank.code, "bank_name": str(p.bank), "effective_from": p.effective_from.isoformat(),
             "note": p.note, "changes": "; ".join(_change(k, v) for k, v in sorted((p.diff or {}).items()))}
            for p in rows.order_by("effective_from", "bank__code")]




def _change(field: str, value: object) -> str:
    """One entry of BankPolicy.diff: {"old": …, "new": …} → "field old→new"."""
    if isinstance(value, dict) and "old" in value and "new" in value:
        return f"{field} {value['old']}→{value['new']}"
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{field} {value[0]}→{value[1]}"
    return f"{field} {value}"
