"""`huikuan reconcile`, `huikuan export_matches` and `huikuan report reconciliation` on a hand-made data set."""

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from huikuan.banking.models import BankAccount, Match
from huikuan.banking.reports import account_figures, collections_chart
from huikuan.banking.services import review
from huikuan.banking.services.reconciliation import reconcile
from huikuan.receivables import services as ledger
from huikuan.reports.registry import ReportOptions, run_report
from huikuan.testing.factories import ProjectFactory, staff

from .helpers import bank_lines, clerk, sold

pytestmark = pytest.mark.django_db

ESCROW = "3100000000000001"


def data_set():  # type: ignore[no-untyped-def]
    """Week of 2–8 March 2026 on an escrow account of project 云栖: one sure payment, one over-payment
    (confirmed), one partial payment (waiting), one unknown payer, one bank fee; a cashier receipt."""
    project = ProjectFactory(name="云栖")
    BankAccount.objects.create(account_no=ESCROW, name="云栖监管户", project=project, is_escrow=True)
    a = sold("HT-2026-0701", "张三", [("down_payment", "首付款", date(2026, 3, 5), "300000.00"),
                                       ("final_payment", "尾款", date(2026, 6, 1), "700000.00")],
             number="0701", project=project)
    b = sold("HT-2026-0702", "李四", [("down_payment", "首付款", date(2026, 3, 6), "200000.00"),
                                       ("final_payment", "尾款", date(2026, 6, 1), "300000.00")],
             number="0702", project=project)
    c = sold("HT-2026-0703", "王五", [("down_payment", "首付款", date(2026, 3, 7), "100000.00"),
                                       ("final_payment", "尾款", date(2026, 6, 1), "400000.00")],
             number="0703", project=project)
    bank_lines(("2026-03-05", "300000.00", "张三", "", "HT-2026-0701", "E1"),
               ("2026-03-06", "200050.00", "李四", "", "HT-2026-0702", "E2"),
               ("2026-03-07", "40000.00", "王五", "", "HT-2026-0703", "E3"),
               ("2026-03-07", "888.00", "某某广告公司", "", "", "E4"),
               ("2026-03-08", "-20.00", "手续费", "", "", "E5"), account=ESCROW)
    return a, b, c


def test_reconcile_command_prints_a_summary():
    data_set()
    out = StringIO()
    call_command("reconcile", "--account", ESCROW, "--no-progress", stdout=out)
    assert out.getvalue().strip() == ("5 transaction(s) considered: 1 matched automatically (300000.00 allocated), "
                                      "0 suggested, exceptions: overpayment 1, reversal 1, underpayment 1, "
                                      "unidentified 1.")


def test_export_matches_writes_one_row_per_allocation():
    # given the data set reconciled, and the over-payment confirmed
    data_set()
    reconcile()
    review.confirm(actor=clerk(), match=Match.objects.live().get(transaction__key="E2"))
    out = StringIO()
    # when exported as CSV
    call_command("export_matches", stdout=out)
    rows = list(csv.DictReader(StringIO(out.getvalue())))
    # then each allocation (made or proposed) is a row, and lines with none are a row each too
    got = [(r["bank_ref"], r["amount"], r["contract_no"], r["receivable"], r["proposed"], r["allocated"], r["status"],
            r["exception"]) for r in rows]
    assert got == [
        ("E1", "300000.00", "HT-2026-0701", "首付款 2026-03-05", "300000.00", "300000.00", "auto", ""),
        ("E2", "200050.00", "HT-2026-0702", "首付款 2026-03-06", "200000.00", "200000.00", "confirmed", "overpayment"),
        ("E3", "40000.00", "HT-2026-0703", "首付款 2026-03-07", "40000.00", "0.00", "exception", "underpayment"),
        ("E4", "888.00", "", "", "0.00", "0.00", "exception", "unidentified"),
        ("E5", "-20.00", "", "", "0.00", "0.00", "exception", "reversal"),
    ]
    assert "contract number HT-2026-0701 in the memo" in rows[0]["reason"]
    # and the JSON form carries the same rows
    out = StringIO()
    call_command("export_matches", "--format", "json", stdout=out)
    assert [json.loads(line)["allocated"] for line in out.getvalue().splitlines()] == [
        "300000.00", "200000.00", "0.00", "0.00", "0.00"]


