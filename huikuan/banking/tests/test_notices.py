"""What an import says — its summary, warnings, balance gaps, the reason a file was refused — in the reader's
language; every such text the readers write has its template."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from huikuan.banking.notices import TEMPLATES, fitting, translated, translated_lines
from huikuan.banking.statements import StatementError, parse_statement
from huikuan.testing.phrasebooks import hidden_templates

from .statement_files import MARCH_1_5, csv_statement, workbook

FIXTURES = Path(__file__).parent / "fixtures"


def _said(data: bytes, filename: str) -> list[str]:
    """What reading the file says: its warnings, or the reason it is refused."""
    try:
        return parse_statement(data, filename=filename).warnings
    except StatementError as exc:
        return [str(exc)]


HEAD = "交易日期,摘要,收入,支出,余额,对方户名,对方账号,用途,流水号"
LINE = "2026-03-02,转账,50000.00,,150000.00,张三,6222021234567890123,HT-2026-0012,B001"

# files as people send them, each making the readers say something (a warning or a refusal)
SAYING = {
    "empty.csv": b"",
    "garbage.bin": b"\x00\x01garbage" * 50,
    "no-header.csv": "名称,数量\n苹果,3\n梨,4\n".encode(),
    "bad-date.csv": f"{HEAD}\nabc,转账,50000.00,,150000.00,张三,,,B001\n".encode(),
    "bad-amount.csv": f"{HEAD}\n2026-03-02,转账,5O000.00,,150000.00,张三,,,B001\n".encode(),
    "decimal-comma.csv": f"{HEAD}\n2026-03-02,转账,\"50.000,00\",,150000.00,张三,,,B001\n".encode(),
    "both-sides.csv": f"{HEAD}\n2026-03-02,转账,500.00,100.00,150400.00,张三,,,B001\n".encode(),
    "injection.csv": f"{HEAD}\n{LINE}\n2026-03-03,转账,10.00,,150010.00,=HYPERLINK(1),,,B002\n".encode(),
    "stray-line.csv": f"{HEAD}\n{LINE}\n经办人 李明,,,,,,,,\n".encode(),
    "binary.txt": bytes(range(128, 256)) * 4,
    "utf16-cut.csv": "\ufeff交易日期".encode("utf-16-le") + b"\x00\xd8",
    "dtd.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    "other.xml": b'<?xml version="1.0"?><Document><Other/></Document>',
    "not-xlsx.xlsx": b"PK\x03\x04" + b"\x00" * 60,
    "two-accounts.sta": (b":20:A\n:25:111\n:28C:1\n:60F:C260301CNY100,00\n:61:2603020302C10,00NTRFREF1\n"
                         b":62F:C260302CNY110,00\n-\n:20:B\n:25:222\n:28C:1\n:60F:C260301CNY100,00\n"
                         b":61:2603020302C10,00NTRFREF2\n:62F:C260302CNY110,00\n-\n"),
    "summary-sheet.xlsx": workbook(("汇总", [["合计", 3]]), ("明细", [HEAD.split(","), LINE.split(",")])),
    "truncated.pdf": b"%PDF-1.4\n1 0 obj\n<<",
}


@pytest.mark.parametrize("name", sorted(SAYING))
def test_what_reading_a_file_says_fits_a_template_and_reads_in_chinese(name):
    said = _said(SAYING[name], name)
    assert said, f"{name} says nothing"
    for text in said:
        assert fitting(text) is not None, text
        with translation.override("zh-hans"):
            assert translated(text) != text, text


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.iterdir() if p.suffix != ".py"), ids=lambda p: p.name)
def test_what_reading_each_fixture_says_fits_a_template(path):
    for text in _said(path.read_bytes(), path.name):
        assert fitting(text) is not None, text


@pytest.mark.parametrize("text, chinese", [
    ("march.csv: line 4: expected a date in column '交易日期' (e.g. 2026-03-05, 20260305, 2026/3/5, 05/03/2026, "
     "05 Mar 2026), got 'abc'",
     "march.csv：第 4 行：'交易日期' 列应为日期（如 2026-03-05、20260305、2026/3/5、05/03/2026、05 Mar 2026），"
     "实际为 'abc'"),
    ("march.xlsx: sheet 'Sheet2': line 2: expected an amount in column '收入': '5O000.00' is not an amount",
     "march.xlsx：工作表 'Sheet2'：第 2 行：'收入' 列应为金额：'5O000.00' 不是金额"),
    ("line 4: balance 158688.00 but 153688.00 expected after march-2.csv (to 2026-03-09, closing balance "
     "153688.00) (difference 5000.00); a day or a statement may be missing",
     "第 4 行：余额为 158688.00，按 march-2.csv（截至 2026-03-09，期末余额 153688.00）应为 153688.00"
     "（相差 5000.00）；可能缺少某天或某份对账单"),
    ("3 line(s), 3 new, 0 already imported", "共 3 行，新增 3 行，0 行此前已导入"),
    # a refusal quoted in another, whose own template starts with a value (that must not swallow the words before)
    ("x.csv: line 2: expected an amount in column '收入': '50.000,00' is not an amount: it is written with a decimal "
     "comma (1.234,50); amounts are read as 1,234.50",
     "x.csv：第 2 行：'收入' 列应为金额：'50.000,00' 不是金额：它使用小数逗号（1.234,50）；金额应写作 1,234.50"),
    # a file of several accounts: where each one is, translated inside the list
    ("two.sta: the file holds statements of 2 accounts: 111 (line 1), 222 (line 8); import each account's "
     "statements as a file of its own",
     "two.sta：文件包含 2 个账户的对账单：111（第 1 行）, 222（第 8 行）；请将每个账户的对账单分别作为单独的文件导入"),
    ("book.xlsx: the file holds statements of 2 accounts: 111 (sheet 'A'), 222 (sheet 'B'); import each account's "
     "statements as a file of its own",
     "book.xlsx：文件包含 2 个账户的对账单：111（工作表 'A'）, 222（工作表 'B'）；"
     "请将每个账户的对账单分别作为单独的文件导入"),
])
def test_a_notice_reads_in_chinese_with_its_values_in_place(text, chinese):
    with translation.override("zh-hans"):
        assert translated(text) == chinese


def test_a_message_no_template_fits_is_shown_as_written_even_after_a_file_name():
    with translation.override("zh-hans"):
        assert translated("a note someone typed") == "a note someone typed"
        assert translated("march.csv: something new went wrong") == "march.csv: something new went wrong"


def test_a_ledger_refusal_is_shown_as_the_reasons_show_it():
    with translation.override("zh-hans"):
        assert translated("receivable 17 owes 100.00, cannot take 200.00") == "应收 17 未收 100.00，不能再核销 200.00"


def test_each_template_reads_back_its_own_english():
    # a template filled with sample values is found again as itself (no template hides another); the forms that
    # say where a line is need a message that fits after them
    where = {"what": "the file has no lines", "file": "march.csv", "sheet": "'Sheet2'", "line": "12"}
    assert hidden_templates(TEMPLATES, fitting, where) == []


def test_a_message_of_several_lines_is_translated_line_by_line():
    with translation.override("zh-hans"):
        assert translated_lines("x.bin: the file is empty\nNothing was imported.") == \
            "x.bin：文件是空的\n未导入任何内容。"


@pytest.mark.django_db
def test_the_job_page_shows_what_the_import_said_in_chinese(client, django_capture_on_commit_callbacks, settings,
                                                           tmp_path):
    from huikuan.banking.services.jobs import queue_import
    from huikuan.testing.factories import staff

    from .helpers import ACCOUNT, sold

    settings.MEDIA_ROOT = tmp_path
    sold("HT-2026-0012", "张三", [("down_payment", "首付款", date(2026, 3, 9), "50000.00")])
    with django_capture_on_commit_callbacks(execute=True):
        done = queue_import(actor=None, data=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
        failed = queue_import(actor=None, data=b"", filename="empty.csv", account_no=ACCOUNT)
    client.force_login(staff("finance"))
    page = client.get(f"/banking/jobs/{done.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新增 3 行" in page and "已自动匹配" in page and "账户 6222000011112222 此前未登记" in page
    assert "line(s)" not in page and "was not known" not in page
    page = client.get(f"/banking/jobs/{failed.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "empty.csv：第 1 行：文件是空的" in page and "未导入任何内容。" in page
    assert "Nothing was imported" not in page
