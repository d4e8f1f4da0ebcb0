"""Browser test: the accounts page draws what became of each account's money in as a stacked bar, with the
reconciliation report's own figures, in the system Chromium."""

from datetime import date

import pytest

from huikuan.banking.models import Match
from huikuan.banking.reports import account_figures, collections_chart
from huikuan.banking.services import review
from huikuan.banking.services.reconciliation import reconcile
from huikuan.testing.browser import BROWSER_MARKS, chart_series, log_in, snap

from .helpers import clerk
from .test_reconcile_commands import ESCROW, data_set

pytestmark = [*BROWSER_MARKS, pytest.mark.urls("huikuan.banking.tests.urls")]


def test_the_accounts_page_draws_each_accounts_money_in_with_the_reports_figures(live_server, browser):
    # given the week of 2–8 March reconciled, the over-payment confirmed, and a finance clerk with a password
    data_set()
    reconcile()
    finance = clerk(username="finance")
    review.confirm(actor=finance, match=Match.objects.live().get(transaction__key="E2"))
    expected = collections_chart(account_figures(date(2026, 3, 2), date(2026, 3, 8)))
    # when they open the accounts page for that week
    page = log_in(browser, live_server.url, "finance")
    page.goto(f"{live_server.url}/banking/accounts/?from=2026-03-02&to=2026-03-08")
    # then the chart has one stacked bar per account, each part the report's amount
    series = chart_series(page, "collections-chart")
    assert [s["type"] for s in series] == ["bar"] * 5
    assert [s["data"] for s in series] == [[float(v) for v in values] for values in expected["series"].values()]
    assert series[0]["data"] == [300000] and series[-1]["data"] == [40000]
    assert page.evaluate("() => echarts.getInstanceByDom(document.getElementById('collections-chart'))"
                         ".getOption().yAxis[0].data") == [ESCROW]
    assert page.get_attribute("#collections-chart", "data-rendered") == "true"
    snap(page, "banking-accounts")
