"""PDF statements: text-layer tables through pdfplumber; image-only pages through OCR."""

from __future__ import annotations

import io

from .model import StatementError
from .ocr import ocr_boxes, rows_from_boxes
from .tabular import Row, _map_header


def pdf_rows(data: bytes, enough: int | None = None) -> tuple[list[Row], bool]:
    """Rows of all pages and whether OCR was needed (no text layer). With ``enough``, the pages up to the one where
    that many rows with text are read, no further (a preview of a scan OCRs its first page, not every page)."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = list(pdf.pages)
    except Exception as exc:
        raise StatementError(f"truncated or corrupt PDF: {str(exc)[:200]}")
    rows: list[Row] = []
    used_ocr = False
    line = 0
    with pdf:
        for pno, page in enumerate(pages, start=1):
            if enough is not None and sum(1 for r in rows if any((c or "").strip() for c in r.cells)) >= enough:
                break
            try:
                text = page.extract_text() or ""
                tables = page.extract_tables() if text.strip() else []
            except Exception as exc:
                raise StatementError(f"corrupt PDF page {pno}: {str(exc)[:200]}")
            if not text.strip():
                used_ocr = True
                img = _render(data, pno - 1, page)
                page_rows = rows_from_boxes(ocr_boxes(img), line + 1, pno)
                rows.extend(page_rows)
                line += len(page_rows)
                continue
            table_rows = [r for t in tables for r in t]
            if table_rows and any(_map_header([c or "" for c in r]) for r in table_rows[:40]):
                before = _text_before_table(text, table_rows)
                for t in before:
                    line += 1
                    rows.append(Row(line, [t], 1.0, {"page": pno}))
                for r in table_rows:
                    line += 1
                    rows.append(Row(line, [(c or "").replace("\n", "") for c in r], 1.0, {"page": pno}))
            else:
                # no ruled table: place words under the header's columns by their x position
                words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
                boxes = [(w["x0"], w["top"], w["x1"], w["bottom"], w["text"], 1.0) for w in words]
                page_rows = rows_from_boxes(boxes, line + 1, pno)
                rows.extend(page_rows)
                line += len(page_rows)
    return rows, used_ocr


def _text_before_table(text: str, table_rows: list[list]) -> list[str]:
    first = next((c for c in table_rows[0] if c), None)
    out = []
    for t in text.splitlines():
        if first and first.split("\n")[0] in t:
            break
        out.append(t)
    return out[:20]


def _render(data: bytes, index: int, page):
    try:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        return doc[index].render(scale=2).to_pil()
    except ImportError:
        return page.to_image(resolution=150).original
