"""Cell values → domain values. Each parser raises ValueError with a reason a person can act on."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from huikuan.core.money import MoneyError, money_from_spreadsheet, to_money

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def text(cell: Any) -> str:
    """A cell as text; whole numbers from a spreadsheet lose their `.0`."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def parse_date(cell: Any) -> date:
    """2026-03-05, 2026/3/5, 2026.3.5, 20260305, 2026年3月5日, or an Excel date cell (or serial)."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 20000 <= cell <= 80000:    # an Excel serial day number (1954–2119)
            return _EXCEL_EPOCH + timedelta(days=int(cell))
        cell = text(cell)
    return _parse_date_text(str(cell).strip())


@lru_cache(maxsize=8192)
def _parse_date_text(value: str) -> date:
    for pattern in _DATE_PATTERNS:
        found = pattern.match(value)
        if found:
            year, month, day = (int(g) for g in found.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"{value!r} is not a date on the calendar")
    raise ValueError(f"{value!r} is not a date (write 2026-03-05, 2026/3/5, 20260305 or 2026年3月5日)")


def parse_amount(cell: Any) -> Decimal:
    """An amount in yuan; thousands separators and ¥ are fine. A spreadsheet number is taken as it
    displays (its shortest decimal form), never through float arithmetic."""
    try:
        return money_from_spreadsheet(cell) if isinstance(cell, float) else to_money(cell)
    except MoneyError as exc:
        raise ValueError(str(exc))


def parse_positive_amount(cell: Any) -> Decimal:
    amount = parse_amount(cell)
    if amount <= 0:
        raise ValueError(f"the amount must be positive, got {amount}")
    return amount


def parse_identity_text(cell: Any) -> str:
    """An identity number cell; a number cell has lost its digits (or its X) in the spreadsheet."""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        raise ValueError("the ID number is stored as a number, which loses digits; format the column as text")
    return str(cell).strip()
