"""Workbooks with several sheets: a statement continued on a second sheet, a summary sheet, a sheet per account."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from huikuan.banking.statements import StatementError, check_balance_continuity, parse_statement

from .statement_files import workbook

HEADER = ["交易日期", "收入", "支出", "余额", "对方户名", "摘要", "流水号"]


def statement(account: str, lines: list[list]) -> list[list]:
    return [[f"账号：{account}"], HEADER, *lines]


FIRST = [["2026-03-02", "50000.00", "", "150000.00", "张三", "HT-2026-0012 首付款", "B001"],
         ["2026-03-03", "", "12.50", "149987.50", "手续费", "", "B002"]]
SECOND = [["2026-03-05", "3000.50", "", "152988.00", "李四", "3栋1202", "B003"]]


def test_a_statement_continued_on_a_second_sheet_gives_the_lines_of_both():
    # given an export whose lines go on in a second sheet, and a summary sheet at the end
    data = workbook(("Sheet1", statement("6222000011112222", FIRST)), ("Sheet2", [HEADER, *SECOND]),
                    ("汇总", [["合计笔数", 3], ["收入合计", "53000.50"]]))
    result = parse_statement(data, filename="march.xlsx")
    # then every line of both sheets comes out, in order, and the balances run on across the sheets
    assert [t.bank_ref for t in result.transactions] == ["B001", "B002", "B003"]
    assert result.account == "6222000011112222"
    assert check_balance_continuity(result.transactions) == []
    # and the summary sheet is named as skipped
    assert any(w.startswith("sheet '汇总' skipped: no statement table in it") for w in result.warnings)


def test_sheets_of_two_accounts_are_refused():
    data = workbook(("账户一", statement("6222000011112222", FIRST)), ("账户二", statement("6222000099998888", SECOND)))
    with pytest.raises(StatementError) as err:
        parse_statement(data, filename="accounts.xlsx")
    assert "2 accounts: 6222000011112222 (sheet '账户一'), 6222000099998888 (sheet '账户二')" in str(err.value)


def test_a_bad_line_on_the_second_sheet_names_the_sheet():
    bad = [["2026-03-05", "3,000.5x", "", "152988.00", "李四", "3栋1202", "B003"]]
    data = workbook(("Sheet1", statement("6222000011112222", FIRST)), ("Sheet2", [HEADER, *bad]))
    with pytest.raises(StatementError) as err:
        parse_statement(data, filename="march.xlsx")
    assert str(err.value).startswith("march.xlsx: sheet 'Sheet2': line 2: expected an amount")


def test_a_workbook_of_one_statement_sheet_reads_as_before():
    result = parse_statement(workbook(("Sheet1", statement("6222000011112222", FIRST + SECOND))), filename="m.xlsx")
    assert [t.amount for t in result.transactions] == [D("50000.00"), D("-12.50"), D("3000.50")]
    assert not any(w.startswith("sheet") for w in result.warnings)
