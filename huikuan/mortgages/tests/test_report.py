"""The `mortgages` report on a small hand-made data set, with exact expectations.

Period 1 Sep – 31 Oct 2026. Every contract is signed Tue 1 Sep 2026 and every application opened Wed 2 Sep.

ICBC  A  700,000   submitted 3 Sep … approved 9 Sep, loan contract 10 Sep, disbursed 18 Sep (17 days),
                   registered 20 Oct (guarantee released), closed 22 Oct
      B  1,400,000 approval 8 → 22 Sep (11 business days > SLA 10: a breach), loan contract 23 Sep,
                   disbursed 9 Oct (38 days), guarantee still running
      D  1,050,000 opened 8 Sep at ICBC after C's rejection; still collecting documents (a breach)
CMB   C  1,050,000 rejected 7 Sep, closed 8 Sep (way out: ICBC)
      E  560,000   approved 10 Sep, no loan contract yet (5-day SLA: a breach)
"""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from huikuan.core.choices import Role
from huikuan.mortgages import services
from huikuan.mortgages.choices import Stage, WayOut
from huikuan.mortgages.reports import mortgages_report
from huikuan.testing.factories import contract, staff

from .helpers import bank, ready, walk

pytestmark = pytest.mark.django_db

SIGNED, OPENED = date(2026, 9, 1), date(2026, 9, 2)


def opened(actor, price: str, bank_code: str):  # type: ignore[no-untyped-def]
    c = contract(price=price, method="mortgage", sign_date=SIGNED)
    app, = services.open_applications(actor=actor, contract=c, bank=bank(bank_code), specialist=actor, on=OPENED)
    return ready(app, actor, OPENED)


@pytest.fixture
def data_set():  # type: ignore[no-untyped-def]
    who = staff(Role.MORTGAGE, all_projects=True)
    sep = [date(2026, 9, d) for d in (3, 4, 7, 8)]
    a = walk(opened(who, "1000000.00", "ICBC"), who, [*sep, date(2026, 9, 9), date(2026, 9, 10)])
    services.record_disbursement(a, D("700000.00"), date(2026, 9, 18), "ICBC-0918")
    walk(a, who, [date(2026, 10, 20), date(2026, 10, 22)], [Stage.REGISTERED, Stage.CLOSED])
    b = walk(opened(who, "2000000.00", "ICBC"), who, [*sep, date(2026, 9, 22), date(2026, 9, 23)])
    services.record_disbursement(b, D("1400000.00"), date(2026, 10, 9), "ICBC-1009")
    c = walk(opened(who, "1500000.00", "CMB"), who, sep[:2], [Stage.SUBMITTED, Stage.INTERVIEW])
    services.move_stage(actor=who, application=c, to=Stage.REJECTED, on=date(2026, 9, 7), note="收入不足")
    services.choose_way_out(actor=who, application=c, way_out=WayOut.BACKUP_BANK, bank=bank("ICBC"),
                            on=date(2026, 9, 8))
    walk(opened(who, "800000.00", "CMB"), who, [*sep, date(2026, 9, 10)], [
        Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL, Stage.APPROVAL, Stage.APPROVED])
    return who, a


def test_report_numbers_per_bank(data_set):
    # when the report runs for September and October
    report = mortgages_report(date(2026, 9, 1), date(2026, 10, 31))
    cmb, icbc = report["banks"]
    # then ICBC
    assert icbc == {
        "bank": "ICBC", "bank_name": "ICBC Bank",
        "applications": 3, "approved": 2, "rejected": 0, "approval_rate": "100.0",
        "disbursed": 2, "amount_disbursed": "2100000.00",
        "avg_days_to_disbursement": "27.5", "p90_days_to_disbursement": "35.9",   # from the sign date
        "avg_days_application_to_disbursement": "26.5", "p90_days_application_to_disbursement": "34.9",
        "avg_days_by_stage": {"documents": "1.0", "submitted": "1.0", "interview": "3.0", "appraisal": "1.0",
                              "approval": "7.5", "approved": "1.0", "loan_contract": "12.0", "disbursed": "32.0",
                              "registered": "2.0"},
        "sla_breaches": 2,
        "pipeline_by_stage": {"documents": "1050000.00", "disbursed": "1400000.00"},
        "guarantee_exposure": "1400000.00",
    }
    # and CMB
    assert cmb == {
        "bank": "CMB", "bank_name": "CMB Bank",
        "applications": 2, "approved": 1, "rejected": 1, "approval_rate": "50.0",
        "disbursed": 0, "amount_disbursed": "0.00",
        "avg_days_to_disbursement": None, "p90_days_to_disbursement": None,
        "avg_days_application_to_disbursement": None, "p90_days_application_to_disbursement": None,
        "avg_days_by_stage": {"documents": "1.0", "submitted": "1.0", "interview": "3.0", "appraisal": "1.0",
                              "approval": "2.0", "rejected": "1.0"},
        "sla_breaches": 1,
        "pipeline_by_stage": {"approved": "560000.00"},
        "guarantee_exposure": "0.00",
    }


def test_report_totals_and_funnel(data_set):
    report = mortgages_report(date(2026, 9, 1), date(2026, 10, 31))
    assert report["totals"] == {
        "applications": 5, "approved": 3, "rejected": 1, "approval_rate": "75.0", "disbursed": 2,
        "amount_disbursed": "2100000.00", "avg_days_to_disbursement": "27.5", "p90_days_to_disbursement": "35.9",
        "avg_days_application_to_disbursement": "26.5", "p90_days_application_to_disbursement": "34.9",
        "sla_breaches": 3,
        "pipeline_by_stage": {"documents": "1050000.00", "approved": "560000.00", "disbursed": "1400000.00"},
        "guarantee_exposure": "1400000.00",
    }
    assert report["funnel"] == {"documents": 5, "submitted": 4, "interview": 4, "appraisal": 3, "approval": 3,
                                "approved": 3, "loan_contract": 2, "disbursed": 2, "registered": 1}


def test_report_as_of_an_earlier_period_reconstructs_the_stages(data_set):
    # for September only: B's disbursement (9 Oct) is outside; on 30 Sep B sat in "loan contract"
    report = mortgages_report(date(2026, 9, 1), date(2026, 9, 30))
    icbc = report["banks"][1]
    assert (icbc["disbursed"], icbc["amount_disbursed"], icbc["avg_days_to_disbursement"]) == (1, "700000.00", "17.0")
    assert icbc["pipeline_by_stage"] == {"documents": "1050000.00", "loan_contract": "1400000.00",
                                         "disbursed": "700000.00"}
    assert icbc["guarantee_exposure"] == "700000.00"


def test_report_respects_row_scope(data_set):
    # given a specialist who sees only contract A's project
    _, a = data_set
    narrow = staff(Role.MORTGAGE, projects=[a.project])
    report = mortgages_report(date(2026, 9, 1), date(2026, 10, 31), user=narrow)
    assert [(b["bank"], b["applications"], b["amount_disbursed"]) for b in report["banks"]] == [
        ("ICBC", 1, "700000.00")]


def test_report_command_prints_the_json(data_set, capsys):
    call_command("report", "mortgages", "--from", "2026-09-01", "--to", "2026-10-31", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert [b["bank"] for b in printed["banks"]] == ["CMB", "ICBC"]
    assert printed["totals"]["amount_disbursed"] == "2100000.00"
