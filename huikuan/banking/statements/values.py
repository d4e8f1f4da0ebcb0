"""Cell-level parsing: text cleaning, amounts, dates, formula (CSV-injection) detection."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

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


_CURRENCY_MARKS = re.compile(r"(¥|￥|\$|元|人民币|rmb|cny|usd|hkd)", re.IGNORECASE)


def parse_amount(value: Any, text: str | None = None) -> Decimal | None:
    """Decimal of an amount cell; None when the cell is empty ("", "-", "--").

    Accepts thousands separators, currency signs, a leading +/-, a trailing minus, and
    accounting parentheses. Raises ValueError for anything else. Never goes through float
    (an Excel float cell is converted from its shortest repr). ``text``: ``clean(value)``, when the
    caller has it already.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if text is None:
        text = clean(value)
    if not text:
        return None
    if _PLAIN_AMOUNT.fullmatch(text):  # the usual cell, "1234.50": nothing to strip
        return Decimal(text)
    if is_empty(text):
        return None
    text = unicodedata.normalize("NFKC", text)
    text = _CURRENCY_MARKS.sub("", text).replace(",", "").replace(" ", "").replace("_", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-") and len(text) > 1:
        negative, text = True, text[:-1]
    if text.startswith("+"):
        text = text[1:]
    elif text.startswith("-"):
        negative, text = not negative, text[1:]
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}")
    return -amount if negative else amount


_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_AMOUNT = re.compile(r"\d+(\.\d+)?|\.\d+")


_ISO = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:$|[\sT]|\d{1,2}:)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:$|[\sT]|\d{6}$|\d{2}:)")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:$|[\sT])")


def parse_date(value: Any, fmt: str | None = None, dayfirst: bool = True, text: str | None = None) -> date:
    """A date from the forms banks use: 2026-03-05, 20260305, 2026/3/5, 2026年3月5日, 05/03/2026.

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
