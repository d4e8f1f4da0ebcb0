from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from huikuan.core.models import AuditEvent
from huikuan.customers.models import Customer
from huikuan.org.choices import UnitStatus
from huikuan.org.models import Project, Unit
from huikuan.receivables.models import Receivable
from huikuan.sales.importing import ImportFailed, import_contracts
from huikuan.sales.models import Contract, ContractParty
from huikuan.sales.plans import build_plan
from huikuan.testing.factories import resident_id

pytestmark = pytest.mark.django_db

ZH_HEADER = "合同编号,项目,楼栋,房号,客户姓名,证件号码,联系电话,签约日期,成交总价,付款方式,建筑面积\n"
EN_HEADER = "contract_no,project,building,unit,customer_name,id_number,phone,sign_date,total_price,payment_method\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def zh_rows(*numbers):
    return "".join(f"HT-{n},锦江学府,1栋,{1200 + n},张{n},{resident_id(n)},1380000000{n},2026-03-05,"
                   f"\"1,000,000.00\",商业按揭,98.50\n" for n in numbers)


def plan_lines(contract):
    return [(r.kind, r.seq, r.name, r.due_date, r.amount) for r in contract.receivables.order_by("due_date", "pk")]


def test_chinese_headers_without_plan_sign_like_the_service(tmp_path, settings):
    # given a contracts file with Chinese headers and no plan file
    path = write(tmp_path / "contracts.csv", ZH_HEADER + zh_rows(1))
    # when it is imported
    result = import_contracts(path)
    # then the contract is what sign_contract makes: template plan, signed unit, primary party, default terms
    assert (result.created, result.skipped, result.customers_created, result.units_created) == (1, 0, 1, 1)
    contract = Contract.objects.get(contract_no="HT-1")
    assert contract.project == Project.objects.get(name="锦江学府")
    assert contract.unit.status == UnitStatus.SIGNED
    assert (contract.unit.number, contract.unit.building.name) == ("1201", "1栋")
    assert contract.contract_area == Decimal("98.50")
    assert contract.unit.pre_sale_area == Decimal("98.50")
    assert (contract.price, contract.list_price) == (Decimal("1000000.00"), Decimal("1000000.00"))
    assert contract.payment_method == "mortgage"
    assert contract.sign_date == date(2026, 3, 5)
    assert contract.late_fee_daily_rate == Decimal(settings.HUIKUAN["LATE_FEE_DAILY_RATE"])
    assert contract.late_fee_cap_ratio == Decimal("0.0500")
    party = ContractParty.objects.get(contract=contract)
    assert party.is_primary and party.share == Decimal("100.00")
    assert party.customer.id_number == resident_id(1) and party.customer.phone == "13800000001"
    expected = build_plan("mortgage", Decimal("1000000.00"), date(2026, 3, 5))
    assert plan_lines(contract) == [(p.kind, p.seq, p.name, p.due_date, p.amount) for p in expected]
    # and one audit event tells about the import
    event = AuditEvent.objects.get(action="contracts.imported")
    assert event.data["created"] == 1 and event.data["receivables_created"] == 2


def test_english_headers_with_plan_file_keep_unknown_items_as_other(tmp_path):
    # given English headers, ¥ and thousands separators, and a plan with an item nobody recognises
    contracts = write(tmp_path / "c.csv", EN_HEADER + f"A-1,Riverside,B2,0801,Li Lei,{resident_id(7)},139,"
                      "2026/3/5,\"¥1,200,000.50\",installments\n")
    plan = write(tmp_path / "p.csv", "contract_no,item,due_date,amount\n"
                 "A-1,定金,20260301,\"50,000.00\"\n"
                 "A-1,首付款,2026年3月12日,\"310,000.00\"\n"
                 "A-1,分期款2,2026-06-05,\"800,000.50\"\n"
                 "A-1,装修款,2026-09-05,\"40,000\"\n")
    # when imported with the plan
    result = import_contracts(contracts, plan)
    # then the plan is the file's, recognised where possible and kept as written otherwise
    assert result.receivables_created == 4
    contract = Contract.objects.get(contract_no="A-1")
    assert contract.price == Decimal("1200000.50") and contract.payment_method == "installment"
    assert plan_lines(contract) == [
        ("deposit", 1, "定金", date(2026, 3, 1), Decimal("50000.00")),
        ("down_payment", 1, "首付款", date(2026, 3, 12), Decimal("310000.00")),
        ("installment", 2, "分期款2", date(2026, 6, 5), Decimal("800000.50")),
        ("other", 1, "装修款", date(2026, 9, 5), Decimal("40000.00")),
    ]


