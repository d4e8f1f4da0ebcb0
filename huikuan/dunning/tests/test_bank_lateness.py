"""A bank loan is late when the bank is: from the application's expected disbursement (per project),
or as soon as the bank runs past a stage SLA — and its case goes to the application's specialist."""

from datetime import date
from decimal import Decimal

import pytest

from huikuan.core.services import business_calendar
from huikuan.dunning import services
from huikuan.dunning.models import CollectionCase, LevelChange, OverdueSnapshot, ReceivableStatus
from huikuan.mortgages import services as loans
from huikuan.mortgages.choices import Stage
from huikuan.mortgages.lateness import bank_lateness
from huikuan.mortgages.models import ProjectLoanTerms
from huikuan.mortgages.tests.helpers import bank, ready, walk
from huikuan.receivables.services import post_receipt
from huikuan.testing.factories import UnitFactory, contract, staff

pytestmark = pytest.mark.django_db
SIGNED = date(2026, 3, 2)   # plan: down payment due 03-09, mortgage loan due 04-01 (30 days)


@pytest.fixture
def people(project):
    return {"own": staff("mortgage", projects=[project]), "other": staff("mortgage", projects=[project]),
            "collector": staff("collector", projects=[project])}


def mortgage_contract(project):
    signed = contract(price="1000000.00", method="mortgage", sign_date=SIGNED,
                      unit=UnitFactory(building__project=project))
    down = signed.receivables.get(kind="down_payment")
    post_receipt(actor=None, amount=str(down.amount), received_on=date(2026, 3, 9), contract=signed)
    return signed


def loan_line(signed):
    return signed.receivables.get(kind="mortgage_loan")


def test_the_project_deadline_not_the_plan_date_makes_a_waiting_loan_late(project, people):
    # given a project whose banks have 45 days to disburse, and the application at the loan contract
    ProjectLoanTerms.objects.create(project=project, commercial_disbursement_days=45)
    signed = mortgage_contract(project)
    app, = loans.open_applications(actor=None, contract=signed, bank=bank("ICBC"), specialist=people["own"],
                                   on=date(2026, 3, 5))
    assert app.expected_disbursement_on == date(2026, 4, 16)
    walk(ready(app, None, date(2026, 3, 5)), None,
         [date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 7), date(2026, 4, 7), date(2026, 4, 8)])
    # when scanned after the plan date (04-01) but before the deadline, stage within its SLA
    services.scan_overdue(date(2026, 4, 10))
    # then nothing is late
    assert not ReceivableStatus.objects.exists() and not CollectionCase.objects.exists()
    # when scanned 4 days after the deadline
    services.scan_overdue(date(2026, 4, 20))
    # then blue from the deadline, the aging row dated by it, and the case with the application's specialist
    status = ReceivableStatus.objects.get(receivable=loan_line(signed))
    assert (status.level, status.days, status.amount) == ("blue", 4, Decimal("700000.00"))
    snapshot = OverdueSnapshot.objects.get(receivable=loan_line(signed))
    assert (snapshot.effective_due, snapshot.days, snapshot.bucket) == (date(2026, 4, 16), 4, "1-30")
    case = CollectionCase.objects.get(contract=signed)
    assert (case.owner, case.owner_reason, case.days, case.overdue) == (people["own"], "mortgage", 4,
                                                                         Decimal("700000.00"))


def test_a_bank_over_its_stage_sla_warns_before_the_deadline(project, people):
    # given 60 days to disburse (deadline in May) and an application left in documents since 03-05
    ProjectLoanTerms.objects.create(project=project, commercial_disbursement_days=60)
    signed = mortgage_contract(project)
    app, = loans.open_applications(actor=None, contract=signed, bank=bank("CCB"), specialist=people["own"],
                                   on=date(2026, 3, 5))
    assert app.stage == Stage.DOCUMENTS
    # then the stage (10 business days) runs over: 18 business days on 03-31, 20 on 04-02
    found = bank_lateness([signed.pk], date(2026, 3, 31), business_calendar())[loan_line(signed).pk]
    assert (found.days_past_deadline, found.sla_over, found.specialist_id) == (0, 8, people["own"].pk)
    # when scanned
    services.scan_overdue(date(2026, 3, 31))
    # then a blue warning with its reason, no overdue money (no aging row), and a case for the specialist
    status = ReceivableStatus.objects.get(receivable=loan_line(signed))
    assert (status.level, status.days, status.amount) == ("blue", 0, Decimal("700000.00"))
    change = LevelChange.objects.get(receivable=loan_line(signed))
    assert change.to_level == "blue" and "bank over its stage SLA" in change.reason
    assert not OverdueSnapshot.objects.exists()
    case = CollectionCase.objects.get(contract=signed)
    assert (case.owner, case.owner_reason, case.overdue) == (people["own"], "mortgage", Decimal("0.00"))
    # when, after the plan date (04-01) but before the deadline, the stage is 10 business days over
    services.scan_overdue(date(2026, 4, 2))
    # then yellow, still not overdue by days: the bank's deadline counts, not the plan date
    status.refresh_from_db()
    assert (status.level, status.days) == ("yellow", 0)
    assert not OverdueSnapshot.objects.exists()


def test_a_rejection_without_another_bank_is_the_buyers_delay_from_the_plan_date(project, people):
    signed = mortgage_contract(project)
    app, = loans.open_applications(actor=None, contract=signed, bank=bank("BOC"), specialist=people["own"],
                                   on=date(2026, 3, 5))
    walk(ready(app, None, date(2026, 3, 5)), None, [date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 10),
                                                    date(2026, 3, 11)],
         stages=[Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL, Stage.APPROVAL])
    loans.move_stage(actor=None, application=app, to=Stage.REJECTED, note="征信不良", on=date(2026, 3, 12))
    assert bank_lateness([signed.pk], date(2026, 4, 10), business_calendar()) == {}
    services.scan_overdue(date(2026, 4, 10))
    status = ReceivableStatus.objects.get(receivable=loan_line(signed))
    assert (status.level, status.days) == ("blue", 9)   # plan date 04-01
