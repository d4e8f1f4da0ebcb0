import io
import json
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from huikuan.core.choices import Role
from huikuan.reports.kpis import DASHBOARD_MEASURES
from huikuan.testing.factories import staff

from .kpi_world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.reports.tests.urls")]


def page_kpis(html: str) -> dict:
    match = re.search(r'<script id="kpis-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def report_kpis(*args: str) -> dict:
    out = io.StringIO()
    call_command("report", "kpis", "--option", "period=2026Q3", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "computed_at"}


def as_shown(page: dict, report: dict) -> tuple[dict, dict]:
    """The page's document and the report's values for the same keys (the dashboard shows a part of it)."""
    keys = set(page) - {"computed_at", "notes"}
    assert set(DASHBOARD_MEASURES) <= keys
    in_report = {k: report[k] for k in keys} | {"notes": {k: v for k, v in report["notes"].items() if k in keys}}
    return without_time(page), in_report


def test_dashboard_numbers_equal_the_kpis_report_to_the_cent(client):
    # given the hand-made ledger and a manager who sees everything
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    response = client.get("/reports/management/?period=2026Q3")
    # then
    assert response.status_code == 200
    page, report = as_shown(page_kpis(response.content.decode()), report_kpis())
    assert page == report
    assert "数据计算于" in response.content.decode()


def test_a_user_sees_only_their_projects_and_the_numbers_equal_the_report_for_that_project(client):
    # given a manager of P2 only
    world = build_world()
    client.force_login(staff(Role.MANAGER, projects=[world.p2]))
    # when
    data = page_kpis(client.get("/reports/management/?period=2026Q3").content.decode())
    # then
    assert list(data["projects"]) == ["P2"]
    assert data["collections_total"] == "0.00"
    page, report = as_shown(data, report_kpis("--project", "P2"))
    assert page == report


def test_drill_down_to_a_building_lists_its_contracts(client):
    # given the hand-made ledger
    world = build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    building = world.c1.unit.building_id
    # when
    html = client.get(f"/reports/management/?period=2026Q3&project=P1&building={building}").content.decode()
    # then
    assert world.c1.contract_no in html and world.c2.contract_no in html
    assert "collections-building" in html


def test_each_chart_exports_its_data_as_excel(client):
    # given the hand-made ledger
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    response = client.get("/reports/management/charts/collections-method.xlsx?period=2026Q3")
    # then
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (None, "回款")
    values = {row[0]: row[1] for row in rows[2:]}
    assert D(str(values["商业按揭"])) == D("1000000.00")
    assert D(str(values["一次性付款"])) == D("600000.00")


def test_the_api_returns_the_same_document(client):
    # given the hand-made ledger
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    data = client.get("/api/reports/kpis/?period=2026Q3").json()
    # then
    assert without_time(data) == without_time(report_kpis())


def test_the_review_page_shows_the_five_sections(client):
    # given the hand-made ledger
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    html = client.get("/reports/quarterly/?period=2026Q3").content.decode()
    pdf = client.get("/reports/quarterly/review.pdf?period=2026Q3")
    # then
    for title in ("一、经营成果与目标达成", "二、过程管理", "三、难点与问题", "四、工具与系统", "五、下季度计划"):
        assert title in html
    assert pdf.content[:5] == b"%PDF-"


def test_ratio_charts_say_they_are_ratios_and_export_as_exact_percent_cells(client):
    # given the hand-made ledger (P1 signed 1.6m of a 1.0m target; P2 nothing of 2.0m)
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    html = client.get("/reports/management/?period=2026Q3").content.decode()
    specs = json.loads(re.search(r'<script id="chart-specs" type="application/json">(.*?)</script>', html, re.S)
                       .group(1))
    sheet = load_workbook(io.BytesIO(client.get(
        "/reports/management/charts/completion-project.xlsx?period=2026Q3").content)).active
    # then the completion and share charts carry fractions, marked as ratios (the page draws them as %)
    units = {spec["id"]: spec["unit"] for spec in specs}
    assert units == {"completion-region": "ratio", "completion-project": "ratio", "collections-project": "yuan",
                     "collections-method": "yuan", "share-product-line": "ratio", "bank-days": "days",
                     "cash-forecast": "yuan"}
    completion = next(spec for spec in specs if spec["id"] == "completion-project")
    assert completion["series"][0]["values"] == ["1.6000", "0.0000"]
    # and the Excel cells hold the exact fraction, formatted as a percentage
    rows = {row[0].value: row[1] for row in sheet.iter_rows(min_row=3)}
    assert D(str(rows["学府一号"].value)) == D("1.6") and rows["学府一号"].number_format == "0.00%"


def test_a_drill_down_page_reads_the_stored_facts_and_computes_nothing(client, django_assert_max_num_queries):
    # given the quarter's facts stored by the scheduled job
    from huikuan.reports.aggregates import store_facts
    from huikuan.reports.periods import Period

    world = build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    store_facts(Period(2026, 3))
    # when a manager opens a region, then a building (no balances pass: its queries are few)
    from huikuan.reports.measures import ledger

    passes = []
    original = ledger.contract_balances
    ledger.contract_balances = lambda *a, **k: passes.append(a) or original(*a, **k)
    try:
        with django_assert_max_num_queries(10):
            region = client.get("/reports/management/?period=2026Q3&region=NEW")
        with django_assert_max_num_queries(14):
            building = client.get(f"/reports/management/?period=2026Q3&project=P1&building={world.c1.unit.building_id}")
    finally:
        ledger.contract_balances = original
    # then both pages show the stored numbers
    assert region.status_code == building.status_code == 200
    assert passes == []
    assert page_kpis(region.content.decode())["collections_total"] == "0.00"
    assert world.c2.contract_no in building.content.decode()


def test_old_facts_are_shown_with_their_time_and_refreshed_in_the_background(client):
    # given facts computed an hour ago, and 100,000 received on c3 since
    from datetime import date, timedelta

    from django.utils import timezone

    from huikuan.receivables import services
    from huikuan.reports.aggregates import store_facts
    from huikuan.reports.models import PeriodFacts
    from huikuan.reports.periods import Period

    world = build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    store_facts(Period(2026, 3))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    PeriodFacts.objects.update(computed_at=an_hour_ago)
    services.post_receipt(actor=world.clerk, contract=world.c3, amount="100000.00", received_on=date(2026, 9, 1))
    # when the page is opened (the queued refresh runs at once: Celery is eager in tests)
    first = client.get("/reports/management/?period=2026Q3").content.decode()
    # then it showed the stored numbers with their time, and the facts were recomputed once
    assert page_kpis(first)["collections_total"] == "1600000.00"
    assert "正在后台更新" in first
    row = PeriodFacts.objects.get()
    assert row.computed_at > an_hour_ago and row.refresh_requested_at is None
    # and the next visit shows the new money
    assert page_kpis(client.get("/reports/management/?period=2026Q3").content.decode())["collections_total"] == \
        "1700000.00"
