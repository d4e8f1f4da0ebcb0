"""Every write to the mortgage pipeline. One call, one transaction, with actor and audit trail.

Reading what the rules say (SLAs, policies, deadlines) is in `rules`; the status map is in
`pipeline`; the money goes through `receivables.services` and nowhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huikuan.core.bulk import LOOKUP_CHUNK, insert_rows, rows_in, update_values
from huikuan.core.money import ZERO, to_money
from huikuan.core.services import business_calendar, next_number, record, record_many
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import ReceiptMethod, ReceiptSource, ReceivableKind
from huikuan.receivables.models import Receipt, Receivable
from huikuan.sales.models import Contract

from . import rules
from .choices import (
    DocumentKind,
    DocumentStatus,
    GuaranteeStatus,
    LoanKind,
    NoticeKind,
    PreCheckRemedy,
    PreCheckResult,
    Stage,
    WayOut,
)
from .models import (
    Bank,
    BankAgreement,
    BankPolicy,
    ChecklistItem,
    CreditPreCheck,
    DocumentTemplate,
    Guarantee,
    LoanApplication,
    Notice,
    StageChange,
)
from .pipeline import BEFORE_DISBURSEMENT, TERMINAL, MortgageError, check_move, label
from .policy import is_tightening, policy_diff, policy_values
from .quota import banks_with_room, quota_use

LOAN_KIND_OF_RECEIVABLE = {ReceivableKind.MORTGAGE_LOAN: LoanKind.COMMERCIAL,
                           ReceivableKind.PROVIDENT_LOAN: LoanKind.PROVIDENT}
DOCUMENT_REMINDER_BUSINESS_DAYS = 2


# --- opening applications -------------------------------------------------------------------


@transaction.atomic
def open_applications(*, actor: Any, contract: Contract, bank: Bank, specialist: Any = None,
                      provident_bank: Bank | None = None, term_months: int = 360, rate: Decimal | None = None,
                      on: date | None = None) -> list[LoanApplication]:
    """One application per loan line of the contract's plan: a combination loan gets two
    (commercial at `bank`, provident fund at `provident_bank` — the fund's entrusted bank — or `bank`)."""
    day = on or timezone.localdate()
    loans = list(Receivable.objects.filter(contract=contract, kind__in=list(LOAN_KIND_OF_RECEIVABLE))
                 .order_by("kind", "pk"))
    if not loans:
        raise MortgageError(f"contract {contract.contract_no} has no mortgage or provident-fund loan in its plan")
    opened = []
    for receivable in loans:
        if LoanApplication.objects.open().filter(receivable=receivable).exists():
            raise MortgageError(f"contract {contract.contract_no}: “{receivable.name}” already has an open "
                                "loan application")
        kind = LOAN_KIND_OF_RECEIVABLE[receivable.kind]  # type: ignore[index]
        lender = (provident_bank or bank) if kind == LoanKind.PROVIDENT else bank
        opened.append(_create_application(
            actor=actor, contract=contract, receivable=receivable, loan_kind=kind, bank=lender,
            amount=receivable.amount, specialist=specialist, term_months=term_months, rate=rate, on=day,
            note="opened"))
    return opened


def _create_application(*, actor: Any, contract: Contract, receivable: Receivable | None, loan_kind: str,
                        bank: Bank, amount: Decimal, specialist: Any, term_months: int, rate: Decimal | None,
                        on: date, note: str, replaces: LoanApplication | None = None) -> LoanApplication:
    application = LoanApplication.objects.create(
        number=next_number("AJ", on.year), contract=contract, project_id=contract.project_id,
        receivable=receivable, loan_kind=loan_kind, bank=bank, amount=to_money(amount), term_months=term_months,
        rate=rate, specialist=specialist, stage=Stage.DOCUMENTS, stage_entered_on=on, opened_on=on,
        expected_disbursement_on=rules.expected_disbursement(contract, loan_kind, business_calendar()),
        replaces=replaces)
    StageChange.objects.create(application=application, from_stage="", to_stage=Stage.DOCUMENTS, on=on,
                               actor=_user(actor), note=note)
    build_checklist(application)
    record(actor, "loan.opened", application, contract=contract.contract_no, bank=bank.code, kind=loan_kind,
           amount=application.amount, replaces=replaces and replaces.number)
    return application


def build_checklist(application: LoanApplication) -> list[ChecklistItem]:
    """The application's documents from the templates: a bank's own template beats the generic one
    for the same document, a loan-kind template beats one for every kind."""
    templates = DocumentTemplate.objects.filter(Q(bank=application.bank) | Q(bank__isnull=True),
                                                Q(loan_kind=application.loan_kind) | Q(loan_kind=""))
    chosen: dict[tuple[str, str], DocumentTemplate] = {}
    rank: dict[tuple[str, str], tuple[bool, bool]] = {}
    for template in templates.order_by("position", "id"):
        key = (template.kind, template.name if template.kind == DocumentKind.OTHER else "")
        specificity = (template.bank_id is not None, template.loan_kind != "")
        if key not in chosen or specificity > rank[key]:
            chosen[key], rank[key] = template, specificity
    ordered = sorted(chosen.values(), key=lambda t: (t.position, t.pk))
    return ChecklistItem.objects.bulk_create([
        ChecklistItem(application=application, kind=t.kind, name=t.name, required=t.required) for t in ordered])


# --- moving through the stages --------------------------------------------------------------


@transaction.atomic
def move_stage(*, actor: Any, application: LoanApplication, to: str, note: str = "",
               on: date | None = None, over_quota_reason: str = "") -> StageChange:
    """Move the application to stage `to`; an illegal move raises `IllegalMove` with the reason.
    Submitting a loan the bank's monthly quota cannot take is refused (with the banks that have room)
    unless `over_quota_reason` says why it goes to this bank anyway."""
    app = _lock(application)
    check_move(app.stage, to)
    if to == Stage.DISBURSED:
        raise MortgageError("a disbursement is recorded with the bank's money (record_disbursement), "
                            "so that the loan receivable is paid at the same time")
    day = on or timezone.localdate()
    if to == Stage.SUBMITTED:
        _check_ready_to_submit(app)
        _check_quota(app, day, over_quota_reason.strip(), actor)
    if to == Stage.REJECTED and not note.strip():
        raise MortgageError("say why the bank rejected the application")
    if day < app.stage_entered_on:
        raise MortgageError(f"a stage cannot end before it began (entered on {app.stage_entered_on})")
    change = _apply_move(app, to, actor=actor, note=note, on=day)
    if to == Stage.REGISTERED:
        _release_guarantee(app, actor=actor, on=day)
    application.refresh_from_db()
    return change


def _apply_move(app: LoanApplication, to: str, *, actor: Any, note: str, on: date) -> StageChange:
    change = StageChange.objects.create(application=app, from_stage=app.stage, to_stage=to, on=on,
                                        actor=_user(actor), note=note)
    previous = app.stage
    app.stage, app.stage_entered_on = to, on
    if to == Stage.APPROVED:
        app.approved_on = on
    elif to == Stage.REJECTED:
        app.rejected_on, app.rejection_reason = on, note[:255]
    elif to == Stage.REGISTERED:
        app.registered_on = on
    app.save()
    record(actor, "loan.stage", app, from_stage=previous, to_stage=to, on=on, note=note)
    return change


def _check_quota(app: LoanApplication, on: date, over_quota_reason: str, actor: Any) -> None:
    use = quota_use(app.bank, on)
    if use.fits(app.amount):
        return
    if over_quota_reason:
        record(actor, "loan.over_quota", app, bank=app.bank.code, amount=app.amount, quota=use.quota, used=use.used,
               month=use.month, reason=over_quota_reason)
        return
    room = banks_with_room(app.amount, on, exclude=app.bank)
    others = "、".join(f"{bank.name} ({'no quota' if use_.left is None else f'{use_.left:,.2f} left'})"
                      for bank, use_ in room[:3]) or "none this month"
    raise MortgageError(
        f"{app.bank.name} has {use.left:,.2f} of its {use.month} quota of {use.quota:,.2f} left and this loan is "
        f"{app.amount:,.2f}: switch to a bank with room ({others}), or give a reason to submit over quota")


def _check_ready_to_submit(app: LoanApplication) -> None:
    check = app.pre_checks.order_by("-checked_on", "-id").first()
    if check is None:
        raise MortgageError("record the credit pre-check (征信预审) before submitting to the bank")
    if check.result == PreCheckResult.FLAGGED and not check.remedy:
        raise MortgageError(f"the credit pre-check flagged the buyer ({check.findings or 'no details'}); choose a "
                            "remedy — higher down payment, a guarantor or another bank — before submitting")
    if check.remedy == PreCheckRemedy.OTHER_BANK:
        raise MortgageError("the pre-check remedy is another bank; switch the application to it")
    missing = list(app.documents.filter(required=True, status=DocumentStatus.MISSING).values_list("name", flat=True))
    if missing:
        raise MortgageError("documents missing: " + "、".join(missing) +
                            "; receive them, or have the bank accept conditionally (容缺受理) with a deadline for each")


# --- rejection and its ways out ---------------------------------------------------------------


@transaction.atomic
def choose_way_out(*, actor: Any, application: LoanApplication, way_out: str, bank: Bank | None = None,
                   amount: Decimal | str | None = None, note: str = "", on: date | None = None,
                   specialist: Any = None) -> LoanApplication | None:
    """After a rejection: a backup bank or a provident-fund loan (a new application linked to the old),
    a higher down payment (a new, smaller loan), or cash (no loan). The rejected application is closed
    with the choice; its history stays. Returns the new application, if there is one."""
    app = _lock(application)
    if app.stage != Stage.REJECTED:
        raise MortgageError(f"ways out are for rejected applications; {app.number} is “{label(app.stage)}”")
    day = on or timezone.localdate()
    _known(way_out, WayOut, "way out")
    if day < app.stage_entered_on:
        raise MortgageError(f"the way out cannot come before the rejection ({app.stage_entered_on})")
    new_amount = app.amount if amount is None else to_money(amount)
    if new_amount <= ZERO:
        raise MortgageError("a loan amount must be positive")
    kind, lender = app.loan_kind, bank or app.bank
    if way_out == WayOut.BACKUP_BANK:
        if bank is None or bank.pk == app.bank_id:
            raise MortgageError("name the backup bank (another bank than the one that rejected)")
    elif way_out == WayOut.PROVIDENT_FUND:
        if app.loan_kind == LoanKind.PROVIDENT:
            raise MortgageError("the rejected loan already is a provident-fund loan")
        kind = LoanKind.PROVIDENT
    elif way_out == WayOut.HIGHER_DOWN_PAYMENT and (amount is None or new_amount >= app.amount):
        raise MortgageError(f"a higher down payment means a smaller loan: give an amount below {app.amount}")
    app.way_out = way_out
    app.save(update_fields=["way_out"])
    _apply_move(app, Stage.CLOSED, actor=actor, note=f"way out: {WayOut(way_out).label}. {note}".strip(), on=day)
    application.refresh_from_db()
    if way_out == WayOut.CASH:
        return None
    return _create_application(
        actor=actor, contract=app.contract, receivable=app.receivable, loan_kind=kind, bank=lender,
        amount=new_amount, specialist=specialist or app.specialist, term_months=app.term_months, rate=None, on=day,
        note=f"follows {app.number} ({WayOut(way_out).label})", replaces=app)


# --- credit pre-check -----------------------------------------------------------------------


@transaction.atomic
def record_pre_check(*, actor: Any, application: LoanApplication, result: str, findings: str = "",
                     on: date | None = None) -> CreditPreCheck:
    """征信预审 before submission. A flagged buyer then needs `choose_pre_check_remedy`."""
    app = _lock(application)
    if app.stage != Stage.DOCUMENTS:
        raise MortgageError("the credit pre-check is recorded before the application is submitted")
    _known(result, PreCheckResult, "pre-check result")
    if result == PreCheckResult.FLAGGED and not findings.strip():
        raise MortgageError("say what the pre-check found")
    check = CreditPreCheck.objects.create(application=app, checked_on=on or timezone.localdate(), result=result,
                                          findings=findings, recorded_by=_user(actor))
    record(actor, "loan.pre_check", app, result=result, findings=findings)
    return check


@transaction.atomic
def choose_pre_check_remedy(*, actor: Any, pre_check: CreditPreCheck, remedy: str, note: str = "",
                            bank: Bank | None = None, amount: Decimal | str | None = None,
                            on: date | None = None) -> LoanApplication:
    """Route a flagged buyer: a higher down payment (a smaller loan `amount`), a guarantor, or another
    bank (the application is withdrawn and a new one opened there). Returns the application to submit."""
    app = _lock(pre_check.application)
    if pre_check.result != PreCheckResult.FLAGGED:
        raise MortgageError("only a flagged pre-check needs a remedy")
    if app.stage != Stage.DOCUMENTS:
        raise MortgageError("the remedy is chosen before the application is submitted")
    _known(remedy, PreCheckRemedy, "remedy")
    day = on or timezone.localdate()
    if remedy == PreCheckRemedy.HIGHER_DOWN_PAYMENT:
        if amount is None or to_money(amount) >= app.amount:
            raise MortgageError(f"a higher down payment means a smaller loan: give an amount below {app.amount}")
        app.amount = to_money(amount)
        app.save(update_fields=["amount"])
    if remedy == PreCheckRemedy.OTHER_BANK and (bank is None or bank.pk == app.bank_id):
        raise MortgageError("name the other bank")
    pre_check.remedy, pre_check.remedy_note = remedy, note
    pre_check.save(update_fields=["remedy", "remedy_note"])
    record(actor, "loan.pre_check_remedy", app, remedy=remedy, note=note, amount=app.amount)
    if remedy != PreCheckRemedy.OTHER_BANK:
        return app
    assert bank is not None
    _apply_move(app, Stage.WITHDRAWN, actor=actor, note=f"pre-check flagged; moved to {bank}", on=day)
    # the other bank runs its own pre-check on the new application
    return _create_application(
        actor=actor, contract=app.contract, receivable=app.receivable, loan_kind=app.loan_kind, bank=bank,
        amount=app.amount, specialist=app.specialist, term_months=app.term_months, rate=None, on=day,
        note=f"follows {app.number} (pre-check flagged)", replaces=app)


# --- documents and conditional acceptance ---------------------------------------------------


@transaction.atomic
def receive_document(*, actor: Any, item: ChecklistItem, on: date | None = None, note: str = "") -> ChecklistItem:
    if item.status == DocumentStatus.RECEIVED:
        raise MortgageError(f"“{item.name}” was already received on {item.received_on}")
    item.status, item.received_on = DocumentStatus.RECEIVED, on or timezone.localdate()
    item.note = note or item.note
    item.save(update_fields=["status", "received_on", "note"])
    record(actor, "loan.document_received", item.application, document=item.name, on=item.received_on)
    return item


@transaction.atomic
def accept_conditionally(*, actor: Any, application: LoanApplication, deadlines_by_item: Mapping[int, date],
                         on: date | None = None, note: str = "") -> list[ChecklistItem]:
    """容缺受理: the bank takes the file with these documents missing; each gets its deadline."""
    app = _lock(application)
    if app.stage not in (Stage.DOCUMENTS, Stage.SUBMITTED):
        raise MortgageError("conditional acceptance happens when the file is handed to the bank")
    if not deadlines_by_item:
        raise MortgageError("name the missing documents the bank accepts later, each with a deadline")
    day = on or timezone.localdate()
    items = {i.pk: i for i in app.documents.filter(pk__in=list(deadlines_by_item))}
    for pk, due in deadlines_by_item.items():
        item = items.get(pk)
        if item is None:
            raise MortgageError(f"document {pk} is not on {app.number}'s checklist")
        if item.status != DocumentStatus.MISSING:
            raise MortgageError(f"“{item.name}” is not missing ({item.get_status_display()})")
        if due < day:
            raise MortgageError(f"the deadline for “{item.name}” ({due}) is already past")
        item.status, item.due_on = DocumentStatus.DEFERRED, due
    ChecklistItem.objects.bulk_update(list(items.values()), ["status", "due_on"])
    app.conditionally_accepted = True
    app.save(update_fields=["conditionally_accepted"])
    record(actor, "loan.conditional_acceptance", app, note=note,
           deadlines={items[pk].name: due for pk, due in deadlines_by_item.items()})
    return list(items.values())


# --- disbursement, guarantee, registration --------------------------------------------------


@transaction.atomic
def record_disbursement(application: LoanApplication, amount: Decimal | str, on: date, reference: str,
                        actor: Any = None) -> Receipt:
    """放款: the bank's money arrived. Posts it as a receipt (method loan_disbursement) allocated to the
    application's loan receivable, moves the application to disbursed and starts the developer's interim
    guarantee when the bank's agreement asks for one. Calling it again with the same reference returns
    the same receipt. Reconciliation posts many at once (`disbursable` + `mark_disbursed`)."""
    app = _lock(application)
    ref = reference.strip()
    if not ref:
        raise MortgageError("a disbursement needs the bank's reference")
    receipt_ref = disbursement_reference(ref, app)
    if app.disbursement_receipt_id is not None:
        existing = app.disbursement_receipt
        if existing is not None and existing.reference == receipt_ref:
            return existing
        raise MortgageError(f"{app.number} was already disbursed on {app.disbursed_on}")
    check_move(app.stage, Stage.DISBURSED)
    if app.receivable_id is None:
        raise MortgageError(f"{app.number} has no loan receivable to pay")
    value = to_money(amount)
    if value <= ZERO:
        raise MortgageError("a disbursement is a positive amount")
    receipt = ledger.post_receipt(actor=actor, amount=value, received_on=on, contract=app.contract,
                                  method=ReceiptMethod.LOAN_DISBURSEMENT, source=ReceiptSource.BANK,
                                  reference=receipt_ref, payer_name=str(app.bank.name),
                                  note=disbursement_note(app), allocate=False)
    owed = ledger.outstanding_of([app.receivable_id])[app.receivable_id]  # type: ignore[index]
    if owed > ZERO:
        ledger.allocate_receipt(actor=actor, receipt=receipt,
                                targets=[ledger.Target(app.receivable_id, min(owed, value))])  # type: ignore[arg-type]
    mark_disbursed([Disbursed(app, receipt.pk, value, on, ref)], actor=actor)
    application.refresh_from_db()
    return receipt


def disbursement_reference(bank_reference: str, app: LoanApplication) -> str:
    """The reference of the receipt a disbursement is posted as (one per application of a batch transfer)."""
    return f"{bank_reference.strip()}/{app.number}"


def disbursement_note(app: LoanApplication) -> str:
    return f"{app.number} {app.get_loan_kind_display()}"


def disbursable(receivable_ids: Sequence[int]) -> dict[int, LoanApplication]:
    """Per loan receivable, its one open application that waits for the bank's money and may be disbursed now,
    locked (with its bank). Receivables with none, or with more than one, are left out."""
    found: dict[int, list[LoanApplication]] = defaultdict(list)
    # the receivables' applications first, by the receivable index alone (few: most loan lines have one), then
    # those locked; the rest is checked here
    app_ids = sorted(pk for pk, in rows_in(LoanApplication, ["pk"], "receivable", receivable_ids))
    for start in range(0, len(app_ids), LOOKUP_CHUNK):
        for app in (LoanApplication.objects.select_for_update(of=("self",)).select_related("bank")
                    .filter(pk__in=app_ids[start:start + LOOKUP_CHUNK]).order_by("pk")):
            if app.stage not in TERMINAL and app.disbursement_receipt_id is None:
                found[app.receivable_id].append(app)  # type: ignore[index]
    out = {}
    for receivable_id, apps in found.items():
        if len(apps) == 1:
            try:
                check_move(apps[0].stage, Stage.DISBURSED)
            except MortgageError:
                continue
            out[receivable_id] = apps[0]
    return out


@dataclass(frozen=True)
class Disbursed:
    application: LoanApplication  # locked, with its bank
    receipt_id: int  # the receipt the money was posted as (already allocated to the loan line)
    amount: Decimal
    on: date
    reference: str  # the bank's reference


def mark_disbursed(items: Sequence[Disbursed], *, actor: Any = None) -> None:
    """The pipeline's side of disbursements whose receipts are posted: each application moves to disbursed
    (with its stage change and audit event), and the developer's interim guarantee starts where the bank's
    agreement in force asks for one. Many at once: a few many-row statements."""
    if not items:
        return
    user = getattr(_user(actor), "pk", None)
    update_values(LoanApplication, ["disbursed_on", "disbursed_amount", "disbursement_receipt", "stage",
                                    "stage_entered_on"],
                  ([d.on, d.amount, d.receipt_id, Stage.DISBURSED, d.on, d.application.pk] for d in items))
    insert_rows(StageChange, ["application", "from_stage", "to_stage", "on", "note"],
                ((d.application.pk, d.application.stage, Stage.DISBURSED, d.on, f"bank reference {d.reference}"[:255])
                 for d in items), same={"actor": user}, fill_defaults=True)
    agreements: dict[int, list[BankAgreement]] = defaultdict(list)
    for row in BankAgreement.objects.filter(bank_id__in={d.application.bank_id for d in items}):
        agreements[row.bank_id].append(row)
    guaranteed = []
    for d in items:
        in_force = rules.pick_agreement(agreements[d.application.bank_id], d.application.project_id, d.on)
        if in_force is None or in_force.interim_guarantee:
            guaranteed.append(d)
    insert_rows(Guarantee, ["application", "bank", "project", "amount", "started_on"],
                ((d.application.pk, d.application.bank_id, d.application.project_id, d.amount, d.on)
                 for d in guaranteed),
                fill_defaults=True)
    object_type = LoanApplication._meta.label_lower
    record_many(actor, (("loan.stage", object_type, d.application.pk,
                         {"from_stage": d.application.stage, "to_stage": Stage.DISBURSED, "on": d.on,
                          "note": f"bank reference {d.reference}"}) for d in items))
    for d in items:
        app = d.application
        app.disbursed_on, app.disbursed_amount, app.disbursement_receipt_id = d.on, d.amount, d.receipt_id
        app.stage, app.stage_entered_on = Stage.DISBURSED, d.on


def _release_guarantee(app: LoanApplication, *, actor: Any, on: date) -> Guarantee | None:
    guarantee = Guarantee.objects.select_for_update().filter(application=app, status=GuaranteeStatus.ACTIVE).first()
    if guarantee is None:
        return None
    guarantee.status, guarantee.released_on = GuaranteeStatus.RELEASED, on
    guarantee.save(update_fields=["status", "released_on"])
    record(actor, "loan.guarantee_released", app, amount=guarantee.amount, on=on)
    return guarantee


@transaction.atomic
def release_guarantee(*, actor: Any, application: LoanApplication, on: date | None = None) -> Guarantee:
    """Release the interim guarantee (normally done by registering the mortgage)."""
    released = _release_guarantee(_lock(application), actor=actor, on=on or timezone.localdate())
    if released is None:
        raise MortgageError(f"{application.number} has no active interim guarantee")
    return released


# --- bank policies and notices ---------------------------------------------------------------


@transaction.atomic
def record_bank_policy(*, actor: Any, bank: Bank, effective_from: date, lpr_spread_bp: int,
                       first_home_min_down: Decimal | str, second_home_min_down: Decimal | str, approval_days: int,
                       monthly_quota: Decimal | str | None = None, note: str = "") -> BankPolicy:
    """A new dated policy; compared with the one before it, and when something changed the specialists
    of the bank's applications not yet disbursed get a notice with the changes."""
    if BankPolicy.objects.filter(bank=bank, effective_from=effective_from).exists():
        raise MortgageError(f"{bank} already has a policy from {effective_from}; policies are dated records")
    previous = rules.policy_in_force(bank, effective_from - timedelta(days=1))
    policy = BankPolicy(bank=bank, effective_from=effective_from, lpr_spread_bp=lpr_spread_bp,
                        first_home_min_down=Decimal(str(first_home_min_down)),
                        second_home_min_down=Decimal(str(second_home_min_down)), approval_days=approval_days,
                        monthly_quota=None if monthly_quota in (None, "") else to_money(monthly_quota),
                        note=note, recorded_by=_user(actor))
    policy.diff = policy_diff(None if previous is None else policy_values(previous), policy_values(policy))
    policy.save()
    record(actor, "bank.policy", policy, bank=bank.code, effective_from=effective_from, diff=policy.diff)
    if previous is not None and policy.diff:
        _notify_policy_change(policy)
    return policy


def _notify_policy_change(policy: BankPolicy) -> int:
    by_specialist: dict[Any, list[str]] = defaultdict(list)
    for app in (LoanApplication.objects.awaiting_money().filter(bank=policy.bank, specialist__isnull=False)
                .select_related("specialist").order_by("number")):
        by_specialist[app.specialist].append(app.number)
    tighter = is_tightening(policy.diff)
    fields = ", ".join(f"{name} {c['old']}→{c['new']}" for name, c in policy.diff.items())
    for specialist, numbers in by_specialist.items():
        notify(specialist, NoticeKind.POLICY_CHANGE, key=f"policy:{policy.pk}", bank=policy.bank,
               message=(f"{policy.bank} {'tightened' if tighter else 'changed'} its policy from "
                        f"{policy.effective_from}: {fields}; your applications: {', '.join(numbers)}"),
               data={"diff": policy.diff, "applications": numbers, "tighter": tighter})
    return len(by_specialist)


def notify(recipient: Any, kind: str, *, key: str, message: str, application: LoanApplication | None = None,
           bank: Bank | None = None, data: dict[str, Any] | None = None) -> tuple[Notice, bool]:
    """A notice for `recipient`, once per `key` (running the same check twice tells them once)."""
    return Notice.objects.get_or_create(recipient=recipient, key=key, defaults={
        "kind": kind, "message": message[:500], "application": application, "bank": bank, "data": data or {}})


def mark_notices_read(*, reader: Any, ids: Sequence[int] | None = None) -> int:
    """Mark `reader`'s own unread notices read (those of `ids`, or all); the number marked. Another
    person's notice is never touched: a notice is read by the one it was for."""
    unread = Notice.objects.filter(recipient=reader, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())

# --- the daily scan --------------------------------------------------------------------------


def scan_deadlines(as_of: date) -> dict[str, int]:
    """SLA breaches, passed disbursement deadlines, deferred documents due soon or overdue → notices
    to the specialist. Idempotent: each notice has a key, so a second run on the same day adds nothing."""
    calendar = business_calendar()
    created: dict[str, int] = defaultdict(int)
    slas_by_bank: dict[int, dict[str, int]] = {}
    open_apps = LoanApplication.objects.open().filter(specialist__isnull=False).select_related("bank", "specialist")
    for app in open_apps:
        slas = slas_by_bank.setdefault(app.bank_id, rules.stage_slas(app.bank, as_of))
        timer = rules.stage_timer(app, as_of, calendar, slas)
        if timer.breached:
            _, new = notify(app.specialist, NoticeKind.SLA_BREACH, application=app,
                            key=f"sla:{app.pk}:{app.stage}:{app.stage_entered_on}",
                            message=(f"{app.number} has been “{label(app.stage)}” for {timer.days_in_stage} business "
                                     f"days; {app.bank} promises {timer.sla_days}"))
            created[NoticeKind.SLA_BREACH] += new
        if app.stage in BEFORE_DISBURSEMENT and as_of > app.expected_disbursement_on:
            _, new = notify(app.specialist, NoticeKind.DISBURSEMENT_OVERDUE, application=app,
                            key=f"disbursement:{app.pk}:{app.expected_disbursement_on}",
                            message=(f"{app.number}: {app.bank} has not disbursed; expected by "
                                     f"{app.expected_disbursement_on}"))
            created[NoticeKind.DISBURSEMENT_OVERDUE] += new
    soon = calendar.add_business_days(as_of, DOCUMENT_REMINDER_BUSINESS_DAYS)
    deferred = (ChecklistItem.objects.filter(status=DocumentStatus.DEFERRED, due_on__lte=soon,
                                             application__specialist__isnull=False)
                .exclude(application__stage__in=[Stage.CLOSED, Stage.WITHDRAWN])
                .select_related("application__specialist"))
    for item in deferred:
        app = item.application
        overdue = item.due_on < as_of  # type: ignore[operator]
        kind = NoticeKind.DOCUMENT_OVERDUE if overdue else NoticeKind.DOCUMENT_DUE
        _, new = notify(app.specialist, kind, application=app, key=f"{kind}:{item.pk}:{item.due_on}",
                        message=f"{app.number}: “{item.name}” {'was' if overdue else 'is'} due on {item.due_on}")
        created[kind] += new
        if new:
            ChecklistItem.objects.filter(pk=item.pk).update(last_reminded_on=as_of)
    return dict(created)


def _known(value: str, choices: Any, what: str) -> None:
    if value not in choices.values:
        raise MortgageError(f"unknown {what} {value!r}; one of: {', '.join(choices.values)}")


def _lock(application: LoanApplication) -> LoanApplication:
    return LoanApplication.objects.select_for_update().select_related("bank", "contract").get(pk=application.pk)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
