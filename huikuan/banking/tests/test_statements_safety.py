"""Hostile or broken statement files are refused with a clear StatementError."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from huikuan.banking.statements import StatementError, parse_statement

FIX = Path(__file__).parent / "fixtures"


def test_xml_entity_expansion_is_refused():
    # given a billion-laughs XML / when parsed / then refused before expansion
    with pytest.raises(StatementError, match="DTD or entities"):
        parse_statement(FIX / "xml_bomb.xml")


def test_binary_garbage_is_refused():
    with pytest.raises(StatementError, match="unrecognised file"):
        parse_statement(FIX / "garbage.bin")


def test_zip_bomb_xlsx_is_refused():
    # given an "xlsx" whose sheet expands 1000×
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    # when parsed / then refused as a zip bomb
    with pytest.raises(StatementError, match="zip bomb"):
        parse_statement(buf.getvalue(), filename="bomb.xlsx")


def test_truncated_xlsx_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["交易日期", "金额"])
    wb.active.append(["2026-03-05", "1.00"])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    data = path.read_bytes()
    # given the first half of it / then a clear error
    with pytest.raises(StatementError, match="truncated or corrupt"):
        parse_statement(data[: len(data) // 2])


def test_file_above_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(StatementError, match="above the"):
        parse_statement(path, max_bytes=1024)


def test_empty_file_is_refused():
    with pytest.raises(StatementError, match="empty"):
        parse_statement(b"")


def test_text_without_header_names_missing_fields():
    with pytest.raises(StatementError, match="could not find the date"):
        parse_statement(b"hello,world\n1,2\n")


def test_truncated_pdf_is_refused():
    pytest.importorskip("pdfplumber")
    with pytest.raises(StatementError):
        parse_statement(b"%PDF-1.4\n1 0 obj <<")
