"""A bank's batch mortgage transfer paying several buyers: proposed by subset sum, or from the bank's list;
each loan line is paid through the mortgage pipeline's disbursement (receipt, stage, guarantee)."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.choices import MatchStatus
from huikuan.banking.models import Match
from huikuan.banking.services.disbursements import import_disbursement_list, match_disbursement, read_disbursement_file
from huikuan.banking.services.reconciliation import reconcile
from huikuan.core.models import AuditEvent
from huikuan.mortgages.choices import Stage
from huikuan.mortgages.models import Bank, LoanApplication
from huikuan.mortgages.services import open_applications
from huikuan.receivables.choices import ReceiptMethod
from huikuan.receivables.models import Receipt

from .helpers import bank_lines, outstanding, sold

pytestmark = pytest.mark.django_db

BUYERS = [("HT-2026-0101", "周一", "0101", "600000.00"), ("HT-2026-0102", "吴二", "0102", "450000.00"),
          ("HT-2026-0103", "郑三", "0103", "800000.00")]


def approved_loans(bank: Bank):  # type: ignore[no-untyped-def]
    contracts = []
    for contract_no, buyer, number, loan in BUYERS:
        c = sold(contract_no, buyer, [("down_payment", "首付款", date(2026, 3, 2), "300000.00"),
                                      ("mortgage_loan", "按揭款", date(2026, 3, 20), loan)], number=number)
        open_applications(actor=None, contract=c, bank=bank, on=date(2026, 3, 2))
        contracts.append(c)
    LoanApplication.objects.update(stage=Stage.APPROVED)
    return contracts


def test_a_batch_transfer_is_matched_to_the_loans_that_sum_to_it_and_disbursed_in_the_pipeline():
    # given three approved loans at one bank, and one transfer from the bank equal to two of them
    bank = Bank.objects.create(code="CCB", name="中国建设银行")
    first, second, third = approved_loans(bank)
    bank_lines(("2026-03-19", "1050000.00", "中国建设银行股份有限公司上海分行", "", "个贷放款", "B200"))
    # when reconciled
    reconcile()
    # then the transfer pays exactly those two loan lines, automatically, each as a disbursement
    m = Match.objects.live().get(transaction__key="B200")
    assert m.status == MatchStatus.AUTO
    assert sorted(m.lines.values_list("amount", flat=True)) == [D("450000.00"), D("600000.00")]
    assert (outstanding(first)[1], outstanding(second)[1], outstanding(third)[1]) == (D("0.00"), D("0.00"),
                                                                                     D("800000.00"))
    disbursed = LoanApplication.objects.filter(stage=Stage.DISBURSED).order_by("contract__contract_no")
    assert [(a.contract.contract_no, a.disbursed_amount) for a in disbursed] == [
        ("HT-2026-0101", D("600000.00")), ("HT-2026-0102", D("450000.00"))]
    assert sorted(Receipt.objects.filter(method=ReceiptMethod.LOAN_DISBURSEMENT).values_list("amount", flat=True)) == [
        D("450000.00"), D("600000.00")]
    # and the pipeline moved as recording the disbursement by hand does: the receipt linked to its application,
    # a stage change and an audit event each, the interim guarantee started (no agreement says otherwise)
    for app in disbursed:
        assert (app.disbursed_on, app.stage_entered_on) == (date(2026, 3, 19), date(2026, 3, 19))
        assert app.disbursement_receipt.reference == f"B200/{app.number}"
        assert list(app.stage_changes.filter(to_stage=Stage.DISBURSED).values_list("from_stage", "on")) == [
            (Stage.APPROVED, date(2026, 3, 19))]
        assert (app.guarantee.amount, app.guarantee.started_on) == (app.disbursed_amount, date(2026, 3, 19))
    assert AuditEvent.objects.filter(action="loan.stage", data__to_stage=Stage.DISBURSED).count() == 2


def test_a_disbursement_list_places_one_transfer_over_the_buyers_it_names(tmp_path):
    # given three approved loans and a transfer for all three, with the bank's list
    bank = Bank.objects.create(code="ABC", name="中国农业银行")
    contracts = approved_loans(bank)
    statement = bank_lines(("2026-03-25", "1850000.00", "某某代理有限公司", "", "放款", "B210"))
    path = tmp_path / "list.csv"
    path.write_text("合同编号,借款人,放款金额\nHT-2026-0101,周一,\"600,000.00\"\nHT-2026-0102,吴二,450000.00\n"
                    ",郑三,800000.00\n合计,,1850000.00\n", encoding="utf-8")
    txn = statement.transactions.get()
    # when the list is imported and matched to the transfer
    listing = import_disbursement_list(actor=None, rows=read_disbursement_file(path), txn=txn, file_name="list.csv")
    m = match_disbursement(actor=None, txn=txn, listing=listing)
    # then every buyer's loan is paid from it
    assert listing.total == D("1850000.00") and listing.rows.count() == 3
    assert m.status == MatchStatus.AUTO
    assert [outstanding(c)[1] for c in contracts] == [D("0.00"), D("0.00"), D("0.00")]
    assert LoanApplication.objects.filter(stage=Stage.DISBURSED).count() == 3


def test_a_list_that_does_not_add_up_to_the_transfer_waits_for_a_person(tmp_path):
    bank = Bank.objects.create(code="ICBC", name="中国工商银行")
    contracts = approved_loans(bank)
    statement = bank_lines(("2026-03-25", "1050000.00", "工商银行", "", "放款", "B220"))
    rows = read_disbursement_file("合同编号,金额\nHT-2026-0101,600000.00\nHT-2026-0102,450001.00\n".encode())
    txn = statement.transactions.get()
    m = match_disbursement(actor=None, txn=txn, listing=import_disbursement_list(actor=None, rows=rows, txn=txn))
    assert m.status != MatchStatus.AUTO and any("450001.00" in r for r in m.reasons)
    assert [outstanding(c)[1] for c in contracts] == [D("600000.00"), D("450000.00"), D("800000.00")]


def _xlsx_list(path, title: str = "中国农业银行个人住房贷款放款清单"):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(["放款日期：2026-03-25"])
    sheet.append(["序号", "借款人姓名", "合同编号", "发放金额（元）"])
    for n, (contract_no, buyer, _, loan) in enumerate(BUYERS, start=1):
        sheet.append([n, buyer, contract_no, float(loan)])  # numbers as the bank's spreadsheet stores them
    sheet.append(["合计", "", "", 1850000.0])
    book.save(path)
    return path


def test_the_command_imports_a_banks_spreadsheet_list_and_places_the_transfer(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    # given three approved loans, their batch transfer on the statement, and the bank's list as a spreadsheet with
    # a title above its header
    bank = Bank.objects.create(code="ABC", name="中国农业银行")
    contracts = approved_loans(bank)
    bank_lines(("2026-03-25", "1850000.00", "中国农业银行", "", "放款", "B230"))
    out = StringIO()
    # when the list is imported for the transfer by its reference
    call_command("import_disbursement_list", str(_xlsx_list(tmp_path / "list.xlsx")), "--transaction", "B230",
                 stdout=out)
    # then each buyer's loan is paid from it, automatically
    assert out.getvalue().startswith("B230 1850000.00: 3 row(s) listing 1850000.00; auto: 1850000.00 allocated")
    assert [outstanding(c)[1] for c in contracts] == [D("0.00"), D("0.00"), D("0.00")]


@pytest.mark.parametrize(("args", "says"), [
    (["--transaction", "NOPE"], "no bank line with the reference 'NOPE'"),
    (["--transaction", "B230", "--account", "6222 9999"], "no bank line with the reference 'B230' on account"),
])
def test_the_command_refuses_a_transfer_it_cannot_find(tmp_path, capsys, args, says):
    from django.core.management import call_command

    Bank.objects.create(code="ABC", name="中国农业银行")
    bank_lines(("2026-03-25", "1850000.00", "中国农业银行", "", "放款", "B230"))
    with pytest.raises(SystemExit) as done:
        call_command("import_disbursement_list", str(_xlsx_list(tmp_path / "list.xlsx")), *args)
    assert done.value.code == 2 and says in capsys.readouterr().err


def test_a_list_row_whose_amount_is_not_one_is_refused_naming_its_line(tmp_path):
    from huikuan.banking.statements import StatementError

    with pytest.raises(StatementError) as err:
        read_disbursement_file("放款清单\n合同编号,借款人,放款金额\nHT-2026-0101,周一,六十万\n".encode("gbk"))
    assert err.value.line == 3 and "六十万" in str(err.value)
    with pytest.raises(StatementError) as err:
        read_disbursement_file("合同编号,借款人,放款金额\nHT-2026-0101,周一,\"6,00,000.00\"\n".encode())
    assert err.value.line == 2 and "groups of three digits" in str(err.value)
    with pytest.raises(StatementError, match="needs a header"):
        read_disbursement_file(b"a,b\n1,2\n")


def test_a_list_is_matched_over_the_contracts_it_names_only(monkeypatch):
    from huikuan.banking.services import disbursements

    # given three approved loans, two other buyers' contracts, and a list naming its rows in other ways: a number
    # written without its dashes, a buyer by name alone, in traditional characters
    bank = Bank.objects.create(code="ABC", name="中国农业银行")
    contracts = approved_loans(bank)
    sold("HT-2026-0201", "冯四", [("mortgage_loan", "按揭款", date(2026, 3, 20), "800000.00")], number="0201")
    sold("HT-2026-0202", "陈五", [("mortgage_loan", "按揭款", date(2026, 3, 20), "450000.00")], number="0202")
    statement = bank_lines(("2026-03-25", "1850000.00", "中国农业银行", "", "放款", "B240"))
    txn = statement.transactions.get()
    rows = read_disbursement_file("合同编号,借款人,放款金额\nHT20260101,周一,600000.00\nHT-2026-0102,,450000.00\n"
                                  ",鄭三,800000.00\n".encode())
    indexed = []

    class Watched(disbursements.Matcher):
        def __init__(self, items, **options):  # type: ignore[no-untyped-def]
            indexed.extend(items)
            super().__init__(items, **options)

    monkeypatch.setattr(disbursements, "Matcher", Watched)
    # when it is matched to the transfer
    m = match_disbursement(actor=None, txn=txn, listing=import_disbursement_list(actor=None, rows=rows, txn=txn))
    # then the engine saw only the listed contracts' receivables, and paid every listed loan
    assert {it.contract_no for it in indexed} == {"HT-2026-0101", "HT-2026-0102", "HT-2026-0103"}
    assert m.status == MatchStatus.AUTO
    assert [outstanding(c)[1] for c in contracts] == [D("0.00"), D("0.00"), D("0.00")]


@pytest.mark.parametrize("in_sql", [900, 1], ids=["named in the query", "filtered after it"])
def test_open_items_of_named_contracts_are_those_of_the_whole_book(monkeypatch, in_sql):
    from huikuan.banking.services import open_items

    # given contracts, one with its down payment paid from a statement, and contracts named by number and by name
    monkeypatch.setattr(open_items, "NAMED_IN_SQL", in_sql)
    approved_loans(Bank.objects.create(code="CCB", name="中国建设银行"))
    sold("JJXF-2025-0003", "冯四", [("deposit", "定金", date(2026, 3, 1), "50000.00")], number="0201")
    bank_lines(("2026-03-02", "300000.00", "周一", "", "HT-2026-0101 首付", "B250"))
    reconcile()
    named = open_items.contracts_named(numbers=["20260101", "JJXF20250003"], names=["吳二", "nobody"])
    # then the named contracts are found however written, and their open items are exactly the whole book's
    assert len(named) == 3
    whole = [it for it in open_items.build_open_items() if it.contract_id in named]
    assert open_items.build_open_items(contract_ids=named) == whole
    assert {it.contract_no for it in whole} == {"HT-2026-0101", "HT-2026-0102", "JJXF-2025-0003"}
    assert [(it.kind, it.outstanding) for it in whole if it.contract_no == "HT-2026-0101"] == [
        ("mortgage_loan", D("600000.00"))]
    assert open_items.contracts_named() == set() and open_items.build_open_items(contract_ids=[]) == []
