"""Browser test: the system Chromium, driven through Playwright, against a live server.

Logs in through the form, opens a contract page (contract number, payment plan), filters the
contract list through HTMX, and checks the dashboard chart was drawn on a canvas. Set
HUIKUAN_SCREENSHOT_DIR to keep screenshots of the pages it visits.
"""

from datetime import date
from decimal import Decimal as D

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.sales.plans import PlanLine
from huikuan.testing.browser import BROWSER_MARKS, snap
from huikuan.testing.factories import (
    BuildingFactory,
    CustomerFactory,
    ProjectFactory,
    RegionFactory,
    UnitFactory,
    contract,
    staff,
)

pytestmark = BROWSER_MARKS


def sample_ledger():
    """Three projects, a few contracts each, some paid, some overdue."""
    clerk = staff(Role.FINANCE, all_projects=True, username="finance")
    east = RegionFactory(code="EAST", name="华东区域")
    projects = [ProjectFactory(code="P01", name="翡翠湾学府", region=east),
                ProjectFactory(code="P02", name="云栖青年社区", region=east, product_line="loft"),
                ProjectFactory(code="P03", name="中央商务广场", region=east, product_line="commercial")]
    names = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周杰"]
    first = None
    for index, name in enumerate(names):
        project = projects[index % 3]
        building = BuildingFactory(project=project, name=f"{index // 3 + 1}栋")
        price = D("1800000.00") + D(index * 235000)
        down = (price * D("0.3")).quantize(D("0.01"))
        plan = [PlanLine("deposit", 1, "定金", date(2026, 3, 1), D("50000.00")),
                PlanLine("down_payment", 1, "首付款", date(2026, 3, 15), down - D("50000.00")),
                PlanLine("mortgage_loan", 1, "按揭款", date(2026, 6, 30), price - down)]
        c = contract(unit=UnitFactory(building=building, number=f"{1201 + index}"), price=str(price),
                     method="mortgage", plan=plan, customer=CustomerFactory(name=name),
                     contract_no=f"HT-2026-{index + 1:04d}", sign_date=date(2026, 3, 1))
        paid = {0: price, 1: down, 2: D("50000.00")}.get(index % 3, down)
        if index % 4 == 3:
            paid = D("50000.00")
        services.post_receipt(actor=clerk, contract=c, amount=str(paid), received_on=date(2026, 3, 10))
        first = first or c
    return first


def test_log_in_open_contract_filter_list_and_see_dashboard_chart(live_server, browser):
    # given a ledger and a finance user with a password
    first = sample_ledger()
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "/static/" in r.url else None)
    # when they log in through the form
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # then the dashboard draws its chart on a canvas, in Chinese
    page.wait_for_selector("#project-chart[data-rendered=true] canvas", timeout=10_000)
    assert page.locator("#project-chart canvas").count() >= 1
    assert "回款概览" in page.inner_text("h1")
    snap(page, "dashboard")
    # when they open a contract page
    page.goto(f"{live_server.url}/contracts/{first.pk}/")
    # then the contract number and the payment plan are shown
    assert "HT-2026-0001" in page.inner_text("#contract-no")
    plan_rows = page.locator("#payment-plan tbody tr")
    assert plan_rows.count() == 3
    assert "首付款" in page.inner_text("#payment-plan")
    snap(page, "contract")
    # when they type a customer name into the contract list's search box
    page.goto(f"{live_server.url}/contracts/")
    assert page.locator("#contract-table-rows tbody tr").count() == 9
    page.fill("input[name=q]", "李强")
    # then HTMX swaps in a table with that customer's contract only
    page.wait_for_function("document.querySelectorAll('#contract-table-rows tbody tr').length === 1")
    assert "HT-2026-0002" in page.inner_text("#contract-table")
    assert "q=" in page.url
    snap(page, "contracts")
    # and every stylesheet and script was served from the vendored static files
    assert missing == []
