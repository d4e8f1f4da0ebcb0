"""How late the bank is on a loan receivable: what the overdue scan needs to warn about bank loans.

A loan line (commercial mortgage, provident-fund loan) is not the buyer's debt to chase while its
application is with the bank: it is late when the bank is late. The bank is late when the
application's expected disbursement (counted from the contract date, per project, see `deadlines`)
has passed without the money, or when the application has sat in its current stage longer than the
bank's SLA for that stage (business days). Both facts come from here; the warning rules that turn
them into blue / yellow / red live in `dunning.levels`.

Only applications still waiting for the bank's money count (collecting documents up to the loan
contract). A rejected application without a successor is not the bank's delay: the buyer must take a
way out, and the line is late from its plan date like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from huikuan.core.calendar import BusinessCalendar

from . import deadlines
from .models import Bank, LoanApplication
from .pipeline import BEFORE_DISBURSEMENT
from .rules import stage_slas


@dataclass(frozen=True)
class BankLateness:
    application_id: int
    bank: str                 # the bank's code
    stage: str
    deadline: date            # the expected disbursement
    days_past_deadline: int   # calendar days after the deadline (0: not passed)
    sla_over: int             # business days the current stage has run past its SLA (0: within it)
    specialist_id: int | None

    @property
    def is_late(self) -> bool:
        return self.days_past_deadline > 0 or self.sla_over > 0


def sla_over(entered_on: date, sla_days: int | None, as_of: date, calendar: BusinessCalendar) -> int:
    """Business days beyond the stage's SLA on `as_of` (0 when within it or the stage is untimed)."""
    if sla_days is None:
        return 0
    return max(0, deadlines.business_days_in_stage(entered_on, as_of, calendar) - sla_days)


def bank_lateness(contract_ids: Iterable[int], as_of: date, calendar: BusinessCalendar,
                  ) -> dict[int, BankLateness]:
    """{loan receivable id: BankLateness} for the contracts' applications waiting for the bank's money.
    Where a receivable has more than one such application (should not happen: a switch rejects the old
    one first), the latest opened counts. One query for the applications, one per bank for its SLAs."""
    ids = list(contract_ids)
    if not ids:
        return {}
    rows = (LoanApplication.objects.filter(contract_id__in=ids, receivable__isnull=False,
                                           stage__in=BEFORE_DISBURSEMENT, opened_on__lte=as_of)
            .order_by("opened_on", "pk")
            .values_list("pk", "receivable_id", "bank_id", "bank__code", "stage", "stage_entered_on",
                         "expected_disbursement_on", "specialist_id"))
    slas_of: dict[int, dict[str, int]] = {}
    result: dict[int, BankLateness] = {}
    for pk, receivable_id, bank_id, bank_code, stage, entered, deadline, specialist_id in rows:
        if bank_id not in slas_of:
            slas_of[bank_id] = stage_slas(Bank(pk=bank_id), as_of)
        slas = slas_of[bank_id]
        result[receivable_id] = BankLateness(
            application_id=pk, bank=bank_code, stage=stage, deadline=deadline,
            days_past_deadline=max(0, (as_of - deadline).days),
            sla_over=sla_over(entered, slas.get(stage), as_of, calendar),
            specialist_id=specialist_id)
    return result
