"""Statement parsing: each supported format gives exactly its transaction lines, in Decimal."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from huikuan.banking.statements import (
    ColumnMapping,
    StatementError,
    check_balance_continuity,
    parse_statement,
    transaction_key,
    transaction_keys,
)

FIX = Path(__file__).parent / "fixtures"


def test_gbk_corporate_csv_with_preamble_totals_and_income_expense_columns():
    # given an ICBC-style GBK export with preamble, padded cells, ¥ signs, "--" and a totals row
    # when it is parsed
    result = parse_statement(FIX / "icbc_corporate_gbk.csv")
    # then the three lines come out, signed, and the account number is captured
    assert result.format == "csv"
    assert result.account == "1202021009001234567"
    assert [t.amount for t in result.transactions] == [Decimal("50000.00"), Decimal("-12.50"), Decimal("3000.50")]
    assert [t.date for t in result.transactions] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    first = result.transactions[0]
    assert (first.counterparty, first.counterparty_account, first.bank_ref) == ("张三", "6222021234567890123", "V0001")
    assert first.memo == "转账 HT-2026-0012 首付款"
    assert first.balance == Decimal("1050000.00")
    assert first.line_no == 7
    assert result.transactions[2].counterparty_account == "6222000011112222"


def test_csv_injection_cell_is_kept_as_text_and_flagged():
    # given a line whose 用途 cell is a spreadsheet formula
    result = parse_statement(FIX / "icbc_corporate_gbk.csv")
    # then the text is kept verbatim and a warning names the line
    assert '=HYPERLINK("http://x")' in result.transactions[1].memo
    assert any("line 8" in w and "formula" in w for w in result.warnings)


def test_tab_separated_signed_amounts_with_mixed_date_forms():
    # given a UTF-8-BOM tab-separated personal statement (20260305, 2026/3/7, ￥, +500, 总计 row)
    result = parse_statement(FIX / "ccb_personal_signed.txt")
    # then amounts keep their sign and dates normalise
    assert [(t.date, t.amount, t.direction) for t in result.transactions] == [
        (date(2026, 3, 5), Decimal("-1200.00"), "debit"),
        (date(2026, 3, 6), Decimal("3000.00"), "credit"),
        (date(2026, 3, 7), Decimal("500.00"), "credit"),
    ]
    assert result.account == "6217001234567890"


def test_amount_with_dr_cr_column_and_day_first_dates():
    # given an English export with Dr/Cr marks and dd/mm/yyyy dates
    result = parse_statement(FIX / "boc_drcr.csv")
    # then Dr lines are negative and 13/03/2026 is the 13th of March
    assert [t.amount for t in result.transactions] == [Decimal("1000.00"), Decimal("-200.00"), Decimal("2500.00")]
    assert result.transactions[2].date == date(2026, 3, 13)
    assert result.transactions[0].date == date(2026, 3, 5)


def test_xls_with_income_expense_columns_and_total_row():
    # given a legacy .xls with 收入金额/支出金额 columns
    result = parse_statement(FIX / "abc_income_expense.xls")
    # then both lines come out and the 合计 row does not
    assert result.format == "xls"
    assert [t.amount for t in result.transactions] == [Decimal("8000.00"), Decimal("-300.00")]
    assert result.transactions[0].counterparty == "陳大文"


def test_xlsx_generated_with_openpyxl(tmp_path):
    # given an xlsx with a preamble row, a debit/credit column and a date cell
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号", "6222 8888 0000 1111"])
    ws.append(["记账日期", "金额", "借贷标志", "对方户名", "摘要"])
    ws.append([date(2026, 3, 5), 1234.5, "贷", "张三", "HT-2026-0012"])
    ws.append(["2026-03-06", "88.00", "借", "银行", "手续费"])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    # when parsed
    result = parse_statement(path)
    # then the Excel float becomes an exact Decimal and 借 is negative
    assert result.format == "xlsx"
    assert result.account == "6222888800001111"
    assert [t.amount for t in result.transactions] == [Decimal("1234.50"), Decimal("-88.00")]
    assert result.transactions[0].date == date(2026, 3, 5)


def test_wechat_bill_keeps_neutral_lines():
    # given a WeChat Pay bill with a "/" (中性) line
    result = parse_statement(FIX / "wechat_bill.csv")
    # then every line is emitted, the neutral one with direction "neutral"
    assert result.format == "wechat"
    assert [t.direction for t in result.transactions] == ["credit", "credit", "neutral"]
    assert [t.amount for t in result.transactions] == [Decimal("20000.00"), Decimal("200.00"), Decimal("100.00")]
    assert result.transactions[0].bank_ref == "1000050001202603050123456789"
    assert "3栋1单元1202定金" in result.transactions[0].memo


def test_alipay_bill_gbk_with_not_counted_line():
    # given an Alipay bill in GB18030 with 收入/支出/不计收支
    result = parse_statement(FIX / "alipay_bill.csv")
    # then the 不计收支 line stays neutral and expenses are negative
    assert result.format == "alipay"
    assert [(t.amount, t.direction) for t in result.transactions] == [
        (Decimal("50000.00"), "credit"), (Decimal("-30.00"), "debit"), (Decimal("500.00"), "neutral"),
    ]


def test_mt940_gbk_details_and_balances():
    # given a GBK MT940 with Chinese :86: details
    result = parse_statement(FIX / "statement_gbk.sta")
    # then both lines come out with the counterparty; the opening balance, and the closing one on the last line
    assert result.format == "mt940"
    assert result.opening_balance == Decimal("100000.00")
    assert result.closing_balance == Decimal("148799.50")
    tx = result.transactions[0]
    assert (tx.amount, tx.counterparty, tx.bank_ref, tx.line_no) == (Decimal("50000.00"), "张三", "BR123", 5)
    assert "3栋1单元1202" in tx.memo
    assert result.transactions[1].amount == Decimal("-1200.50")
    assert [t.balance for t in result.transactions] == [None, Decimal("148799.50")]
    assert check_balance_continuity(result.transactions, result.opening_balance) == []


def test_camt053_entries():
    # given a CAMT.053 statement
    result = parse_statement(FIX / "camt053.xml")
    # then credits are positive, debits negative, and the debtor is the counterparty
    assert result.format == "camt.053"
    assert [t.amount for t in result.transactions] == [Decimal("880000.00"), Decimal("-50.00")]
    assert result.transactions[0].counterparty == "中国建设银行股份有限公司北京分行"
    assert result.transactions[0].bank_ref == "CAMT0001"
    assert result.opening_balance == Decimal("1000.00")


def test_ofx_with_cnaps_bank_code_falls_back_to_tolerant_reader():
    # given an OFX whose 12-digit CNAPS bank id ofxtools refuses
    result = parse_statement(FIX / "cnaps.ofx")
    # then the tolerant reader still yields both lines
    assert result.format == "ofx"
    assert [(t.amount, t.bank_ref) for t in result.transactions] == [
        (Decimal("12000.00"), "OFX0001"), (Decimal("-35.00"), "OFX0002"),
    ]
    assert result.closing_balance == Decimal("99965.00")


def test_text_pdf_table(tmp_path):
    # given a PDF with a text layer (reportlab, CID font STSong-Light)
    pytest.importorskip("reportlab", reason="reportlab is needed to write the sample PDF")
    pytest.importorskip("pdfplumber", reason="pdfplumber reads PDF statements")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "s.pdf"
    table = Table([
        ["交易日期", "摘要", "收入", "支出", "余额", "对方户名"],
        ["2026-03-05", "首付款", "50,000.00", "", "150,000.00", "张三"],
        ["2026-03-06", "手续费", "", "10.00", "149,990.00", ""],
        ["合计", "", "50,000.00", "10.00", "", ""],
    ])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light")]))
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    # when parsed
    result = parse_statement(path)
    # then the two lines come out, the totals row does not
    assert result.format == "pdf"
    assert [(t.amount, t.counterparty) for t in result.transactions] == [
        (Decimal("50000.00"), "张三"), (Decimal("-10.00"), ""),
    ]


def test_column_mapping_when_headers_are_unknown():
    # given a CSV whose headers no synonym covers
    data = "Buchung;Betrag;Wer\n05.03.2026;1.000,00;X\n".replace("1.000,00", "1000.00").encode()
    with pytest.raises(StatementError) as err:
        parse_statement(data)
    assert "date" in str(err.value)
    mapping = ColumnMapping.from_dict(
        {"columns": {"date": "Buchung", "amount": "Betrag", "counterparty": "Wer"}, "date_format": "%d.%m.%Y"}
    )
    # when a saved mapping is given
    result = parse_statement(data, mapping=mapping)
    # then it is used
    assert [(t.date, t.amount, t.counterparty) for t in result.transactions] == [
        (date(2026, 3, 5), Decimal("1000.00"), "X"),
    ]
    assert ColumnMapping.from_dict(mapping.to_dict()) == mapping


def test_bad_date_names_line_and_column():
    # given a line whose date cell is not a date but has an amount
    data = "交易日期,金额\n2026-03-05,10.00\nyesterday,20.00\n".encode()
    # when parsed / then the error names line 3 and the column
    with pytest.raises(StatementError) as err:
        parse_statement(data, filename="x.csv")
    assert err.value.line == 3
    assert "交易日期" in str(err.value) and "x.csv" in str(err.value)


def test_transaction_key_is_stable_and_counts_identical_lines():
    # given a statement with two identical lines and no bank reference
    data = "日期,金额,对方户名\n2026-03-05,10.00,A\n2026-03-05,10.00,A\n2026-03-06,5.00,B\n".encode()
    txs = parse_statement(data).transactions
    # when keys are computed twice
    keys = transaction_keys(txs)
    # then they are stable, distinct for identical lines, and match transaction_key with occurrences
    assert keys == transaction_keys(parse_statement(io.BytesIO(data).read()).transactions)
    assert len(set(keys)) == 3
    assert keys[1] == transaction_key(txs[1], 1)
    assert keys[0] == transaction_key(txs[0], 0)


def test_balance_gap_is_reported_with_line_numbers():
    # given balances where one line (a missing page) breaks continuity
    data = "日期,金额,余额\n2026-03-05,10.00,110.00\n2026-03-06,5.00,115.00\n2026-03-08,5.00,150.00\n".encode()
    txs = parse_statement(data).transactions
    # when checked
    gaps = check_balance_continuity(txs)
    # then the gap is on line 4, expected 120.00, difference 30.00
    assert [(g.line_no, g.previous_line_no, g.expected, g.difference) for g in gaps] == [
        (4, 3, Decimal("120.00"), Decimal("30.00")),
    ]


def test_repeated_headers_separators_and_page_totals_are_skipped_but_every_line_comes_out():
    # given a multi-page export: the header repeated on each page, a separator, a page total, and a line
    # with one more cell than the header has names (the sixth header cell is blank)
    data = "\n".join([
        "交易日期,摘要,收入,支出,对方户名,",
        "2026-03-02,转账,100.00,,张三,",
        "本页合计,,100.00,,,",
        "-----,-----,-----,-----,-----,-----",
        " 交易日期 ,摘要, 收入 ,支出,对方户名,",
        "2026-03-03,转账,,5.50,李四,备注,extra",
        "2026-03-04,'0042,\"¥1,000.00\",--,王五,",
    ]).encode()
    # when it is parsed
    result = parse_statement(data)
    # then the three lines come out, and nothing else
    assert [(t.line_no, t.amount) for t in result.transactions] == [
        (2, Decimal("100.00")), (6, Decimal("-5.50")), (7, Decimal("1000.00"))]
    assert result.warnings == []
    # and each line keeps its cells by header, unnamed columns by position
    assert result.transactions[1].raw == {"交易日期": "2026-03-03", "摘要": "转账", "收入": "", "支出": "5.50",
                                          "对方户名": "李四", "col6": "备注", "col7": "extra"}
    assert result.transactions[2].memo == "0042"


def test_a_mapping_that_names_no_amount_column_is_refused_with_what_is_missing():
    data = b"Buchung;Betrag;Wer\n05.03.2026;1000.00;X\n"
    # a signed-amount convention with only an income column mapped
    mapping = ColumnMapping.from_dict({"columns": {"date": "Buchung", "credit": "Betrag", "counterparty": "Wer"},
                                       "amount_convention": "signed", "date_format": "%d.%m.%Y"})
    with pytest.raises(StatementError) as err:
        parse_statement(data, mapping=mapping)
    assert "the mapping names no column for amount" in str(err.value)
    with_dc = ColumnMapping.from_dict({"columns": {"date": "Buchung", "amount": "Betrag"},
                                       "amount_convention": "amount_with_dc", "date_format": "%d.%m.%Y"})
    with pytest.raises(StatementError) as err:
        parse_statement(data, mapping=with_dc)
    assert "the mapping names no column for dc" in str(err.value)


def test_a_negative_income_is_a_reversal_and_balances_stay_continuous():
    # given income/expense columns where a receipt reversed (红字冲正) is a negative income, in parentheses, and
    # the bank's expense column writes its amounts with a minus sign
    data = "\n".join([
        "交易日期,摘要,借方发生额,贷方发生额,余额,对方户名",
        '2026-03-05,转账,,"1,200.00","5,200.00",张三',
        "2026-03-06,手续费,-15.00,,\"5,185.00\",",
        '2026-03-07,冲正,,(300.00),"4,885.00",张三',
    ]).encode("gbk")
    # when parsed
    result = parse_statement(data, filename="icbc.csv")
    # then the reversal is money out, the fee too, and the balances follow the lines
    assert [(t.amount, t.direction) for t in result.transactions] == [
        (Decimal("1200.00"), "credit"), (Decimal("-15.00"), "debit"), (Decimal("-300.00"), "debit"),
    ]
    assert check_balance_continuity(result.transactions) == []
    assert any("line 4" in w and "reversal" in w for w in result.warnings)


def test_an_amount_with_a_cr_or_dr_mark_keeps_its_side():
    # given a foreign bank's export whose amount cells carry CR/DR (and 贷/借) instead of a sign
    data = "\n".join([
        "Value Date,Amount,Payee", '2026-03-05,"1,200.00 CR",A', "2026-03-06,15.00Dr,", "2026-03-07,300.00贷,B",
    ]).encode()
    # when parsed / then credits are positive, debits negative
    assert [t.amount for t in parse_statement(data).transactions] == [
        Decimal("1200.00"), Decimal("-15.00"), Decimal("300.00"),
    ]


@pytest.mark.parametrize(("cell", "why"), [
    ("12,50", "decimal comma"),  # would have been 1250.00
    ("1,20.00", "groups of three digits"),  # a digit lost (an OCR misreading): would have been 120.00
    ("1200.005", "more than two decimal places"),
    ("1.2E+06", "scientific notation"),
])
def test_an_amount_that_would_be_misread_stops_the_file_naming_line_column_and_reason(cell, why):
    # given a line whose amount cell is written so that dropping its commas or rounding it would change it
    data = f'日期,金额\n2026-03-05,10.00\n2026-03-06,"{cell}"\n'.encode()
    # when parsed / then the file is refused, naming the line, the column, the text and what is wrong
    with pytest.raises(StatementError) as err:
        parse_statement(data, filename="x.csv")
    assert err.value.line == 3
    assert "金额" in str(err.value) and cell in str(err.value) and why in str(err.value)


def test_a_spreadsheet_sum_with_binary_noise_is_read_as_it_displays(tmp_path):
    # given an xlsx whose amount and balance cells hold floats a spreadsheet's own arithmetic left slightly off
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["交易日期", "金额", "余额"])
    sheet.append(["2026-03-05", 0.1 + 0.2, 1234.26 + 0.3])
    path = tmp_path / "noise.xlsx"
    book.save(path)
    # when parsed / then each is the amount it displays, to the cent
    [t] = parse_statement(path).transactions
    assert (t.amount, t.balance) == (Decimal("0.30"), Decimal("1234.56"))


def test_english_month_names_of_foreign_banks_exports():
    # given an English export with the month written as a word, in the three usual orders
    data = b'Date,Amount\n05 Mar 2026,10.00\n6-Mar-2026,5.00\n"Mar 7, 2026",1.00\n"September 30, 2026",2.00\n'
    # when parsed / then each date is read; a word that is no month is not a date
    assert [t.date for t in parse_statement(data).transactions] == [
        date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 7), date(2026, 9, 30),
    ]
    with pytest.raises(StatementError) as err:
        parse_statement(b'Date,Amount\n05 Mar 2026,10.00\n05 Foo 2026,5.00\n')
    assert err.value.line == 3


def test_wechat_pay_merchant_bill_payments_and_refunds():
    # given WeChat Pay's merchant bill: backtick-quoted cells, a payment and a refund, no payer names, a summary
    result = parse_statement(FIX / "wechat_merchant_bill.csv")
    # then the payment is money in, the refund money out (keyed by its own refund number), the summary is no line
    assert result.format == "wechat-merchant" and result.account == "1900000109"
    assert [(t.date, t.amount, t.direction, t.bank_ref) for t in result.transactions] == [
        (date(2026, 3, 5), Decimal("20000.00"), "credit", "4200001234202603051234567890"),
        (date(2026, 3, 6), Decimal("-5000.00"), "debit", "50000000012026030600001"),
    ]
    paid = result.transactions[0]
    # and the payer's openid stands for the payer's account; the goods and the merchant's order number are the memo
    assert paid.counterparty == "" and paid.counterparty_account == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    assert "3栋1单元1202定金" in paid.memo and "DJ20260305001" in paid.memo


def test_a_wechat_merchant_order_neither_paid_nor_refunded_is_kept_as_a_neutral_line():
    data = (FIX / "wechat_merchant_bill.csv").read_text(encoding="utf-8").replace("`REFUND", "`REVOKED").encode()
    result = parse_statement(data)
    assert [(t.amount, t.direction) for t in result.transactions] == [
        (Decimal("20000.00"), "credit"), (Decimal("5000.00"), "neutral")]
    assert "REVOKED" in result.transactions[1].memo


def test_alipay_merchant_ledger_keys_each_entry_by_its_own_serial_number():
    # given Alipay's 账务明细: a payment and its service fee share one 业务流水号, each has its own 账务流水号
    result = parse_statement(FIX / "alipay_merchant_ledger.csv")
    # then each line comes out with its own reference (a shared one would store only one of them), balances follow
    assert result.format == "alipay" and result.account == "20881234567890120156"
    assert [(t.amount, t.bank_ref) for t in result.transactions] == [
        (Decimal("20000.00"), "20260305200040011100660012345678"),
        (Decimal("-120.00"), "20260305200040011100660012345679"),
        (Decimal("-5000.00"), "20260306200040011100660012345680"),
    ]
    assert len(set(transaction_keys(result.transactions))) == 3
    assert check_balance_continuity(result.transactions) == []
    assert result.warnings == []  # its #-comments after the lines are no news


def test_a_counterparty_cell_with_the_account_in_it_is_split(tmp_path):
    # given 招商银行's export: dates as date cells, numbers as numbers, and 对手信息 — name and account in one cell
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["账号", "755912345610801"])
    sheet.append(["记账日期", "交易金额", "联机余额", "交易摘要", "对手信息"])
    sheet.append([datetime(2026, 3, 5), 20000, 120000.5, "转账 HT-2026-0012", "张三 6214830012345678"])
    sheet.append([datetime(2026, 3, 6, 9, 30), -15.5, 119985.0, "手续费", ""])
    sheet.append([datetime(2026, 3, 7), 300.25, 120285.25, "转账", "6214 8300 1234 5679/李四"])
    sheet.append([datetime(2026, 3, 8), 10, 120295.25, "转账", "某某物业"])
    path = tmp_path / "cmb.xlsx"
    book.save(path)
    # when parsed / then the name and the account are each in their field
    result = parse_statement(path)
    assert [(t.counterparty, t.counterparty_account) for t in result.transactions] == [
        ("张三", "6214830012345678"), ("", ""), ("李四", "6214830012345679"), ("某某物业", ""),
    ]
    assert result.account == "755912345610801"
    # a name column that is only a name keeps its digits, whatever they look like
    [plain] = parse_statement("日期,金额,对方户名\n2026-03-05,10.00,某某公司 12345678\n".encode()).transactions
    assert (plain.counterparty, plain.counterparty_account) == ("某某公司 12345678", "")


def test_an_ocr_misread_amount_is_taken_from_the_balances_and_sent_to_a_person():
    from huikuan.banking.statements.tabular import Row, read_rows

    # given OCR'd rows where one amount was misread (a letter O for a zero, a comma for the point)
    rows = [Row(1, ["交易日期", "对方户名", "金额", "余额"], 0.98),
            Row(2, ["2026-03-05", "张三", "50000.00", "150000.00"], 0.97),
            Row(3, ["2026-03-06", "李四", "2O,000.00", "170000.00"], 0.91),
            Row(4, ["2026-03-07", "王五", "1,000,00", "171000.00"], 0.93)]
    # when read as a scan / then each misread amount is what the balance moved, at confidence 0, with a warning
    result = read_rows(rows, "ocr-image")
    assert [(t.amount, t.direction, t.confidence) for t in result.transactions] == [
        (Decimal("50000.00"), "credit", 0.97), (Decimal("20000.00"), "credit", 0.0),
        (Decimal("1000.00"), "credit", 0.0)]
    assert sum("could not be read" in w for w in result.warnings) == 2
    # and the same rows from a file with a text layer are an error: there a misread cannot happen, a wrong cell can
    with pytest.raises(StatementError) as err:
        read_rows(rows, "csv")
    assert err.value.line == 3
    # nor is a misread amount guessed on a scan's first line, with no balance before it
    with pytest.raises(StatementError):
        read_rows([rows[0], rows[2]], "ocr-image")


UNICODE_TEXT = ("交易日期\t收入\t支出\t余额\t对方户名\t摘要\n"
                "2026-03-02\t50000.00\t\t150000.00\t张三\tHT-2026-0012 首付款\n")


@pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")], ids=["LE", "BE"])
def test_utf16_text_as_excel_saves_unicode_text_is_read(bom, codec):
    # given a tab-separated statement saved as UTF-16 with its byte-order mark
    result = parse_statement(bom + UNICODE_TEXT.encode(codec), filename="export.txt")
    # then it reads as any text statement
    assert [(t.amount, t.counterparty, t.balance) for t in result.transactions] == [
        (Decimal("50000.00"), "张三", Decimal("150000.00"))]


def test_utf16_xml_keeps_its_declaration_readable():
    xml = (FIX / "camt053.xml").read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    result = parse_statement(b"\xff\xfe" + xml.encode("utf-16-le"), filename="camt.xml")
    assert result.format == "camt.053" and len(result.transactions) == 2


def test_truncated_utf16_text_is_refused_with_the_reason():
    with pytest.raises(StatementError) as err:
        parse_statement(b"\xff\xfe" + UNICODE_TEXT.encode("utf-16-le")[:-1], filename="cut.txt")
    assert "UTF-16 text (by its byte-order mark) that does not decode" in str(err.value)
