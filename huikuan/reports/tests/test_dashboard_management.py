import io
import json
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from huikuan.core.choices import Role
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


def test_dashboard_numbers_equal_the_kpis_report_to_the_cent(client):
    # given the hand-made ledger and a manager who sees everything
    build_world()
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when
    response = client.get("/reports/management/?period=2026Q3")
    # then
    assert response.status_code == 200
    assert without_time(page_kpis(response.content.decode())) == without_time(report_kpis())
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
    assert without_time(data) == without_time(report_kpis("--project", "P2"))


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
