"""Banks: days to disbursement per partner bank, the loan pipeline, policy changes and rejections.

A bank's days to disbursement are the mortgage report's bank speed (`huikuan report mortgages`,
`avg/p90_days_application_to_disbursement`): one function,
`mortgages.reports.days_application_to_disbursement` — calendar days from the day the bank got the loan
application (`LoanApplication.opened_on`) to the money (`disbursed_on`), over the applications disbursed
in the period. (The report's `avg_days_to_disbursement` counts from the contract's sign date instead:
what the buyer waits.) A backup bank is timed from its own application, not from the refusal before it;
the provident-fund centre's approval, before the entrusted bank's application, is not the bank's time.
Loans recorded without a loan application (receipts only) are not timed: there is no day the bank got
them. Without any loan application in the scope the measures are not available.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from huikuan.core.money import ZERO, quantize

from ..periods import Period
from .base import DAYS_PLACES, EVERYTHING, NotAvailable, Scope, percentile
from .facts import Facts

OPEN_STAGES = ("documents", "submitted", "interview", "appraisal", "approval", "approved", "loan_contract")
NO_APPLICATIONS = "no loan applications recorded (days to disbursement are timed from the application)"


def _no_pipeline(facts: Facts) -> NotAvailable | None:
    return None if any(facts.values("applications")) else NotAvailable(NO_APPLICATIONS)


def _mean_per_bank(facts: Facts, family: str) -> dict[str, Decimal | None] | NotAvailable:
    missing = _no_pipeline(facts)
    if missing is not None:
        return missing
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for by_bank in facts.values(family):
        for bank, (days, loans) in by_bank.items():
            totals[bank][0] += days
            totals[bank][1] += loans
    return {bank: _mean(days, loans) for bank, (days, loans) in sorted(totals.items())}


def _mean(days: int, loans: int) -> Decimal | None:
    """The mean of `loans` values summing to `days`, as base.average rounds it."""
    return None if not loans else (Decimal(days) / loans).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)


def bank_disbursement_days_of(facts: Facts) -> dict[str, Decimal | None] | NotAvailable:
    return _mean_per_bank(facts, "bank_days")


def bank_disbursement_days(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None] | NotAvailable:
    """Per bank (code): mean days to disbursement over the loan applications disbursed in the period."""
    return bank_disbursement_days_of(Facts.live(period, scope))


def bank_disbursement_days_previous_of(facts: Facts) -> dict[str, Decimal | None] | NotAvailable:
    return _mean_per_bank(facts, "bank_days_previous")


def bank_disbursement_days_previous(period: Period,
                                    scope: Scope = EVERYTHING) -> dict[str, Decimal | None] | NotAvailable:
    """bank_disbursement_days of the previous quarter."""
    return bank_disbursement_days_previous_of(Facts.live(period, scope))


def _mean_all(facts: Facts, family: str) -> Decimal | None | NotAvailable:
    missing = _no_pipeline(facts)
    if missing is not None:
        return missing
    days = loans = 0
    for by_bank in facts.values(family):
        for bank_days, bank_loans in by_bank.values():
            days += bank_days
            loans += bank_loans
    return _mean(days, loans)


def disbursement_days_all_banks_of(facts: Facts) -> Decimal | None | NotAvailable:
    return _mean_all(facts, "bank_days")


def disbursement_days_all_banks(period: Period, scope: Scope = EVERYTHING) -> Decimal | None | NotAvailable:
    """Mean days to disbursement over every loan application disbursed in the period."""
    return disbursement_days_all_banks_of(Facts.live(period, scope))


def disbursement_days_all_banks_previous_of(facts: Facts) -> Decimal | None | NotAvailable:
    return _mean_all(facts, "bank_days_previous")


def disbursement_days_all_banks_previous(period: Period, scope: Scope = EVERYTHING) -> Decimal | None | NotAvailable:
    """disbursement_days_all_banks of the previous quarter."""
    return disbursement_days_all_banks_previous_of(Facts.live(period, scope))


def disbursements(period: Period, scope: Scope = EVERYTHING) -> list[tuple[str, int]]:
    """(bank code, days to disbursement) for every loan application disbursed in the period."""
    from huikuan.mortgages.models import LoanApplication
    from huikuan.mortgages.reports import days_application_to_disbursement

    apps = scope.apply(LoanApplication.objects.filter(disbursed_on__range=(period.start, period.end)))
    return [(bank, days_application_to_disbursement(opened, disbursed))
            for bank, opened, disbursed in apps.values_list("bank__code", "opened_on", "disbursed_on")]


def bank_disbursement_days_p90(period: Period, scope: Scope = EVERYTHING) -> dict[str, Decimal | None] | NotAvailable:
    """Per bank (code): 90th percentile of those days (linear interpolation)."""
    missing = _no_pipeline(Facts.live(period, scope))
    if missing is not None:
        return missing
    groups: dict[str, list[int]] = defaultdict(list)
    for bank, days in disbursements(period, scope):
        groups[bank].append(days)
    return {bank: percentile(days, 90) for bank, days in sorted(groups.items())}


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
