"""Hand-made statement files for the import and reconciliation tests."""

from __future__ import annotations

import io

HEADER = "交易日期,摘要,收入,支出,余额,对方户名,对方账号,用途,流水号"


Row = tuple[str, str, str, str, str, str, str, str]


def csv_statement(rows: list[Row], account: str = "6222000011112222") -> bytes:
    """rows: (date, income, expense, balance, counterparty, counterparty account, memo, reference)."""
    lines = [f"账号：{account}", "户名：某某置业有限公司", HEADER]
    for date, income, expense, balance, payer, payer_account, memo, ref in rows:
        lines.append(f"{date},转账,{income},{expense},{balance},{payer},{payer_account},{memo},{ref}")
    return ("\n".join(lines) + "\n").encode("utf-8")


MARCH_1_5 = [
    ("2026-03-02", "50000.00", "", "150000.00", "张三", "6222021234567890123", "HT-2026-0012 首付款", "B001"),
    ("2026-03-03", "", "12.50", "149987.50", "手续费", "", "", "B002"),
    ("2026-03-05", "3000.50", "", "152988.00", "李四", "6222000011112222", "3栋1202", "B003"),
]
MARCH_5_9 = [
    MARCH_1_5[2],
    ("2026-03-09", "800.00", "", "153788.00", "王五", "6222000033334444", "", "B004"),
]


def without_references(rows: list[Row], memo_suffix: str = "", account: str = "6222000011112222") -> bytes:
    """The same lines as another export of the account gives them: no reference column, the memo written out."""
    lines = [f"账号：{account}", "交易日期,收入,支出,余额,对方户名,对方账号,摘要"]
    for day, income, expense, balance, payer, payer_account, memo, _ in rows:
        lines.append(f"{day},{income},{expense},{balance},{payer},{payer_account},转账 {memo}{memo_suffix}")
    return ("\n".join(lines) + "\n").encode()


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    """An xlsx of these (title, rows) sheets, in order."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