def test_gbk_file_is_decoded(tmp_path):
    # given a file saved by Excel in GBK
    path = write(tmp_path / "gbk.csv", ZH_HEADER + zh_rows(2), encoding="gbk")
    # when imported
    import_contracts(path)
    # then the Chinese names come through
    assert Contract.objects.get(contract_no="HT-2").project.name == "锦江学府"
    assert Customer.objects.get().name == "张2"


def test_xlsx_with_date_and_number_cells(tmp_path):
    # given a workbook with a real date cell, a number cell for the price and a text ID column
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ZH_HEADER.strip().split(","))
    sheet.append(["X-1", "滨江壹号", "3栋", 1502, "王五", resident_id(9), "13900000000", date(2026, 4, 1),
                  1500000.2, "一次性", 120.5])
    path = tmp_path / "book.xlsx"
    book.save(path)
    # when imported
    import_contracts(path)
    # then numbers are read as shown, not through float arithmetic
    contract = Contract.objects.get(contract_no="X-1")
    assert (contract.price, contract.sign_date, contract.unit.number) == (Decimal("1500000.20"), date(2026, 4, 1),
                                                                          "1502")
    assert contract.contract_area == Decimal("120.50")
    assert plan_lines(contract) == [("full_payment", 1, "房款", date(2026, 4, 8), Decimal("1500000.20"))]


def test_plan_not_summing_to_price_is_refused_and_nothing_is_written(tmp_path):
    # given a plan one yuan short of the price of HT-1 (HT-2's plan is fine)
    contracts = write(tmp_path / "c.csv", ZH_HEADER + zh_rows(1, 2))
    plan = write(tmp_path / "plan.csv", "合同编号,款项名称,应收日期,应收金额\n"
                 "HT-1,首付款,2026-03-12,300000\nHT-1,按揭款,2026-04-05,699999\n"
                 "HT-2,房款,2026-03-12,\"1,000,000.00\"\n")
    # when imported
    with pytest.raises(ImportFailed) as failed:
        import_contracts(contracts, plan)
    # then the error names the file, row, column, contract and difference, and nothing was written
    assert [str(e) for e in failed.value.errors] == [
        "plan.csv, row 2, column 应收金额: the plan of contract HT-1 sums to 999999.00, its price is 1000000.00 "
        "(difference -1.00)"]
    assert (Contract.objects.count(), Customer.objects.count(), Unit.objects.count(), Project.objects.count()) == (
        0, 0, 0, 0)


def test_bad_id_check_digit_names_row_and_column_and_writes_nothing(tmp_path):
    # given a second row whose ID number has a wrong check digit, and a third with a bad date
    good = resident_id(3)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = zh_rows(1) + zh_rows(3).replace(good, bad) + zh_rows(4).replace("2026-03-05", "2026-02-30")
    path = write(tmp_path / "contracts.csv", ZH_HEADER + rows)
    # when imported
    with pytest.raises(ImportFailed) as failed:
        import_contracts(path)
    # then every error is reported with its row and column, and nothing is written
    assert [(e.file, e.row, e.column) for e in failed.value.errors] == [
        ("contracts.csv", 3, "证件号码"), ("contracts.csv", 4, "签约日期")]
    assert "check digit" in failed.value.errors[0].reason
    assert Contract.objects.count() == 0 and Customer.objects.count() == 0


