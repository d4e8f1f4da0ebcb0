"""Text decoding and delimited (CSV/TSV) reading."""

from __future__ import annotations

import csv
import io
import re

from .model import StatementError
from .tabular import Row, detect_layout

ENCODINGS = ("utf-8-sig", "gb18030")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf16_as_utf8(data: bytes) -> bytes:
    """Text saved as UTF-16 with its byte-order mark — Excel's "Unicode text" (tab-separated), some banks' TXT
    exports — as UTF-8, which every reader here takes; other bytes as they are."""
    if not data.startswith(_UTF16_BOMS):
        return data
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise StatementError(f"UTF-16 text (by its byte-order mark) that does not decode at byte {exc.start}: "
                             "a truncated or corrupt file")
    if text.lstrip().startswith("<?xml"):  # its declaration said UTF-16
        text = re.sub(r"^(\s*<\?xml[^>]*?encoding=[\"'])[^\"']+", r"\1UTF-8", text, count=1)
    return text.encode("utf-8")


def decode(data: bytes) -> tuple[str, str]:
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            last = exc
    line = data[: last.start].count(b"\n") + 1
    raise StatementError(
        "not a text statement: the bytes are neither UTF-8 nor GBK/GB18030 (binary or corrupt file)", line=line
    )


def rows_from_text(text: str) -> list[Row]:
    """Split delimited text, choosing the delimiter whose split yields a recognisable header."""
    lines = text.splitlines()
    candidates = []
    for delim in (",", "\t", ";", "|"):
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        try:
            rows = []
            for cells in reader:
                rows.append(Row(reader.line_num, cells))
        except csv.Error as exc:
            candidates.append((delim, None, str(exc)))
            continue
        try:
            detect_layout([r for r in rows if any(c.strip() for c in r.cells)])
        except StatementError as exc:
            candidates.append((delim, None, exc.message))
            continue
        return rows
    # fall back to whitespace-aligned columns (two or more spaces)
    import re

    rows = [Row(i + 1, list(re.split(r"\s{2,}|\t", line.strip()))) for i, line in enumerate(lines)]
    try:
        detect_layout([r for r in rows if any(c.strip() for c in r.cells)])
        return rows
    except StatementError:
        pass
    reason = next((c[2] for c in candidates if c[1] is None), "no header")
    raise StatementError(f"not a recognisable CSV statement: {reason}")
