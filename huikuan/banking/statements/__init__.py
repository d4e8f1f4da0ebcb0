"""Statement parsing engine: any bank/wallet statement file → normalised transactions.

Pure Python, no Django. Entry point: :func:`parse_statement`. See docs/statements.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from .model import (
    BalanceGap,
    ColumnMapping,
    ParseResult,
    StatementError,
    Transaction,
    check_balance_continuity,
    transaction_key,
    transaction_keys,
)
from .safety import DEFAULT_MAX_BYTES, check_size, looks_binary

__all__ = [
    "MAPPED_FORMATS", "BalanceGap", "ColumnMapping", "ParseResult", "StatementError", "Transaction",
    "check_balance_continuity", "detect_format", "guess_mapping", "parse_statement", "preview_rows", "table_rows",
    "try_mapping", "transaction_key", "transaction_keys",
]

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Sniff the content (not the extension): pdf, xlsx, xls, image, camt.053, ofx, mt940 or text."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and (b"camt.053" in data[:4096] or b"BkToCstmrStmt" in data[:8192]):
        return "camt.053"
    upper = data[:4096].upper()
    if b"OFXHEADER" in upper or b"<OFX>" in upper:
        return "ofx"
    if b":20:" in data[:2048] and b":61:" in data and (b":60F:" in data or b":25:" in data):
        return "mt940"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "xml"
    if looks_binary(data):
        return "binary"
    return "text"


def _wallet_kind(text: str) -> str | None:
    head = text[:3000]
    if "微信支付账单" in head or "微信支付" in head and "交易单号" in head:
        return "wechat"
    if "支付宝" in head or "alipay" in head.lower():
        return "alipay"
    return None


def parse_statement(
    path_or_bytes: str | os.PathLike | bytes,
    filename: str | None = None,
    mapping: ColumnMapping | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult:
    """Parse a statement file (path or bytes). Raises StatementError for unreadable files."""
    if isinstance(path_or_bytes, bytes | bytearray):
        data = bytes(path_or_bytes)
    else:
        path = Path(path_or_bytes)
        filename = filename or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise StatementError(f"cannot read the file: {exc.strerror}", filename=filename)
        if size > max_bytes:
            raise StatementError(
                f"the file is {size / 1e6:.1f} MB, above the {max_bytes / 1e6:.0f} MB limit for statements",
                filename=filename,
            )
        data = path.read_bytes()
    try:
        result = _parse(data, filename, mapping, max_bytes)
    except StatementError as exc:
        if filename and not exc.filename:
            exc.filename = filename
        raise
    return result


def _parse(data: bytes, filename: str | None, mapping: ColumnMapping | None, max_bytes: int) -> ParseResult:
    from . import formats, merchant_bills, tabular, text

    check_size(data, max_bytes)
    data = text.utf16_as_utf8(data)
    kind = detect_format(data, filename)
    if kind == "binary":
        raise StatementError(
            "unrecognised file: binary content that is not a PDF, Excel (xls/xlsx), image, CSV, MT940, "
            "CAMT.053 or OFX statement"
        )
    if kind == "xml":
        raise StatementError("an XML file that is not a CAMT.053 statement (expected BkToCstmrStmt)", line=1)
    if kind == "xlsx" or kind == "xls":
        return formats.read_excel(data, kind, mapping)
    if kind == "camt.053":
        return formats.parse_camt053(data)
    if kind == "pdf":
        from .pdf import pdf_rows

        rows, used_ocr = pdf_rows(data)
        result = tabular.read_rows(rows, "ocr-pdf" if used_ocr else "pdf", mapping)
        if used_ocr:
            _ocr_warnings(result)
        return result
    if kind == "image":
        from .ocr import image_rows

        result = tabular.read_rows(image_rows(data), "ocr-image", mapping)
        _ocr_warnings(result)
        return result
    decoded, _enc = text.decode(data)
    if kind == "ofx":
        return formats.parse_ofx(data, decoded)
    if kind == "mt940":
        return formats.parse_mt940(decoded)
    if mapping is None and merchant_bills.is_wechat_merchant_bill(decoded):
        rows, merchant_no = merchant_bills.wechat_merchant_rows(decoded)
        result = tabular.read_rows(rows, merchant_bills.WECHAT_MERCHANT)
        result.account = result.account or merchant_no
        return result
    wallet = _wallet_kind(decoded)
    rows = text.rows_from_text(decoded) if mapping is None else _rows_for_mapping(decoded)
    return tabular.read_rows(rows, wallet or "csv", mapping)


MAPPED_FORMATS = ("text", "xls", "xlsx", "pdf")  # the tables a column mapping applies to


def preview_rows(data: bytes, limit: int = 30) -> list:
    """The first ``limit`` non-empty rows of a table statement as a column mapping reads them, so that a person can
    say which column is which (`table_rows`)."""
    return table_rows(data, enough=limit)[:limit]


def table_rows(data: bytes, enough: int | None = None) -> list:
    """The non-empty rows of a table file as they are (CSV and the like, the first non-empty sheet of a workbook,
    a PDF's table), no header detected. StatementError for a file of another kind (MT940, CAMT.053, OFX, a scan)
    or that cannot be read. With ``enough``, a PDF is read only as far as the page where that many rows are."""
    from . import formats, text
    from .values import clean

    check_size(data, DEFAULT_MAX_BYTES)
    data = text.utf16_as_utf8(data)
    kind = detect_format(data)
    if kind not in MAPPED_FORMATS:
        raise StatementError(f"a {kind} file is not a table of columns (expected CSV, XLS, XLSX or a PDF table)")
    if kind in ("xls", "xlsx"):
        sheets = [rows for rows in formats.excel_rows(data, kind) if any(any(clean(c) for c in r.cells) for r in rows)]
        rows = sheets[0] if sheets else []
    elif kind == "pdf":
        from .pdf import pdf_rows

        rows = pdf_rows(data, enough)[0]  # a scan's pages are OCR'd only as far as needed
    else:
        rows = _rows_for_mapping(text.decode(data)[0])
    return [r for r in rows if any(clean(c) for c in r.cells)]


def guess_mapping(rows: list) -> tuple[int | None, dict[int, str]]:
    """What detection could tell of the rows (`preview_rows`), to start a person's mapping from: the line that
    names the most known headers, and the field of each of its columns it recognised (the first of a field's)."""
    from .tabular import _map_header

    best: tuple[int, int | None, dict[int, str]] = (0, None, {})
    for row in rows:
        found = _map_header(row.cells)
        if len(found) > best[0]:
            best = (len(found), row.line_no, {cols[0]: field for field, cols in found.items()})
    return best[1], best[2]


def try_mapping(rows: list, mapping: ColumnMapping) -> ParseResult:
    """The rows (`preview_rows`) read with a mapping: StatementError naming the line that does not fit it."""
    from . import tabular

    return tabular.read_rows(rows, "csv", mapping)


def _rows_for_mapping(decoded: str):
    import csv
    import io

    from .tabular import Row

    sample = decoded[:4096]
    delim = max((",", "\t", ";", "|"), key=sample.count)
    reader = csv.reader(io.StringIO(decoded), delimiter=delim)
    rows = []
    for cells in reader:
        rows.append(Row(reader.line_num, cells))
    return rows


def _ocr_warnings(result: ParseResult, threshold: float = 0.8) -> None:
    low = [t.line_no for t in result.transactions if t.confidence < threshold]
    if low:
        result.warnings.append(
            f"{len(low)} OCR line(s) below confidence {threshold}: lines {', '.join(map(str, low[:20]))}; review them"
        )
