import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from huikuan.receivables.services import post_receipt
from huikuan.reports.registry import ReportOptions, run_report
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import ProjectFactory, UnitFactory, contract

pytestmark = pytest.mark.django_db


def small_book():
    """HT-A: 300,000 down payment due 2026-03-10 (Tue), 700,000 loan due 2026-04-10; 200,000 paid 03-12.
    HT-B: lump sum 500,000 due 2026-03-02, paid in full on time, in another project."""
    first = contract(contract_no="HT-A", method="mortgage", plan=[
        PlanLine("down_payment", 1, "首付款", date(2026, 3, 10), Decimal("300000.00")),
        PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 10), Decimal("700000.00")),
    ])
    post_receipt(actor=None, contract=first, amount="200000.00", received_on=date(2026, 3, 12))
    other = UnitFactory(building__project=ProjectFactory(name="滨江壹号", code="BJ"))
    second = contract(contract_no="HT-B", unit=other, price="500000.00", plan=[
        PlanLine("full_payment", 1, "房款", date(2026, 3, 2), Decimal("500000.00"))])
    post_receipt(actor=None, contract=second, amount="500000.00", received_on=date(2026, 3, 2))
    return first, second


def test_balances_json_document(capsys):
    # given the small book
    first, _ = small_book()
    # when the report runs as of 2026-03-20
    out = StringIO()
    call_command("report", "balances", "--as-of", "2026-03-20", "--json", stdout=out)
    document = json.loads(out.getvalue())
    # then each contract carries exact decimal strings:
    # overdue 100,000 of the down payment; late fee 0.05 % × (200,000 × 2 days + 100,000 × 10 days) = 700.00
    assert document["as_of"] == "2026-03-20"
    assert document["contracts"] == [
        {"contract_no": "HT-A", "status": "signed", "price": "1000000.00", "due": "300000.00",
         "received": "200000.00", "outstanding": "800000.00", "overdue": "100000.00", "late_fee": "700.00",
         "project": first.project.name},
        {"contract_no": "HT-B", "status": "signed", "price": "500000.00", "due": "500000.00",
         "received": "500000.00", "outstanding": "0.00", "overdue": "0.00", "late_fee": "0.00",
         "project": "滨江壹号"},
    ]
    assert document["totals"] == {"contracts": 2, "price": "1500000.00", "due": "800000.00",
                                  "received": "700000.00", "outstanding": "800000.00", "overdue": "100000.00",
                                  "late_fee": "700.00"}


def test_project_filter_and_the_function_the_api_calls():
    # given the small book
    small_book()
    # when the API asks for one project's balances
    data = run_report("balances", ReportOptions(as_of=date(2026, 3, 20), project="BJ"))
    # then it gets plain lists with the same rows
    assert [row["contract_no"] for row in data["contracts"]] == ["HT-B"]
    assert data["totals"]["received"] == "500000.00"


def test_text_table_ends_with_totals():
    small_book()
    out = StringIO()
    call_command("report", "balances", "--as-of", "2026-03-20", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "余额 balances as of 2026-03-20"
    assert lines[2].split()[0] == "HT-A" and lines[2].split()[-1] == "700.00"
    assert lines[-1].split()[-6:] == ["1500000.00", "800000.00", "700000.00", "800000.00", "100000.00", "700.00"]


def test_unknown_report_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no report 'nope'; there are: .*balances"):
        call_command("report", "nope")


@pytest.mark.django_db(transaction=True)
def test_the_two_process_split_writes_the_same_report(monkeypatch):
    # (a forked helper needs committed rows and its own connection: PostgreSQL, or a file database)
    from huikuan.reports import balances_report
    from huikuan.reports.registry import ReportOptions, materialise
    from huikuan.testing.services import require_postgres

    require_postgres()
    # given five contracts, two of them paid
    for n in range(5):
        c = contract(price="1000.00", contract_no=f"HT-SPLIT-{n}",
                     plan=[PlanLine("full_payment", 1, "房款", date(2026, 3, 2), Decimal("1000.00"))])
        if n % 2:
            post_receipt(actor=None, contract=c, amount="1000.00", received_on=date(2026, 3, 2))
    options = {"as_of": date(2026, 3, 12)}
    # when the report is computed in one process, and split over two
    serial = materialise(balances_report.balances_data(ReportOptions(**options)))
    monkeypatch.setattr(balances_report, "PARALLEL_FROM", 1)
    split = materialise(balances_report.balances_data(ReportOptions(**options, parallel=True)))
    # then both give the same rows in the same order, and the same totals
    assert split == serial
    assert split["totals"]["overdue"] == "3000.00"


def test_a_row_written_from_cents_is_the_text_of_its_figures():
    from decimal import Decimal

    from huikuan.receivables.balances import cents_str

    # negative amounts, a fraction of a yuan, quotes and Chinese in the names
    assert [cents_str(c) for c in (0, 5, -5, 100, -123456789, 1200000000)] == \
        ["0.00", "0.05", "-0.05", "1.00", "-1234567.89", "12000000.00"]
    assert all(cents_str(c) == f"{Decimal(c).scaleb(-2):.2f}" for c in range(-1000, 1000, 7))
