"""Services on the database: opening, moving, pre-check, documents, rejection ways out, disbursement,
guarantee, bank policies and the daily scan."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.core.choices import Role
from huikuan.mortgages import services
from huikuan.mortgages.choices import (
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
from huikuan.mortgages.models import (
    BankAgreement,
    DocumentTemplate,
    Guarantee,
    LoanApplication,
    Notice,
    ProjectLoanTerms,
    StageChange,
)
from huikuan.mortgages.pipeline import IllegalMove, MortgageError
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.services import outstanding_of
from huikuan.testing.factories import ProjectFactory, UnitFactory, contract, staff

from .helpers import bank, ready, walk

pytestmark = pytest.mark.django_db

SIGNED = date(2026, 9, 1)


@pytest.fixture
def specialist():  # type: ignore[no-untyped-def]
    return staff(Role.MORTGAGE, all_projects=True)


def open_apps(**kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("on", date(2026, 9, 2))
    return services.open_applications(**kwargs)


def mortgage_contract(price: str = "1000000.00", method: str = "mortgage", sign_date: date = SIGNED, unit=None):
    return contract(price=price, method=method, sign_date=sign_date, unit=unit)


def test_combination_loan_opens_two_applications_with_deadlines_from_the_contract_date(specialist):
    # given a combination-loan contract of 2,000,000 (30 % down; provident 1,200,000; commercial 200,000)
    c = mortgage_contract("2000000.00", method="combination")
    # when the applications are opened
    apps = open_apps(actor=specialist, contract=c, bank=bank("ICBC"), provident_bank=bank("CCB"),
                                      specialist=specialist, on=date(2026, 9, 2))
    # then one per loan line, each at its bank with its deadline (+30 → 1 Oct holiday → 8 Oct; +60 → 31 Oct Sat → 2 Nov)
    by_kind = {a.loan_kind: a for a in apps}
    assert by_kind[LoanKind.COMMERCIAL].amount == D("200000.00")
    assert by_kind[LoanKind.COMMERCIAL].bank.code == "ICBC"
    assert by_kind[LoanKind.COMMERCIAL].expected_disbursement_on == date(2026, 10, 8)
    assert by_kind[LoanKind.PROVIDENT].amount == D("1200000.00")
    assert by_kind[LoanKind.PROVIDENT].bank.code == "CCB"
    assert by_kind[LoanKind.PROVIDENT].expected_disbursement_on == date(2026, 11, 2)
    assert all(a.stage == Stage.DOCUMENTS for a in apps)
    assert StageChange.objects.filter(application__in=apps, to_stage=Stage.DOCUMENTS).count() == 2
    # and opening again is refused
    with pytest.raises(MortgageError, match="already has an open"):
        open_apps(actor=specialist, contract=c, bank=bank("ICBC"))


def test_project_loan_terms_set_the_deadline(specialist):
    # given a project that expects commercial loans within 20 days
    project = ProjectFactory()
    ProjectLoanTerms.objects.create(project=project, commercial_disbursement_days=20)
    c = mortgage_contract(unit=UnitFactory(building__project=project))
    # then 1 Sep + 20 = Mon 21 Sep
    app, = open_apps(actor=specialist, contract=c, bank=bank("ICBC"))
    assert app.expected_disbursement_on == date(2026, 9, 21)


def test_lump_sum_contract_has_nothing_to_apply_for(specialist):
    with pytest.raises(MortgageError, match="no mortgage"):
        open_apps(actor=specialist, contract=contract(), bank=bank("ICBC"))


def test_checklist_comes_from_templates_the_bank_specific_one_winning(specialist):
    # given a generic income proof, a bank-specific one, and a provident-only record
    icbc = bank("ICBC")
    DocumentTemplate.objects.create(kind=DocumentKind.INCOME_PROOF, name="收入证明", position=1)
    DocumentTemplate.objects.create(bank=icbc, kind=DocumentKind.INCOME_PROOF, name="工行收入证明（盖章）", position=1)
    DocumentTemplate.objects.create(kind=DocumentKind.BANK_STATEMENTS, name="银行流水（6个月）", position=2)
    DocumentTemplate.objects.create(loan_kind=LoanKind.PROVIDENT, kind=DocumentKind.PROVIDENT_RECORD,
                                    name="公积金缴存证明", position=3)
    # when a commercial application at ICBC is opened
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=icbc)
    # then its checklist has the bank's income proof and the statements, not the provident record
    assert list(app.documents.values_list("name", flat=True)) == ["工行收入证明（盖章）", "银行流水（6个月）"]


def test_submission_needs_a_pre_check_and_the_documents(specialist):
    DocumentTemplate.objects.create(kind=DocumentKind.INCOME_PROOF, name="收入证明")
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
    # when submitted without a pre-check → refused
    with pytest.raises(MortgageError, match="pre-check"):
        services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 3))
    # with a clear pre-check but the income proof missing → refused, naming the document
    services.record_pre_check(actor=specialist, application=app, result=PreCheckResult.CLEAR, on=date(2026, 9, 3))
    with pytest.raises(MortgageError, match="收入证明"):
        services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 3))
    # when the document arrives, then submission goes through
    services.receive_document(actor=specialist, item=app.documents.get(), on=date(2026, 9, 4))
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 4), note="报件")
    app.refresh_from_db()
    assert (app.stage, app.stage_entered_on) == (Stage.SUBMITTED, date(2026, 9, 4))
    change = app.stage_changes.last()
    assert (change.from_stage, change.to_stage, change.actor, change.note) == (
        Stage.DOCUMENTS, Stage.SUBMITTED, specialist, "报件")


def test_a_flagged_buyer_is_not_submitted_blind(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"),
                                      specialist=specialist)
    check = services.record_pre_check(actor=specialist, application=app, result=PreCheckResult.FLAGGED,
                                      findings="近两年逾期6次", on=date(2026, 9, 3))
    # when submitted with no remedy → refused
    with pytest.raises(MortgageError, match="flagged"):
        services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 3))
    # when the remedy is a higher down payment, the loan shrinks and submission is allowed
    with pytest.raises(MortgageError, match="smaller loan"):
        services.choose_pre_check_remedy(actor=specialist, pre_check=check, remedy=PreCheckRemedy.HIGHER_DOWN_PAYMENT)
    services.choose_pre_check_remedy(actor=specialist, pre_check=check, remedy=PreCheckRemedy.HIGHER_DOWN_PAYMENT,
                                     amount="600000.00")
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 4))
    app.refresh_from_db()
    assert (app.stage, app.amount) == (Stage.SUBMITTED, D("600000.00"))


def test_flagged_buyer_sent_to_another_bank_gets_a_new_linked_application(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"),
                                      specialist=specialist)
    check = services.record_pre_check(actor=specialist, application=app, result=PreCheckResult.FLAGGED,
                                      findings="负债率高")
    # when the remedy is another bank
    new = services.choose_pre_check_remedy(actor=specialist, pre_check=check, remedy=PreCheckRemedy.OTHER_BANK,
                                           bank=bank("CMB"), on=date(2026, 9, 3))
    # then the first is withdrawn, the new one follows it at CMB and needs its own pre-check
    app.refresh_from_db()
    assert app.stage == Stage.WITHDRAWN
    assert (new.bank.code, new.replaces, new.stage) == ("CMB", app, Stage.DOCUMENTS)
    with pytest.raises(MortgageError, match="pre-check"):
        services.move_stage(actor=specialist, application=new, to=Stage.SUBMITTED, on=date(2026, 9, 3))


def test_conditional_acceptance_lets_the_file_in_with_deadlines(specialist):
    DocumentTemplate.objects.create(kind=DocumentKind.INCOME_PROOF, name="收入证明")
    DocumentTemplate.objects.create(kind=DocumentKind.MARRIAGE, name="结婚证")
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"),
                                      specialist=specialist)
    services.record_pre_check(actor=specialist, application=app, result=PreCheckResult.CLEAR)
    income, marriage = app.documents.order_by("id")
    services.receive_document(actor=specialist, item=income, on=date(2026, 9, 3))
    # when the bank accepts without the marriage certificate until 15 Sep
    services.accept_conditionally(actor=specialist, application=app, deadlines_by_item={marriage.pk: date(2026, 9, 15)},
                                  on=date(2026, 9, 3))
    # then the application can be submitted and the item is deferred with its deadline
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 3))
    marriage.refresh_from_db()
    assert (marriage.status, marriage.due_on) == (DocumentStatus.DEFERRED, date(2026, 9, 15))
    app.refresh_from_db()
    assert app.conditionally_accepted is True
    # and a received document cannot be deferred
    with pytest.raises(MortgageError, match="not missing"):
        services.accept_conditionally(actor=specialist, application=app,
                                      deadlines_by_item={income.pk: date(2026, 9, 15)}, on=date(2026, 9, 3))


def test_illegal_move_and_direct_disbursement_are_refused(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
    with pytest.raises(IllegalMove):
        services.move_stage(actor=specialist, application=app, to=Stage.APPROVED, on=date(2026, 9, 3))
    with pytest.raises(MortgageError, match="before it began"):
        services.move_stage(actor=specialist, application=app, to=Stage.WITHDRAWN, on=date(2026, 9, 1))
    ready(app, specialist, date(2026, 9, 2))
    walk(app, specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9, 10)])
    with pytest.raises(MortgageError, match="record_disbursement"):
        services.move_stage(actor=specialist, application=app, to=Stage.DISBURSED, on=date(2026, 9, 11))


def test_rejection_then_backup_bank_keeps_the_history(specialist):
    c = mortgage_contract()
    app, = open_apps(actor=specialist, contract=c, bank=bank("ICBC"), specialist=specialist)
    ready(app, specialist, date(2026, 9, 2))
    walk(app, specialist, [date(2026, 9, 3), date(2026, 9, 4)], [Stage.SUBMITTED, Stage.INTERVIEW])
    # a rejection needs a reason
    with pytest.raises(MortgageError, match="why"):
        services.move_stage(actor=specialist, application=app, to=Stage.REJECTED, on=date(2026, 9, 7))
    services.move_stage(actor=specialist, application=app, to=Stage.REJECTED, on=date(2026, 9, 7), note="收入不足")
    # a backup bank must differ from the rejecting one
    with pytest.raises(MortgageError, match="backup bank"):
        services.choose_way_out(actor=specialist, application=app, way_out=WayOut.BACKUP_BANK, bank=bank("ICBC"))
    # when switching to CMB
    new = services.choose_way_out(actor=specialist, application=app, way_out=WayOut.BACKUP_BANK, bank=bank("CMB"),
                                  on=date(2026, 9, 8))
    # then the old application is closed with its whole timeline, the new one follows it
    app.refresh_from_db()
    assert (app.stage, app.way_out, app.rejection_reason, app.rejected_on) == (
        Stage.CLOSED, WayOut.BACKUP_BANK, "收入不足", date(2026, 9, 7))
    assert list(app.stage_changes.values_list("to_stage", flat=True)) == [
        Stage.DOCUMENTS, Stage.SUBMITTED, Stage.INTERVIEW, Stage.REJECTED, Stage.CLOSED]
    assert (new.replaces, new.bank.code, new.amount, new.receivable_id) == (app, "CMB", D("700000.00"),
                                                                              app.receivable_id)
    assert app.replaced_by == new
    # the deadline still counts from the contract date, not from the switch
    assert new.expected_disbursement_on == app.expected_disbursement_on == date(2026, 10, 8)
    assert LoanApplication.objects.filter(contract=c).count() == 2


def test_provident_fund_and_cash_ways_out(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
    ready(app, specialist, date(2026, 9, 2))
    walk(app, specialist, [date(2026, 9, 3)], [Stage.SUBMITTED])
    services.move_stage(actor=specialist, application=app, to=Stage.REJECTED, on=date(2026, 9, 4), note="额度不足")
    # provident-fund loan: a new provident application, with the provident deadline (+60 → 31 Oct → 2 Nov)
    new = services.choose_way_out(actor=specialist, application=app, way_out=WayOut.PROVIDENT_FUND,
                                  bank=bank("CCB"), on=date(2026, 9, 7))
    assert (new.loan_kind, new.bank.code, new.expected_disbursement_on) == (
        LoanKind.PROVIDENT, "CCB", date(2026, 11, 2))
    # and on a second rejection, cash: no new application
    ready(new, specialist, date(2026, 9, 7))
    walk(new, specialist, [date(2026, 9, 8)], [Stage.SUBMITTED])
    services.move_stage(actor=specialist, application=new, to=Stage.REJECTED, on=date(2026, 9, 9), note="缴存不足")
    assert services.choose_way_out(actor=specialist, application=new, way_out=WayOut.CASH, on=date(2026, 9, 9)) is None
    new.refresh_from_db()
    assert (new.stage, new.way_out) == (Stage.CLOSED, WayOut.CASH)
    # a way out for an application not rejected is refused
    with pytest.raises(MortgageError, match="rejected applications"):
        services.choose_way_out(actor=specialist, application=new, way_out=WayOut.CASH)


def test_disbursement_pays_the_loan_receivable_and_starts_the_guarantee_until_registration(specialist):
    c = mortgage_contract()
    app, = open_apps(actor=specialist, contract=c, bank=bank("ICBC"), specialist=specialist)
    ready(app, specialist, date(2026, 9, 2))
    walk(app, specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9, 10)])
    # when the bank's 700,000 arrives
    receipt = services.record_disbursement(app, D("700000.00"), date(2026, 9, 18), "BATCH-0918")
    # then a loan-disbursement receipt paid the loan line in full; the down payment is untouched
    assert (receipt.method, receipt.amount, receipt.contract) == (ReceiptMethod.LOAN_DISBURSEMENT,
                                                                  D("700000.00"), c)
    owed = outstanding_of([app.receivable_id])
    assert owed[app.receivable_id] == D("0.00")
    down = c.receivables.get(kind="down_payment")
    assert outstanding_of([down.pk])[down.pk] == D("300000.00")
    app.refresh_from_db()
    assert (app.stage, app.disbursed_on, app.disbursed_amount) == (Stage.DISBURSED, date(2026, 9, 18),
                                                                   D("700000.00"))
    guarantee = Guarantee.objects.get(application=app)
    assert (guarantee.amount, guarantee.status, guarantee.started_on) == (
        D("700000.00"), GuaranteeStatus.ACTIVE, date(2026, 9, 18))
    # calling again with the same reference is a no-op; with another it is refused
    assert services.record_disbursement(app, D("700000.00"), date(2026, 9, 18), "BATCH-0918") == receipt
    with pytest.raises(MortgageError, match="already disbursed"):
        services.record_disbursement(app, D("700000.00"), date(2026, 9, 19), "OTHER")
    # when the mortgage is registered, the guarantee is released
    services.move_stage(actor=specialist, application=app, to=Stage.REGISTERED, on=date(2026, 11, 20))
    guarantee.refresh_from_db()
    assert (guarantee.status, guarantee.released_on) == (GuaranteeStatus.RELEASED, date(2026, 11, 20))


def test_a_batch_transfer_pays_several_buyers_under_one_bank_reference(specialist):
    apps = []
    for _ in range(2):
        app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
        ready(app, specialist, date(2026, 9, 2))
        apps.append(walk(app, specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9)]))
    receipts = [services.record_disbursement(a, "700000.00", date(2026, 9, 18), "BATCH-1") for a in apps]
    assert len({r.pk for r in receipts}) == 2


def test_disbursement_before_approval_is_refused(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
    with pytest.raises(IllegalMove):
        services.record_disbursement(app, "700000.00", date(2026, 9, 18), "X")


def test_no_guarantee_when_the_agreement_waives_it(specialist):
    icbc = bank("ICBC")
    BankAgreement.objects.create(bank=icbc, signed_on=date(2026, 1, 1), interim_guarantee=False)
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=icbc)
    ready(app, specialist, date(2026, 9, 2))
    walk(app, specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9)])
    services.record_disbursement(app, "700000.00", date(2026, 9, 18), "R1")
    assert not Guarantee.objects.exists()


def test_policy_change_is_compared_and_told_to_specialists_of_open_applications(specialist):
    icbc = bank("ICBC")
    other = staff(Role.MORTGAGE, all_projects=True)
    services.record_bank_policy(actor=None, bank=icbc, effective_from=date(2026, 1, 1), lpr_spread_bp=-30,
                                first_home_min_down="0.15", second_home_min_down="0.25", approval_days=7,
                                monthly_quota="50000000.00")
    open_apps(actor=specialist, contract=mortgage_contract(), bank=icbc, specialist=specialist)
    open_apps(actor=other, contract=mortgage_contract(), bank=bank("CMB"), specialist=other)
    # when ICBC raises the spread and the first-home down payment
    policy = services.record_bank_policy(actor=None, bank=icbc, effective_from=date(2026, 9, 1), lpr_spread_bp=-10,
                                         first_home_min_down="0.20", second_home_min_down="0.25", approval_days=7,
                                         monthly_quota="50000000.00")
    # then the diff holds exactly the two changes, both tighter
    assert policy.diff == {
        "lpr_spread_bp": {"old": "-30", "new": "-10", "tighter": True},
        "first_home_min_down": {"old": "0.1500", "new": "0.20", "tighter": True},
    }
    # and only the ICBC specialist was told
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.bank) == (specialist, NoticeKind.POLICY_CHANGE, icbc)
    assert "tightened" in notice.message
    # a second policy on the same day is refused
    with pytest.raises(MortgageError, match="dated records"):
        services.record_bank_policy(actor=None, bank=icbc, effective_from=date(2026, 9, 1), lpr_spread_bp=0,
                                    first_home_min_down="0.20", second_home_min_down="0.25", approval_days=7)


def test_daily_scan_warns_once_about_breaches_deadlines_and_documents(specialist):
    DocumentTemplate.objects.create(kind=DocumentKind.MARRIAGE, name="结婚证")
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"),
                                      specialist=specialist, on=date(2026, 9, 2))
    services.record_pre_check(actor=specialist, application=app, result=PreCheckResult.CLEAR, on=date(2026, 9, 2))
    services.accept_conditionally(actor=specialist, application=app,
                                  deadlines_by_item={app.documents.get().pk: date(2026, 9, 30)}, on=date(2026, 9, 2))
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 29))
    # when scanning on Mon 12 Oct: the submitted stage (SLA 3) entered Tue 29 Sep has run 5 business days,
    # the deferred document was due 30 Sep, and the disbursement deadline (8 Oct) passed
    first = services.scan_deadlines(date(2026, 10, 12))
    assert first == {NoticeKind.SLA_BREACH: 1, NoticeKind.DISBURSEMENT_OVERDUE: 1, NoticeKind.DOCUMENT_OVERDUE: 1}
    # then running it again tells nothing new
    assert services.scan_deadlines(date(2026, 10, 12)) == {
        NoticeKind.SLA_BREACH: 0, NoticeKind.DISBURSEMENT_OVERDUE: 0, NoticeKind.DOCUMENT_OVERDUE: 0}
    assert Notice.objects.filter(recipient=specialist).count() == 3


def test_scan_over_the_holiday_does_not_count_holidays_as_breach(specialist):
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"),
                                      specialist=specialist, on=date(2026, 9, 2))
    ready(app, specialist, date(2026, 9, 2))
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 29))
    # on Fri 9 Oct: Wed 30 Sep, Thu 8 Oct, Fri 9 Oct = 3 business days, the SLA of 3: not breached yet
    assert services.scan_deadlines(date(2026, 10, 9)).get(NoticeKind.SLA_BREACH, 0) == 0
    # on Sat 10 Oct (make-up working day) it is 4 → breached
    assert services.scan_deadlines(date(2026, 10, 10))[NoticeKind.SLA_BREACH] == 1


def test_the_usual_documents_are_seeded_for_every_bank(specialist, seeded_templates):
    # given the templates the migration seeds, a commercial loan gets eight documents, a provident loan nine
    commercial, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
    provident, = open_apps(actor=specialist, contract=mortgage_contract(method="provident_fund"), bank=bank("CCB"))
    assert commercial.documents.count() == 8
    assert provident.documents.filter(kind=DocumentKind.PROVIDENT_RECORD).count() == 1
    assert provident.documents.count() == 9


def test_the_daily_task_runs_the_scan(specialist):
    from huikuan.mortgages.tasks import check_loan_deadlines

    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"), specialist=specialist)
    # collecting documents since Wed 2 Sep, SLA 10 business days → due Wed 16 Sep, breached on the 17th
    assert check_loan_deadlines.delay("2026-09-16").get() == {}
    assert check_loan_deadlines.delay("2026-09-17").get() == {NoticeKind.SLA_BREACH: 1}
    assert Notice.objects.get().application == app


def test_guarantee_exposure_per_bank_and_project_over_time(specialist):
    from huikuan.mortgages.querysets import guarantee_exposure

    # given two loans at ICBC in two projects, disbursed 18 Sep and 25 Sep; the first registered 20 Oct
    apps = []
    for day in (18, 25):
        app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=bank("ICBC"))
        ready(app, specialist, date(2026, 9, 2))
        walk(app, specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9)])
        services.record_disbursement(app, "700000.00", date(2026, 9, day), f"R{day}")
        apps.append(app)
    services.move_stage(actor=specialist, application=apps[0], to=Stage.REGISTERED, on=date(2026, 10, 20))
    first, second = (("ICBC", a.project.code) for a in apps)
    # then the exposure follows the dates
    assert guarantee_exposure(date(2026, 9, 17)) == {}
    assert guarantee_exposure(date(2026, 9, 25)) == {first: D("700000.00"), second: D("700000.00")}
    assert guarantee_exposure(date(2026, 10, 20)) == {second: D("700000.00")}


def test_stage_slas_most_specific_wins():
    from huikuan.mortgages import rules
    from huikuan.mortgages.models import StageSLA

    icbc, cmb = bank("ICBC"), bank("CMB")
    for b in (icbc, cmb):
        services.record_bank_policy(actor=None, bank=b, effective_from=date(2026, 1, 1), lpr_spread_bp=0,
                                    first_home_min_down="0.15", second_home_min_down="0.25",
                                    approval_days=8 if b == cmb else 7)
    StageSLA.objects.create(bank=None, stage=Stage.INTERVIEW, business_days=2)
    StageSLA.objects.create(bank=icbc, stage=Stage.APPROVAL, business_days=6)
    # then: ICBC's own approval SLA beats its policy; CMB takes its policy's approval days; both the generic interview
    assert (rules.stage_slas(icbc)[Stage.APPROVAL], rules.stage_slas(icbc)[Stage.INTERVIEW]) == (6, 2)
    assert (rules.stage_slas(cmb)[Stage.APPROVAL], rules.stage_slas(cmb)[Stage.APPRAISAL]) == (8, 5)


def test_a_loan_the_banks_monthly_quota_cannot_take_is_not_submitted_blind(specialist):
    # given ICBC with a quota of 1,000,000.00 a month, 800,000.00 of it approved this month, and CMB with room
    from huikuan.core.models import AuditEvent

    icbc, cmb = bank("ICBC", is_partner=True), bank("CMB", is_partner=True)
    for lender, quota in ((icbc, "1000000.00"), (cmb, "5000000.00")):
        services.record_bank_policy(actor=None, bank=lender, effective_from=date(2026, 1, 1), lpr_spread_bp=-30,
                                    first_home_min_down="0.15", second_home_min_down="0.25", approval_days=7,
                                    monthly_quota=quota)
    approved, = open_apps(actor=specialist, contract=mortgage_contract("1142857.15"), bank=icbc)
    assert approved.amount == D("800000.00")
    walk(ready(approved, specialist, date(2026, 9, 2)), specialist, [date(2026, 9, d) for d in (3, 4, 7, 8, 9)],
         stages=[Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL, Stage.APPROVAL, Stage.APPROVED])
    app, = open_apps(actor=specialist, contract=mortgage_contract(), bank=icbc)   # a loan of 700,000.00
    ready(app, specialist, date(2026, 9, 10))
    # when it is submitted to ICBC, then it is refused with what is left and who has room
    with pytest.raises(MortgageError, match=r"200,000\.00 of its 2026-09 quota of 1,000,000\.00 left.*CMB Bank "
                                            r"\(5,000,000\.00 left\)"):
        services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 9, 10))
    assert LoanApplication.objects.get(pk=app.pk).stage == Stage.DOCUMENTS
    # a new month brings a new quota
    services.move_stage(actor=specialist, application=app, to=Stage.SUBMITTED, on=date(2026, 10, 8))
    app.refresh_from_db()
    assert app.stage == Stage.SUBMITTED
    # and with a reason it may go over, on the record
    other, = open_apps(actor=specialist, contract=mortgage_contract(), bank=icbc)
    ready(other, specialist, date(2026, 9, 10))
    services.move_stage(actor=specialist, application=other, to=Stage.SUBMITTED, on=date(2026, 9, 10),
                        over_quota_reason="客户指定工行，接受下月放款")
    event = AuditEvent.objects.get(action="loan.over_quota")
    assert event.data["reason"] == "客户指定工行，接受下月放款" and event.data["used"] == "800000.00"
