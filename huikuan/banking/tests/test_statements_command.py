"""`huikuan parse_statement`: JSON lines out, format on stderr, exit 2 on bad files. No database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

FIX = Path(__file__).parent / "fixtures"


def test_json_lines_for_every_transaction():
    # given the WeChat bill / when printed as JSON
    out, err = StringIO(), StringIO()
    call_command("parse_statement", str(FIX / "wechat_bill.csv"), "--json", stdout=out, stderr=err)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    # then one object per line, amounts as 2-place strings, and the format on stderr
    assert [x["amount"] for x in lines] == ["20000.00", "200.00", "100.00"]
    assert lines[2]["direction"] == "neutral"
    assert set(lines[0]) >= {"date", "amount", "currency", "counterparty", "counterparty_account", "memo",
                             "balance", "bank_ref", "direction", "line_no", "confidence"}
    assert "detected format: wechat" in err.getvalue()


def test_table_output_and_mapping_file(tmp_path):
    # given a CSV that needs a saved mapping
    path = tmp_path / "odd.csv"
    path.write_text("When,HowMuch\n2026-03-05,12.30\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"date": "When", "amount": "HowMuch"}}), encoding="utf-8")
    out, err = StringIO(), StringIO()
    # when printed as a table with the mapping
    call_command("parse_statement", str(path), "--mapping", str(mapping), stdout=out, stderr=err)
    # then the line is there
    assert "12.30" in out.getvalue() and "1 transaction(s)" in out.getvalue()


def test_corrupt_file_exits_2_with_message():
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("parse_statement", str(FIX / "garbage.bin"), stderr=err)
    assert exit_info.value.code == 2
    assert "unrecognised file" in err.getvalue()
