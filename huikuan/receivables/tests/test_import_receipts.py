from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from huikuan.receivables.importing import import_receipts
from huikuan.receivables.models import Allocation, Receipt
from huikuan.sales.importing import ImportFailed
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import contract

pytestmark = pytest.mark.django_db


def two_line_contract(no="HT-9"):
    return contract(contract_no=no, method="mortgage", plan=[
        PlanLine("down_payment", 1, "首付款", date(2026, 3, 10), Decimal("300000.00")),
        PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 10), Decimal("700000.00")),
    ])


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_receipts_are_posted_and_allocated_oldest_due_first(tmp_path):
    # given a contract with a down payment and a loan line, and a cashier file with Chinese headers
    sale = two_line_contract()
    path = write(tmp_path / "r.csv", "合同编号,收款日期,金额,方式,流水号\n"
                                     "HT-9,2026-03-09,\"250,000.00\",转账,T001\n"
                                     "HT-9,2026/3/20,\"100,000\",POS,T002\n")
    # when imported
    result = import_receipts(path)
    # then both receipts are posted from the import source and fill the down payment before the loan
    assert (result.posted, result.skipped, result.amount) == (2, 0, Decimal("350000.00"))
    receipts = list(Receipt.objects.filter(contract=sale).order_by("received_on"))
    assert [(r.amount, r.method, r.source, r.reference) for r in receipts] == [
        (Decimal("250000.00"), "bank_transfer", "import", "T001"), (Decimal("100000.00"), "pos", "import", "T002")]
    allocations = Allocation.objects.filter(contract=sale).order_by("pk")
    assert [(a.receivable.name, a.allocated) for a in allocations] == [
        ("首付款", Decimal("250000.00")), ("首付款", Decimal("50000.00")), ("按揭款", Decimal("50000.00"))]


def test_reimport_skips_rows_by_reference_and_by_stable_hash(tmp_path):
    # given a file with two identical rows without a reference, and one with a reference (English headers)
    two_line_contract()
    path = write(tmp_path / "r.csv", "contract_no,date,amount,method,reference\n"
                                     "HT-9,2026-03-09,1000,现金,\n"
                                     "HT-9,2026-03-09,1000,现金,\n"
                                     "HT-9,2026-03-10,2000,微信,W-1\n")
    first = import_receipts(path)
    # when the same file is imported again
    second = import_receipts(path)
    # then the identical rows are two receipts the first time, and nothing is posted the second time
    assert (first.posted, first.skipped) == (3, 0)
    assert (second.posted, second.skipped) == (0, 3)
    assert Receipt.objects.count() == 3
    references = sorted(Receipt.objects.values_list("reference", flat=True))
    assert references[0] == "W-1" and references[1] != references[2]
    assert all(r.startswith("auto-") for r in references[1:])


def test_bad_rows_are_all_reported_and_nothing_is_posted(tmp_path):
    # given an unknown contract, a bad amount and an unknown method
    two_line_contract()
    path = write(tmp_path / "r.csv", "合同编号,日期,金额,方式\n"
                                     "HT-9,2026-03-09,1000,转账\n"
                                     "HT-404,2026-03-09,1000,转账\n"
                                     "HT-9,2026-03-09,-5,转账\n"
                                     "HT-9,2026-03-09,10,以物抵债\n")
    with pytest.raises(ImportFailed) as failed:
        import_receipts(path)
    assert [(e.row, e.column) for e in failed.value.errors] == [(3, "合同编号"), (4, "金额"), (5, "方式")]
    assert str(failed.value.errors[0]) == "r.csv, row 3, column 合同编号: no contract HT-404"
    assert Receipt.objects.count() == 0


def test_gbk_receipts_file_and_loan_disbursement(tmp_path):
    two_line_contract()
    path = write(tmp_path / "r.csv", "合同编号,收款日期,金额,方式,凭证号\nHT-9,20260410,700000,按揭放款,PZ-1\n",
                 encoding="gbk")
    import_receipts(path)
    assert Receipt.objects.get().method == "loan_disbursement"


def test_command_exits_2_on_a_bad_file(tmp_path, capsys):
    path = write(tmp_path / "r.csv", "合同编号,日期\nHT-9,2026-03-09\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import_receipts", str(path), "--no-progress")
    assert exited.value.code == 2
    assert "r.csv, row 1, column 金额: missing column 金额 / amount" in capsys.readouterr().err
