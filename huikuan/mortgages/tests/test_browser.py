"""Browser test: the mortgage report page draws its two charts — the funnel by stage and the days to
disbursement per bank — with the report's own numbers, in the system Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from huikuan.core.choices import Role
from huikuan.mortgages import services
from huikuan.mortgages.choices import Stage
from huikuan.mortgages.reports import mortgages_report
from huikuan.testing.browser import BROWSER_MARKS, chart_series, log_in, snap
from huikuan.testing.factories import contract, staff

from .helpers import bank, ready, walk

pytestmark = [*BROWSER_MARKS, pytest.mark.urls("huikuan.mortgages.tests.urls")]


def pipeline():
    """Three loans signed 60 days ago: two at ICBC disbursed 20 and 30 days after signing, one at CCB
    still in appraisal."""
    specialist = staff(Role.MORTGAGE, all_projects=True, username="mortgage")
    signed = timezone.localdate() - timedelta(days=60)
    icbc, ccb = bank("ICBC", is_partner=True), bank("CCB", is_partner=True)
    for index, (lender, paid_after) in enumerate(((icbc, 20), (icbc, 30), (ccb, None))):
        c = contract(method="mortgage", sign_date=signed, contract_no=f"HT-M-{index + 1}")
        app, = services.open_applications(actor=specialist, contract=c, bank=lender, specialist=specialist,
                                          on=signed + timedelta(days=1))
        ready(app, specialist, signed + timedelta(days=1))
        days = [signed + timedelta(days=d) for d in (2, 3, 4, 5, 6, 7)]
        if paid_after is None:
            walk(app, specialist, days, stages=[Stage.SUBMITTED, Stage.INTERVIEW, Stage.APPRAISAL])
            continue
        walk(app, specialist, days)
        services.record_disbursement(app, str(app.amount), signed + timedelta(days=paid_after), f"R{index}")
    return timezone.localdate()


def test_the_report_page_draws_the_funnel_and_the_bank_speed_with_the_reports_numbers(live_server, browser):
    today = pipeline()
    report = mortgages_report(today - timedelta(days=89), today)
    page = log_in(browser, live_server.url, "mortgage")
    page.goto(f"{live_server.url}/mortgages/report/")
    # the funnel: 3 opened, 3 reached appraisal, 2 disbursed — as the report counts them
    funnel, = chart_series(page, "funnel-chart")
    assert funnel["type"] == "funnel"
    counts = [point["value"] for point in funnel["data"]]
    assert counts == [int(n) for n in report["funnel"].values()]
    assert counts[0] == 3 and counts[list(report["funnel"]).index(Stage.DISBURSED)] == 2
    # days to disbursement per bank: ICBC 25.0 on average (20 and 30), p90 29.0; CCB has none yet
    average, p90 = chart_series(page, "speed-chart")
    banks = [row["bank_name"] for row in report["banks"]]
    assert average["data"][banks.index("ICBC Bank")] == 25 and p90["data"][banks.index("ICBC Bank")] == 29
    assert average["data"][banks.index("CCB Bank")] is None
    snap(page, "mortgage-report")
