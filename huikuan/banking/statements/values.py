"""Cell-level parsing: text cleaning, amounts, dates, formula (CSV-injection) detection."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from huikuan.core.money import MoneyError, money_from_spreadsheet, parse_money_text

EMPTY_MARKS = {"", "-", "--", "---", "—", "——", "/", "null", "none", "nan", "n/a", "无"}
_STRIP = " \t\r\n\u3000\u00a0\u200b\ufeff"
_EXCEL_TEXT = re.compile(r'^="(.*)"$')


def clean(value: Any) -> str:
    """Text of a cell without padding (spaces, tabs, full-width spaces) or Excel ="..." quoting."""
    if type(value) is str:
        text = value.strip(_STRIP)
        if not text or text[0] not in _QUOTED:  # the usual cell: nothing to unquote
            return text
        return _unquote(text)
    if value is None:
        return ""
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    return _unquote(text.strip(_STRIP))


_QUOTED = "='"  # first characters of an Excel ="..." cell or a '-quoted number


def clean_cells(cells: list[Any]) -> list[str]:
    """[clean(c) for c in cells], without a call per plain text cell."""
    texts = []
    for value in cells:
        if type(value) is str:
            text = value.strip(_STRIP)
            texts.append(_unquote(text) if text and text[0] in _QUOTED else text)
        else:
            texts.append(clean(value))
    return texts


def _unquote(text: str) -> str:
    m = _EXCEL_TEXT.match(text)
    if m:
        text = m.group(1).strip(_STRIP)
    if text.startswith("'") and text[1:].strip().isdigit():
        text = text[1:].strip()
    return text


def is_empty(text: str) -> bool:
    return text.strip(_STRIP).lower() in EMPTY_MARKS


_FOREIGN_MARKS = re.compile(r"\$|usd|hkd", re.IGNORECASE)  # yuan marks (¥, 元, CNY, RMB) are parse_money_text's
_DC_SUFFIX = re.compile(r"(?:(?<![a-z])(cr|dr)\.?|([贷借]))$", re.IGNORECASE)  # "1,200.00 CR", "15.00Dr", "300.00贷"


def parse_amount(value: Any, text: str | None = None) -> Decimal | None:
    """Decimal of an amount cell; None when the cell is empty ("", "-", "--").

    `parse_money_text` (thousands separators checked, currency signs, a leading +/-, a trailing minus,
    accounting parentheses, exact to the cent), plus $/USD/HKD marks and a trailing Cr/Dr or 贷/借 (credit
    positive, debit negative). Raises ValueError (a MoneyError saying why) for anything else. Never goes through
    float: a spreadsheet's number cell is taken as it displays (`money_from_spreadsheet`). ``text``:
    ``clean(value)``, when the caller has it already.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return money_from_spreadsheet(value)
    if text is None:
        text = clean(value)
    if not text:
        return None
    if _PLAIN_AMOUNT.fullmatch(text):  # the usual cell, "1234.50": nothing to strip
        return Decimal(text)
    if is_empty(text):
        return None
    mark = _DC_SUFFIX.search(text)
    if mark is None:
        return parse_money_text(_FOREIGN_MARKS.sub("", text))
    if not text[: mark.start()].strip(_STRIP):
        raise MoneyError(f"{text!r} is not an amount")
    amount = abs(parse_money_text(_FOREIGN_MARKS.sub("", text[: mark.start()])))
    return amount if (mark.group(1) or mark.group(2)).lower() in ("cr", "贷") else -amount


_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)


_ISO = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:$|[\sT]|\d{1,2}:)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:$|[\sT]|\d{6}$|\d{2}:)")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:$|[\sT])")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), start=1)}
_MONTH = r"([a-z]{3})[a-z]*\.?"
_D_MON_Y = re.compile(rf"^(\d{{1,2}})[-\s/]*{_MONTH}[-\s/,]*(\d{{4}})(?:$|[\sT])", re.IGNORECASE)  # 05 Mar 2026
_MON_D_Y = re.compile(rf"^{_MONTH}\s*(\d{{1,2}}),?\s*(\d{{4}})(?:$|[\sT])", re.IGNORECASE)  # Mar 5, 2026


def parse_date(value: Any, fmt: str | None = None, dayfirst: bool = True, text: str | None = None) -> date:
    """A date from the forms banks use: 2026-03-05, 20260305, 2026/3/5, 2026年3月5日, 05/03/2026, and the English
    month names of foreign banks' exports: 05 Mar 2026, 5-Mar-2026, Mar 5, 2026.

    Optional times after the date are ignored. ``dayfirst`` decides nn/nn/yyyy when both parts
    could be a month. Raises ValueError when the cell is not a date. ``text``: ``clean(value)``,
    when the caller has it already.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", clean(value) if text is None else text)
    if fmt:
        return datetime.strptime(text, fmt).date()
    m = _ISO.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _COMPACT.match(text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DMY.match(text)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if first > 12 or (dayfirst and second <= 12):
            return date(year, second, first)
        return date(year, first, second)
    m = _D_MON_Y.match(text)
    if m and m.group(2).lower() in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = _MON_D_Y.match(text)
    if m and m.group(1).lower() in _MONTHS:
        return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    raise ValueError(f"not a date: {value!r}")


def looks_like_date(value: Any) -> bool:
    try:
        parse_date(value)
    except (ValueError, TypeError):
        return False
    return True


_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMERIC = re.compile(r"^[=+\-@]?\s*[\d.,]+\s*$")


def is_formula(text: str) -> bool:
    """A cell a spreadsheet would evaluate (CSV injection): =, +, -, @ followed by non-numeric text."""
    return bool(text) and bool(_FORMULA.match(text)) and not _NUMERIC.match(text) and not is_empty(text)