def test_the_reconciliation_report_per_account_and_sales_versus_finance():
    # given the data set reconciled, the over-payment confirmed, and a cashier receipt on contract c
    a, b, c = data_set()
    reconcile()
    review.confirm(actor=clerk(), match=Match.objects.live().get(transaction__key="E2"))
    ledger.post_receipt(actor=None, contract=c, amount="10000.00", received_on=date(2026, 3, 8))
    out = StringIO()
    # when the report runs for the week on the command line
    call_command("report", "reconciliation", "--from", "2026-03-02", "--to", "2026-03-08", "--json", stdout=out)
    data = json.loads(out.getvalue())
    # then the escrow account shows what came in and what became of it
    account = data["accounts"][0]
    assert (account["account_no"], account["is_escrow"], account["project"]) == (ESCROW, True, "云栖")
    assert account["imported"] == {"count": 4, "amount": "540938.00"}
    assert account["auto"] == {"count": 1, "amount": "300000.00"}
    assert account["confirmed"] == {"count": 1, "amount": "200050.00"}
    assert account["suggested"] == {"count": 0, "amount": "0.00"}
    assert account["unidentified"] == {"count": 1, "amount": "888.00"}
    assert account["exceptions"]["underpayment"] == {"count": 1, "amount": "40000.00"}
    assert account["exceptions"]["overpayment"] == {"count": 1, "amount": "200050.00"}
    # and the bank fee, money out, as a reversal
    assert account["money_out"] == {"count": 1, "amount": "-20.00"}
    assert account["exceptions"]["reversal"] == {"count": 1, "amount": "-20.00"}
    # and sales (600,000 due this week) against finance (510,050 received) with the differences
    s = data["sales_vs_finance"]
    assert (s["expected"], s["received"], s["difference"]) == ("600000.00", "510050.00", "-89950.00")
    assert s["expected_unpaid"] == [{"contract_no": "HT-2026-0703", "item": "首付款", "due_date": "2026-03-07",
                                     "amount": "100000.00", "outstanding": "90000.00"}]
    assert [(r["contract_no"], r["unallocated"]) for r in s["received_unallocated"]] == [("HT-2026-0702", "50.00")]
    assert [(r["reference"], r["amount"]) for r in s["bank_unmatched"]] == [("E3", "40000.00"), ("E4", "888.00")]


def test_the_reconciliation_report_as_text_gives_each_accounts_counts_and_exceptions():
    data_set()
    reconcile()
    out = StringIO()
    call_command("report", "reconciliation", "--from", "2026-03-02", "--to", "2026-03-08", stdout=out)
    text = out.getvalue()
    assert (f"{ESCROW} [escrow 云栖]: imported 4 (540938.00), auto 1, confirmed 0, suggested 0, unidentified 1, "
            "not matched 0; money out 1 (-20.00); exceptions: underpayment 1, overpayment 1, unidentified 1, "
            "reversal 1") in text


def test_the_collections_chart_splits_each_accounts_money_in_to_the_cent():
    # given the week reconciled and the over-payment confirmed
    data_set()
    reconcile()
    review.confirm(actor=clerk(), match=Match.objects.live().get(transaction__key="E2"))
    # when the accounts page's chart is made from the report's figures
    chart = collections_chart(account_figures(date(2026, 3, 2), date(2026, 3, 8)))
    # then the escrow account's bar is split into what became of its money in — the partial payment held back
    # for a person (E3, 40,000.00) in the rest — and its parts add up to the 540,938.00 imported
    assert chart["accounts"] == [ESCROW]
    assert chart["parts"] == list(chart["series"]) == ["auto", "confirmed", "suggested", "unidentified", "other"]
    parts = {part: values[0] for part, values in chart["series"].items()}
    assert parts == {"auto": "300000.00", "confirmed": "200050.00", "suggested": "0.00", "unidentified": "888.00",
                     "other": "40000.00"}
    assert sum(Decimal(v) for v in parts.values()) == Decimal("540938.00") and chart["hidden"] == 0


def test_the_collections_chart_keeps_the_accounts_with_the_most_money_in():
    # given three accounts' figures (money in 5.00, 900.00, 70.00)
    def row(account_no, amount):  # type: ignore[no-untyped-def]
        cells = {part: {"count": 0, "amount": "0.00"} for part in ("auto", "confirmed", "suggested", "unidentified")}
        return {"account_no": account_no, "imported": {"count": 1, "amount": amount}, **cells}

    figures = [row("A", "5.00"), row("B", "900.00"), row("C", "70.00")]
    # when the chart may show two
    chart = collections_chart(figures, limit=2)
    # then it shows the two with the most money in, largest first, and says one was left out
    assert chart["accounts"] == ["B", "C"] and chart["series"]["other"] == ["900.00", "70.00"]
    assert chart["hidden"] == 1
    assert collections_chart(figures)["accounts"] == ["A", "B", "C"]


def test_the_report_follows_the_row_scope():
    # given the data set, and a finance clerk of another project only
    data_set()
    reconcile()
    outsider = staff("finance", projects=[ProjectFactory()])
    # when the report is run for them
    data = run_report("reconciliation", ReportOptions(as_of=date(2026, 3, 8), user=outsider))
    # then they see neither the escrow account of 云栖 nor its contracts
    assert data["accounts"] == [] and data["sales_vs_finance"]["expected"] == "0.00"
    assert data["sales_vs_finance"]["bank_unmatched"] == []
