"""Reads the configured rules: each bank's stage SLAs, the policy in force, a project's
disbursement days, and the per-application timers built from them (for worklists and the daily scan)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from huikuan.core.calendar import BusinessCalendar
from huikuan.sales.models import Contract

from . import deadlines
from .choices import Stage
from .models import Bank, BankAgreement, BankPolicy, LoanApplication, ProjectLoanTerms, StageSLA


def stage_slas(bank: Bank | None, on: date | None = None) -> dict[str, int]:
    """Business days per stage for `bank`: defaults, then SLAs set for every bank, then the approval
    days of the bank's policy in force, then the bank's own SLAs (the most specific wins)."""
    slas = dict(deadlines.DEFAULT_STAGE_SLA)
    rows = StageSLA.objects.filter(Q(bank__isnull=True) | Q(bank=bank)).order_by("bank_id")
    generic = {r.stage: r.business_days for r in rows if r.bank_id is None}
    own = {r.stage: r.business_days for r in rows if r.bank_id is not None}
    slas.update(generic)
    if bank is not None:
        policy = policy_in_force(bank, on)
        if policy is not None:
            slas[Stage.APPROVAL] = policy.approval_days
    slas.update(own)
    return slas


def policy_in_force(bank: Bank, on: date | None = None) -> BankPolicy | None:
    policies = BankPolicy.objects.filter(bank=bank)
    if on is not None:
        policies = policies.filter(effective_from__lte=on)
    return policies.order_by("-effective_from", "-id").first()


def agreement_in_force(bank: Bank, project_id: int | None, on: date) -> BankAgreement | None:
    """The project's own agreement with the bank if there is one, else the bank-wide one."""
    return pick_agreement(BankAgreement.objects.filter(bank=bank), project_id, on)


def pick_agreement(agreements: Iterable[BankAgreement], project_id: int | None, on: date) -> BankAgreement | None:
    """Among one bank's agreements, the one in force on `on` for the project: its own (the latest signed)
    if there is one, else the latest bank-wide one."""
    live = sorted((a for a in agreements if a.signed_on <= on and (a.valid_until is None or a.valid_until >= on)),
                  key=lambda a: (a.signed_on, a.pk), reverse=True)
    own = next((a for a in live if project_id is not None and a.project_id == project_id), None)
    return own or next((a for a in live if a.project_id is None), None)


def expected_disbursement(contract: Contract, loan_kind: str, calendar: BusinessCalendar) -> date:
    terms = ProjectLoanTerms.objects.filter(project_id=contract.project_id).first()
    return deadlines.disbursement_deadline(contract.sign_date, loan_kind, calendar,
                                           terms.days() if terms else None)


@dataclass(frozen=True)
class StageTimer:
    sla_days: int | None
    days_in_stage: int
    due_on: date | None
    breached: bool


def stage_timer(application: LoanApplication, as_of: date, calendar: BusinessCalendar,
                slas: dict[str, int]) -> StageTimer:
    sla = deadlines.stage_sla_days(application.stage, slas) if application.stage in slas else None
    entered = application.stage_entered_on
    return StageTimer(
        sla_days=sla,
        days_in_stage=deadlines.business_days_in_stage(entered, as_of, calendar),
        due_on=None if sla is None else deadlines.stage_due(entered, sla, calendar),
        breached=deadlines.is_breached(entered, sla, as_of, calendar),
    )
