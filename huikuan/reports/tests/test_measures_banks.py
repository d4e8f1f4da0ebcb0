from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.reports.measures import banks, forecast
from huikuan.reports.measures.base import NotAvailable
from huikuan.reports.periods import Period

from .kpi_world import build_world

pytestmark = pytest.mark.django_db
Q3 = Period(2026, 3)


def test_loans_without_a_loan_application_are_not_timed():
    # given c2's loan disbursed by 工商银行 (ICBC) on 2026-09-10 as a receipt only: no loan application says
    # when the bank got it
    build_world()
    # then days to disbursement are not available, with the reason
    for measure in (banks.bank_disbursement_days, banks.bank_disbursement_days_p90,
                    banks.bank_disbursement_days_previous, banks.disbursement_days_all_banks,
                    banks.disbursement_days_all_banks_previous):
        assert measure(Q3) == NotAvailable(banks.NO_APPLICATIONS)


def test_pipeline_measures_are_not_available_without_loan_applications():
    # given no loan applications recorded
    build_world()
    # then
    assert banks.mortgage_pipeline(Q3).note == "not available: no loan applications recorded"
    assert banks.mortgage_rejections(Q3).note == "not available: no loan applications recorded"
    assert banks.bank_policy_changes(Q3).note == "not available: no bank policies recorded"


def test_forecast_learns_how_late_each_kind_of_line_is_paid():
    # given buyers' lines due in the last year: 2.9m, of which 1.9m paid by the due week; the one loan line
    # (700,000 due 08-31) paid 10 days late, in week 1
    build_world()
    # when
    profile = forecast.lag_profile(Q3)
    # then
    assert profile["buyer"][0] == D("1900000.00") / D("2900000.00")
    assert profile["loan"][:3] == [D(0), D(1), D(0)]


def test_forecast_shows_what_arrived_in_the_weeks_that_have_passed():
    # given the world and 200,000 received on c3 in the first week after the quarter
    world = build_world()
    from huikuan.receivables import services

    services.post_receipt(actor=world.clerk, contract=world.c3, amount="200000.00", received_on=date(2026, 10, 5))
    # when, two weeks into the next quarter
    result = forecast.cash_forecast(Q3, today=date(2026, 10, 15))
    # then 13 weeks; the only open line (15 weeks late at the start) is beyond the history's reach
    assert len(result["weeks"]) == 13
    assert result["weeks"][0]["week_start"] == date(2026, 10, 1)
    assert [w["actual"] for w in result["weeks"][:3]] == [D("200000.00"), D("0.00"), None]
    assert result["forecast_total"] == D("0.00")
    assert result["error"] == D("200000.00")


def test_a_loan_application_times_the_bank_from_its_own_application_and_is_counted_once():
    # given c2's loan receipt belongs to an application opened at ICBC on 2026-08-20 and disbursed 09-10
    world = build_world()
    from huikuan.mortgages.models import Bank, BankPolicy, LoanApplication
    from huikuan.receivables.models import Receipt

    icbc = Bank.objects.get(code="ICBC")
    LoanApplication.objects.create(
        number="LA-1", contract=world.c2, project=world.p1, loan_kind="commercial", bank=icbc,
        amount=D("700000.00"), stage="disbursed", stage_entered_on=date(2026, 9, 10), opened_on=date(2026, 8, 20),
        expected_disbursement_on=date(2026, 9, 15), disbursed_on=date(2026, 9, 10),
        disbursement_receipt=Receipt.objects.get(reference="ICBC0001"))
    BankPolicy.objects.create(bank=icbc, effective_from=date(2026, 8, 1), first_home_min_down=D("0.15"),
                              second_home_min_down=D("0.25"), approval_days=7, note="首套首付下调",
                              diff={"first_home_min_down": {"old": "0.20", "new": "0.15"}})
    # then 21 days, once
    assert banks.bank_disbursement_days(Q3) == {"ICBC": D("21.00")}
    assert banks.mortgage_pipeline(Q3) == {stage: D("0.00") for stage in banks.OPEN_STAGES}
    assert banks.mortgage_rejections(Q3) == {"count": 0, "amount": D("0.00"), "followed_by_another_application": 0}
    assert [(c["note"], c["changes"]) for c in banks.bank_policy_changes(Q3)] == [
        ("首套首付下调", "first_home_min_down 0.20→0.15")]
