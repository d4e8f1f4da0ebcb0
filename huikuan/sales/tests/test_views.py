"""Contract list, export and page: login, row scope, filters, HTMX partial, Excel contents, query counts."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import BuildingFactory, CustomerFactory, ProjectFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)
PLAN = [
    PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
    PlanLine("mortgage_loan", 1, "按揭款", date(2026, 5, 1), D("700000.00")),
]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def unit_in(project):
    return UnitFactory(building=BuildingFactory(project=project))


@pytest.fixture
def two_projects():
    a, b = ProjectFactory(name="翡翠湾"), ProjectFactory(name="云栖里")
    ca = contract(unit=unit_in(a), contract_no="HT-A-001", method="mortgage", plan=PLAN,
                  customer=CustomerFactory(name="王芳"))
    cb = contract(unit=unit_in(b), contract_no="HT-B-001", customer=CustomerFactory(name="李强"))
    return a, b, ca, cb


def test_contract_pages_require_login(client, two_projects):
    # given an anonymous visitor
    _a, _b, ca, _cb = two_projects
    # when they open the list, the export and a contract page
    urls = [reverse("contract-list"), reverse("contract-export"), reverse("contract-detail", args=[ca.pk])]
    # then each sends them to the login form
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_sales_agent_sees_only_contracts_of_assigned_projects(client, two_projects):
    # given an agent assigned to project A only
    a, _b, ca, cb = two_projects
    client.force_login(staff(Role.SALES, projects=[a]))
    # when they open the list, B's contract page and the export
    listing = client.get(reverse("contract-list"))
    page_b = client.get(reverse("contract-detail", args=[cb.pk]))
    export = client.get(reverse("contract-export"))
    # then only A's contract is listed, B's page is not found and the export holds A's contract only
    assert "HT-A-001" in listing.text and "HT-B-001" not in listing.text
    assert page_b.status_code == 404
    assert client.get(reverse("contract-detail", args=[ca.pk])).status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["HT-A-001"]


def test_filter_by_project_outside_scope_shows_nothing(client, two_projects):
    # given an agent of project A asking for project B by id
    a, b, _ca, _cb = two_projects
    client.force_login(staff(Role.SALES, projects=[a]))
    # when the list is filtered on B
    response = client.get(reverse("contract-list"), {"project": b.pk})
    # then nothing is shown, not even A's contract
    assert "HT-B-001" not in response.text and "HT-A-001" not in response.text


def test_search_filters_and_overdue_only(client, two_projects):
    # given A's contract owes a down payment due 2026-03-09 (overdue on 2026-04-15) and B's is paid in full
    _a, _b, _ca, cb = two_projects
    user = staff(Role.FINANCE, all_projects=True)
    services.post_receipt(actor=user, contract=cb, amount="1000000.00", received_on=date(2026, 3, 3))
    client.force_login(user)
    url = reverse("contract-list")
    # when searching by customer name, by payment method and for overdue contracts only
    by_name = client.get(url, {"q": "李强"})
    by_method = client.get(url, {"payment_method": "mortgage"})
    overdue = client.get(url, {"overdue": "on"})
    # then each shows just the matching contract
    assert "HT-B-001" in by_name.text and "HT-A-001" not in by_name.text
    assert "HT-A-001" in by_method.text and "HT-B-001" not in by_method.text
    assert "HT-A-001" in overdue.text and "HT-B-001" not in overdue.text


def test_htmx_request_gets_only_the_table_partial(client, two_projects):
    # given a logged-in finance user
    client.force_login(staff(Role.FINANCE, all_projects=True))
    # when HTMX asks for the list
    response = client.get(reverse("contract-list"), {"q": "HT-A"}, headers={"HX-Request": "true"})
    # then the answer is the table alone, not a whole page
    assert "<html" not in response.text
    assert 'id="contract-table-rows"' in response.text and "HT-A-001" in response.text
    assert "HX-Request" in response["Vary"]


def test_excel_export_has_filtered_rows_with_exact_money(client, two_projects):
    # given A's contract with 350,000.00 received against a 300,000.00 down payment due 2026-03-09
    _a, _b, ca, _cb = two_projects
    user = staff(Role.FINANCE, all_projects=True)
    services.post_receipt(actor=user, contract=ca, amount="350000.00", received_on=date(2026, 3, 9))
    client.force_login(user)
    # when the mortgage contracts are exported
    response = client.get(reverse("contract-export"), {"payment_method": "mortgage"})
    # then the workbook has a header and A's row, money as numeric cells to the cent
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="contracts-2026-04-15.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = rows[1]
    assert row[:4] == ("HT-A-001", "翡翠湾", ca.unit.building.name, ca.unit.number)
    assert row[4] == "王芳"
    assert row[6].date() == date(2026, 3, 2)
    money = [D(str(value)).quantize(D("0.01")) for value in row[8:14]]
    assert money == [D("1000000.00"), D("1000000.00"), D("350000.00"), D("650000.00"), D("0.00"), D("0.00")]
    assert sheet.cell(2, 10).number_format == "#,##0.00"
    assert all(isinstance(value, int | float) for value in row[8:14])


def test_contract_page_shows_plan_balance_and_overdue(client):
    # given a mortgage contract whose 300,000.00 down payment (due 2026-03-09) is unpaid on 2026-04-15
    project = ProjectFactory(name="翡翠湾")
    c = contract(unit=unit_in(project), contract_no="HT-X-009", method="mortgage", plan=PLAN,
                 late_fee_daily_rate=D("0.0005"), grace_days=0)
    client.force_login(staff(Role.FINANCE, projects=[project]))
    # when the contract page is opened
    response = client.get(reverse("contract-detail", args=[c.pk]))
    # then it shows the plan lines, the overdue amount and the accrued late fee (300,000 × 0.05 % × 37 days)
    assert response.status_code == 200
    text = response.text
    assert "HT-X-009" in text and "首付款" in text and "按揭款" in text
    assert "300,000.00" in text and "700,000.00" in text
    balance = response.context["balance"]
    assert balance.overdue == D("300000.00")
    assert balance.late_fee == D("5550.00")
    assert "5,550.00" in text
    assert response.context["credit"] == D("0.00")


def test_contract_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    # given a project with 3 contracts, then with 30
    project = ProjectFactory()
    client.force_login(staff(Role.FINANCE, all_projects=True))

    def sign(n):
        for _ in range(n):
            contract(unit=unit_in(project), customer=CustomerFactory())

    # The 12 queries: session, user, staff profile (row scope), count, one page of contracts (project,
    # unit and building joined), their parties with customers (prefetch), balances (contracts, plan
    # lines, value-changing entries, receipts), staff profile again (role in the user menu), projects for
    # the filter select.
    sign(3)
    client.get(reverse("contract-list"))  # warm the per-process business-calendar cache
    # when the list is rendered with 3 rows and again with 30
    with django_assert_num_queries(12):
        few = client.get(reverse("contract-list"))
    sign(27)
    with django_assert_num_queries(12):
        many = client.get(reverse("contract-list"))
    # then both took the same 12 queries, and all rows were shown
    assert len(few.context["rows"]) == 3 and len(many.context["rows"]) == 30
