"""Dashboard: totals per project from the balances read model, chart data as strings, languages."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.reports.dashboard import build_dashboard
from huikuan.sales.models import Contract
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import BuildingFactory, ProjectFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def unit_in(project):
    return UnitFactory(building=BuildingFactory(project=project))


@pytest.fixture
def ledger():
    """A: 1,000,000.00 with 300,000.00 due 2026-03-09 of which 100,000.00 paid; B: 500,000.00 paid in full."""
    a, b = ProjectFactory(code="P-A", name="翡翠湾"), ProjectFactory(code="P-B", name="云栖里")
    clerk = staff(Role.FINANCE, all_projects=True)
    ca = contract(unit=unit_in(a), price="1000000.00", method="mortgage", plan=[
        PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
        PlanLine("mortgage_loan", 1, "按揭款", date(2026, 5, 1), D("700000.00"))])
    cb = contract(unit=unit_in(b), price="500000.00")
    services.post_receipt(actor=clerk, contract=ca, amount="100000.00", received_on=date(2026, 3, 9))
    services.post_receipt(actor=clerk, contract=cb, amount="500000.00", received_on=date(2026, 3, 5))
    return a, b


def test_dashboard_sums_balances_per_project(ledger):
    # given the ledger of two projects
    a, b = ledger
    # when the dashboard is built as of 2026-04-15
    dashboard = build_dashboard(TODAY, Contract.objects.live())
    # then each project's signed, collected, outstanding and overdue amounts are exact
    rows = {row.project.pk: row.totals for row in dashboard.projects}
    assert (rows[a.pk].price, rows[a.pk].received, rows[a.pk].outstanding, rows[a.pk].overdue) == (
        D("1000000.00"), D("100000.00"), D("900000.00"), D("200000.00"))
    assert (rows[b.pk].price, rows[b.pk].received, rows[b.pk].outstanding, rows[b.pk].overdue) == (
        D("500000.00"), D("500000.00"), D("0.00"), D("0.00"))
    assert (dashboard.totals.price, dashboard.totals.received) == (D("1500000.00"), D("600000.00"))
    # and the chart gets decimal strings, never floats
    assert dashboard.chart_data() == {
        "projects": ["翡翠湾", "云栖里"], "signed": ["1000000.00", "500000.00"],
        "collected": ["100000.00", "500000.00"], "outstanding": ["900000.00", "0.00"],
        "overdue": ["200000.00", "0.00"]}


def test_dashboard_page_is_scoped_and_embeds_chart_strings(client, ledger):
    # given a manager assigned to project A only
    a, _b = ledger
    client.force_login(staff(Role.MANAGER, projects=[a]))
    # when the dashboard (/) is opened
    response = client.get(reverse("dashboard"))
    # then only A is counted, and the chart data is JSON with string amounts
    assert response.status_code == 200
    assert "翡翠湾" in response.text and "云栖里" not in response.text
    start = response.text.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">')
    data = json.loads(response.text[start:response.text.index("</script>", start)])
    assert data["signed"] == ["1000000.00"] and data["overdue"] == ["200000.00"]
    assert "1,000,000.00" in response.text and "200,000.00" in response.text


def test_dashboard_requires_login(client):
    # given an anonymous visitor; when they open /; then they are sent to the login form
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pages_render_in_chinese_by_default_and_in_english_after_switching(client, ledger):
    # given a logged-in manager, with the default language
    client.force_login(staff(Role.MANAGER, all_projects=True))
    chinese = client.get(reverse("dashboard"))
    # when they switch to English through the language form
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("dashboard"))
    # then the page is first in Chinese, then in English
    assert "回款概览" in chinese.text and "合同" in chinese.text
    assert switched.status_code == 302
    assert "Collections overview" in english.text and "Contracts" in english.text
    assert "回款概览" not in english.text


def test_login_form_logs_in_and_lands_on_dashboard(client):
    # given a user with a password
    staff(Role.FINANCE, all_projects=True, username="cashier")
    # when they log in through the form
    response = client.post(reverse("login"), {"username": "cashier", "password": "pw"})
    # then they land on the dashboard
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_vendored_scripts_and_styles_are_found_by_staticfiles():
    # given the vendored ECharts and htmx and the hand-written CSS (no CDN anywhere)
    from django.contrib.staticfiles import finders

    # when staticfiles looks them up; then each is found (STATICFILES_DIRS includes huikuan/static)
    for name in ("vendor/echarts.min.js", "vendor/htmx.min.js", "huikuan/app.css", "huikuan/dashboard.js"):
        assert finders.find(name), name
