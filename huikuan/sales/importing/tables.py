"""Reading CSV and XLSX tables with Chinese or English headers.

CSV may be UTF-8 (with or without BOM), UTF-16 (with BOM) or GBK/GB18030; the encoding and the
delimiter (comma, tab, semicolon) are detected. XLSX is read with python-calamine (fast), the first
sheet. Cells come back as the spreadsheet holds them: strings from CSV; str, int, float, date or
datetime from XLSX. Parsing them into domain values is `values`' job.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ImportFailed, RowError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def header_key(text: object) -> str:
    """Headers compare without case, spaces, underscores, full-width forms or a trailing `*`/`:`."""
    key = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s_\-*:：()（）]", "", key)


@dataclass(frozen=True)
class Column:
    field: str
    names: tuple[str, ...]      # accepted headers, the first is the Chinese, then English
    required: bool = True


@dataclass(slots=True)
class Row:
    number: int                 # spreadsheet row number (the header is row 1)
    cells: dict[str, Any]       # field -> raw cell (None when blank)


@dataclass
class Table:
    file: str
    headers: dict[str, str]     # field -> the header as written in the file
    rows: list[Row]

    def error(self, row: Row | int | None, field: str, reason: str) -> RowError:
        number = row.number if isinstance(row, Row) else row
        return RowError(self.file, number, self.headers.get(field, field), reason)


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    text = decode_csv_bytes(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [cell.strip() for cell in record]


def _excel_rows(path: Path) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    for record in sheet.iter_rows():
        yield [cell.strip() if isinstance(cell, str) else cell for cell in record]


def raw_rows(path: Path) -> Iterator[list[Any]]:
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_rows(path)
    return _csv_rows(path)


def _blank(cell: Any) -> bool:
    return cell is None or cell == ""


def read_table(path: str | Path, columns: list[Column]) -> Table:
    """Read `path` and map its header row onto `columns`. Raises ImportFailed when the file cannot be
    read or a required column is missing. Blank rows are skipped; blank cells become None."""
    path = Path(path)
    name = path.name
    try:
        records = raw_rows(path)
        header = next(records, None)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise ImportFailed([RowError(name, None, "", f"cannot read the file: {exc}")])
    except Exception as exc:  # calamine raises its own error types for a damaged workbook
        raise ImportFailed([RowError(name, None, "", f"cannot read the file: {exc}")])
    if header is None:
        raise ImportFailed([RowError(name, None, "", "the file is empty")])
    by_key: Mapping[str, Column] = {header_key(alias): col for col in columns for alias in col.names}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for index, title in enumerate(header):
        col = by_key.get(header_key(title))
        if col is None:
            continue
        if col.field in positions:
            errors.append(RowError(name, 1, str(title), f"a second column for {col.names[0]}/{col.names[1]}"))
            continue
        positions[col.field] = index
        headers[col.field] = str(title)
    for col in columns:
        if col.required and col.field not in positions:
            errors.append(RowError(name, 1, col.names[0], f"missing column {' / '.join(col.names[:2])}"))
    if errors:
        raise ImportFailed(errors)
    rows: list[Row] = []
    try:
        for number, record in enumerate(records, start=2):
            if all(_blank(cell) for cell in record):
                continue
            cells = {}
            for field, index in positions.items():
                cell = record[index] if index < len(record) else None
                cells[field] = None if _blank(cell) else cell
            rows.append(Row(number, cells))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed([RowError(name, len(rows) + 2, "", f"cannot read the file: {exc}")])
    return Table(name, headers, rows)
