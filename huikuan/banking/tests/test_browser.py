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


def test_a_clerk_maps_an_unknown_layout_from_the_failed_import_with_the_keyboard(live_server, browser, settings,
                                                                                  tmp_path):
    # given an upload detection could not read, its job failed (the task runs at once: no worker in this test)
    from huikuan.banking.models import BankTransaction, ImportJob

    from .test_views_mapping import UNKNOWN

    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    clerk("banking.import_statement", username="finance")
    path = tmp_path / "bank.csv"
    path.write_bytes(UNKNOWN)
    page = log_in(browser, live_server.url, "finance")
    page.goto(f"{live_server.url}/banking/statements/upload/")
    page.fill("#id_account_no", "6222 0000 1111 2222")
    page.set_input_files("#id_file", str(path))
    page.click("main form button.btn-primary")
    page.wait_for_selector("text=未导入任何内容")  # the page is in Chinese (zh-CN), the import's message too
    # when the clerk follows the offer to map the columns, the recognised ones already chosen, and picks the rest
    page.click(f"a[href$='/jobs/{ImportJob.objects.get().pk}/mapping/']")
    page.wait_for_selector("#mapping-preview")
    assert page.locator("#mapping-preview tbody tr").count() == 3
    page.select_option("#id_col_0", "date")
    page.select_option("#id_col_1", "amount")
    page.select_option("#id_col_2", "counterparty")
    page.select_option("#id_header_line", "1")
    page.fill("#id_date_format", "%d.%m.%Y")
    snap(page, "banking-mapping")
    page.focus("#id_date_format")
    page.keyboard.press("Enter")  # submits from the keyboard
    # then the file is imported with it
    page.wait_for_selector("text=新增 2 行")
    assert BankTransaction.objects.count() == 2