def test_reimport_changes_nothing_and_partial_overlap_imports_only_new(tmp_path):
    # given a file already imported
    first = write(tmp_path / "a.csv", ZH_HEADER + zh_rows(1, 2))
    import_contracts(first)
    counts = (Contract.objects.count(), Receivable.objects.count(), Customer.objects.count(),
              AuditEvent.objects.count())
    # when the same file is imported again
    again = import_contracts(first)
    # then nothing changes
    assert (again.created, again.skipped) == (0, 2)
    assert (Contract.objects.count(), Receivable.objects.count(), Customer.objects.count(),
            AuditEvent.objects.count()) == counts
    # when a file with one old and one new contract comes
    overlap = import_contracts(write(tmp_path / "b.csv", ZH_HEADER + zh_rows(2, 5)))
    # then only the new one is created
    assert (overlap.created, overlap.skipped) == (1, 1)
    assert sorted(Contract.objects.values_list("contract_no", flat=True)) == ["HT-1", "HT-2", "HT-5"]


def test_existing_contract_with_a_different_field_is_an_error(tmp_path):
    # given HT-1 imported at one million
    import_contracts(write(tmp_path / "a.csv", ZH_HEADER + zh_rows(1)))
    # when a file says HT-1 costs more
    changed = write(tmp_path / "b.csv", ZH_HEADER + zh_rows(1).replace("1,000,000.00", "1,000,100.00"))
    with pytest.raises(ImportFailed) as failed:
        import_contracts(changed)
    # then the field is named
    assert [str(e) for e in failed.value.errors] == [
        "b.csv, row 2, column 成交总价: contract HT-1 already exists with 成交总价 1000000.00; "
        "the file says 1000100.00"]


def test_customers_are_deduplicated_by_id_number(tmp_path):
    # given one buyer on two contracts, with a co-owner on the second
    rows = zh_rows(1) + zh_rows(2).replace(resident_id(2), resident_id(1)).replace("张2", "张1")
    header = ZH_HEADER.strip() + ",共有人,共有人证件号码\n"
    lines = rows.strip().split("\n")
    text = header + lines[0] + ",,\n" + lines[1] + f",李雷,{resident_id(8)}\n"
    # when imported
    result = import_contracts(write(tmp_path / "c.csv", text))
    # then there is one customer for the buyer, and the co-owner is a second, non-primary party
    assert result.customers_created == 2
    parties = ContractParty.objects.filter(contract__contract_no="HT-2").order_by("-is_primary")
    assert [(p.customer.name, p.is_primary) for p in parties] == [("张1", True), ("李雷", False)]


def test_command_exits_2_and_prints_every_error(tmp_path, capsys):
    # given a file whose payment method and price are not understood
    path = write(tmp_path / "bad.csv", ZH_HEADER + zh_rows(1).replace("商业按揭", "以物抵债").replace(
        "\"1,000,000.00\"", "abc"))
    # when the command runs
    with pytest.raises(SystemExit) as exited:
        call_command("import_contracts", str(path), "--no-progress")
    # then it exits with 2 and names each problem
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 2, column 成交总价: 'abc' is not an amount" in err
    assert "bad.csv, row 2, column 付款方式: '以物抵债' is not a payment method" in err
    assert Contract.objects.count() == 0


def test_command_prints_a_summary(tmp_path, capsys):
    path = write(tmp_path / "ok.csv", ZH_HEADER + zh_rows(1))
    call_command("import_contracts", str(path), "--no-progress")
    assert capsys.readouterr().out.startswith("ok.csv: 1 contract(s) created, 0 already there (skipped)")


def test_missing_column_is_reported(tmp_path):
    path = write(tmp_path / "c.csv", ZH_HEADER.replace("付款方式,", "") + "x\n")
    with pytest.raises(ImportFailed) as failed:
        import_contracts(path)
    assert [str(e) for e in failed.value.errors] == ["c.csv, row 1, column 付款方式: missing column 付款方式 / "
                                                     "payment_method"]
