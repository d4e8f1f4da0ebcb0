"""`huikuan report aging` and `huikuan report dunning`: exact figures, from the scan and live alike."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from huikuan.dunning.aging_report import aging_report
from huikuan.dunning.dunning_report import dunning_report
from huikuan.dunning.models import CaseAction, CollectionCase
from huikuan.dunning.services import open_dispute, promise_to_pay, run_due_steps, scan_overdue
from huikuan.receivables.services import post_receipt
from huikuan.testing.factories import staff

pytestmark = pytest.mark.django_db
APR30 = date(2026, 4, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")

EXPECTED = {
    "buckets": {"1-30": "100000.00", "31-60": "1000000.00", "61-90": "0.00", "91-180": "0.00",
                "181-365": "0.00", ">365": "0.00"},
    "levels": {"blue": {"count": 1, "amount": "100000.00"}, "yellow": {"count": 1, "amount": "1000000.00"},
               "red": {"count": 0, "amount": "0.00"}},
    "overdue_total": "1100000.00",
    "overdue_over_30": "1000000.00",
    "receivables_due": "1400000.00",
    "overdue_over_30_ratio": "0.7143",
}


def test_aging_report_from_the_scan(two_contracts):
    # given the scan of 2026-04-30 (A: 1,000,000.00 52 days; B: 100,000.00 10 days; 1,400,000.00 due)
    scan_overdue(APR30)
    # when
    report = aging_report(APR30)
    # then totals and the project's row carry the same exact figures
    assert report["source"] == "scan"
    assert {k: report[k] for k in EXPECTED} == EXPECTED
    assert {k: report["by_project"]["江湾府"][k] for k in EXPECTED} == EXPECTED
    assert list(report["by_customer_type"]) == ["first_home"]


def test_aging_report_live_equals_the_scan(two_contracts):
    # given no scan for the date: the report is computed from the ledger, nothing is written
    live = aging_report(APR30)
    assert live["source"] == "live"
    assert CollectionCase.objects.count() == 0
    # when the scan has run
    scan_overdue(APR30)
    from_scan = aging_report(APR30)
    # then both say the same
    live.pop("source"), from_scan.pop("source")
    assert live == from_scan


def test_aging_report_respects_row_scope(two_contracts):
    # given a collector who sees another project only
    scan_overdue(APR30)
    outsider = staff("collector", projects=[])
    # when / then: nothing of 江湾府 shows
    report = aging_report(APR30, user=outsider)
    assert report["overdue_total"] == "0.00" and report["by_project"] == {}


def test_report_command_prints_json(two_contracts):
    scan_overdue(APR30)
    out = StringIO()
    call_command("report", "aging", "--as-of", "2026-04-30", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {k: data[k] for k in EXPECTED} == EXPECTED
    assert data["by_project"]["江湾府"]["overdue_total"] == "1100000.00"


def test_dunning_report(two_contracts, sent):
    a, b = two_contracts
    # given the scan, the steps of 2026-04-30, a promise and a payment after the step, and a late dispute
    scan_overdue(APR30)
    run_due_steps(APR30)
    case_a = CollectionCase.objects.get(contract=a)
    promise_to_pay(case_a, actor=None, amount="20000.00", pay_by=date(2026, 5, 10), made_on=APR30)
    post_receipt(actor=None, amount="20000.00", received_on=date(2026, 5, 5), contract=a)
    opened = datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)
    open_dispute(receivable=b.receivables.get(due_date=date(2026, 4, 20)), reason="已付款", at=opened)
    # when
    report = dunning_report(date(2026, 4, 1), date(2026, 5, 31))
    # then
    done = CaseAction.objects.filter(kind="step", status="done")
    assert done.count() == 2
    by_step = {(row["step"], row["channel"]): row for row in report["steps"]}
    assert by_step[("逾期短信", "sms")]["done"] == 2
    assert by_step[("逾期短信", "sms")]["recovered_after"] == "20000.00"
    assert report["promises"]["made"] == {"count": 1, "amount": "20000.00"}
    assert report["disputes"] == {"opened": 1, "open": 1, "open_amount": "100000.00", "sla_breaches": 1}
    assert opened + timedelta(hours=24) < datetime(2026, 5, 31, tzinfo=SHANGHAI)


def test_report_command_dunning_json(two_contracts, sent):
    # given the steps of 2026-04-30 (one SMS per case)
    scan_overdue(APR30)
    run_due_steps(APR30)
    out = StringIO()
    # when
    call_command("report", "dunning", "--from", "2026-04-01", "--to", "2026-04-30", "--json", stdout=out)
    # then
    data = json.loads(out.getvalue())
    assert data["steps"] == [{"step": "逾期短信", "channel": "sms", "done": 2, "pending_channel": 0,
                              "recovered_after": "0.00"}]
    assert data["disputes"] == {"opened": 0, "open": 0, "open_amount": "0.00", "sla_breaches": 0}
