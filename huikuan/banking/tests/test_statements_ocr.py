"""Scanned statements through RapidOCR (default models shipped in the wheel)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from huikuan.banking.statements import parse_statement
from huikuan.banking.statements.ocr import group_rows, ocr_available, rows_from_boxes

FIX = Path(__file__).parent / "fixtures"
needs_ocr = pytest.mark.skipif(
    not ocr_available(), reason="rapidocr is not installed (pip install rapidocr onnxruntime)"
)


def test_boxes_group_into_rows_and_columns_by_header():
    # given OCR boxes of a header and one line, slightly misaligned
    boxes = [
        (10, 10, 90, 30, "交易日期", 0.99), (200, 12, 260, 31, "金额", 0.98),
        (12, 60, 100, 80, "2026-03-05", 0.95), (195, 58, 270, 79, "1,000.00", 0.7),
    ]
    # when grouped / then two rows, cells under their headers, the row keeps its lowest score
    assert len(group_rows(boxes)) == 2
    rows = rows_from_boxes(boxes)
    assert rows[1].cells == ["2026-03-05", "1,000.00"]
    assert rows[1].confidence == 0.7


@needs_ocr
def test_scanned_png_statement():
    # given a PNG statement drawn with a CJK font (fixtures/make_fixtures.py)
    result = parse_statement(FIX / "scanned_statement.png")
    # then OCR reads both lines with their confidences
    assert result.format == "ocr-image"
    assert [(t.amount, t.counterparty) for t in result.transactions] == [
        (Decimal("50000.00"), "张三"), (Decimal("20000.00"), "李四"),
    ]
    assert all(0.0 < t.confidence <= 1.0 for t in result.transactions)


def test_a_preview_of_a_scanned_pdf_ocrs_its_pages_only_as_far_as_it_shows(monkeypatch):
    # given a scan of three pages, each read as 40 lines (OCR stubbed: this counts the pages it is asked to read)
    from PIL import Image

    from huikuan.banking.statements import pdf, preview_rows

    pages = [Image.new("RGB", (200, 280), "white") for _ in range(3)]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
    read: list[int] = []

    def ocr(img):
        read.append(1)
        return [(10.0, 20.0 * n, 90.0, 20.0 * n + 12, f"第{len(read)}页第{n}行", 0.99) for n in range(40)]

    monkeypatch.setattr(pdf, "ocr_boxes", ocr)
    # when the mapping page previews its first 30 lines
    rows = preview_rows(out.getvalue())
    # then only the first page was read, and the preview is its lines
    assert len(read) == 1 and len(rows) == 30 and rows[0].cells == ["第1页第0行"]
    # while reading the whole file still reads every page
    read.clear()
    assert len(pdf.pdf_rows(out.getvalue())[0]) == 120 and len(read) == 3
