"""Browser test: the management dashboard in the system Chromium draws its ECharts charts with data, and a
click on a project's bar drills down to that project's buildings."""

import pytest

from huikuan.testing.browser import BROWSER_MARKS, snap

from .kpi_world import build_world

pytestmark = [*BROWSER_MARKS, pytest.mark.urls("huikuan.reports.tests.urls")]


def test_management_dashboard_draws_charts_with_data_and_drills_down(live_server, browser):
    # given the hand-made ledger and a manager with a password
    from huikuan.core.choices import Role
    from huikuan.testing.factories import staff

    build_world()
    staff(Role.MANAGER, all_projects=True, username="boss")
    page = browser.new_page(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    # when they open the management dashboard for 2026Q3
    page.goto(f"{live_server.url}/reports/management/?period=2026Q3")
    page.wait_for_selector("body[data-charts-ready='1']", timeout=15_000)
    # then every chart was drawn on a canvas with data points
    charts = page.locator(".mgmt-chart")
    assert charts.count() >= 6
    for i in range(charts.count()):
        assert charts.nth(i).locator("canvas").count() >= 1
    assert int(page.get_attribute("#chart-collections-method", "data-rendered")) == 5
    assert int(page.get_attribute("#chart-completion-project", "data-rendered")) == 2
    # and ratio charts read as percentages (P1 completed 1.6000 of its target: 160%), amounts in 万元
    axis = page.evaluate("""() => {
        const opt = (id) => echarts.getInstanceByDom(document.getElementById(id)).getOption();
        const ratio = opt('chart-completion-project'), money = opt('chart-collections-project');
        return {unit: document.getElementById('chart-completion-project').dataset.unit,
                tick: ratio.yAxis[0].axisLabel.formatter(0.87), bar: ratio.series[0].label.formatter({value: 1.6}),
                tip: ratio.tooltip[0].valueFormatter(0.8734), money: money.yAxis[0].axisLabel.formatter(1600000)};
    }""")
    assert axis == {"unit": "ratio", "tick": "87%", "bar": "160%", "tip": "87.34%", "money": "160万"}
    snap(page, "management")
    # when they follow the drill-down link of project P1 (what a click on its bar opens)
    page.evaluate("() => { const u = new URLSearchParams({period: '2026Q3', project: 'P1'});"
                  " window.location.search = u.toString(); }")
    page.wait_for_selector("#chart-collections-building canvas", timeout=15_000)
    # then the buildings' chart is drawn and the breadcrumbs name the project
    assert "学府一号" in page.inner_text("#drill-crumbs")
