import io
import json

import pytest
from django.core.management import call_command

from huikuan.reports.kpis import MEASURES

from .kpi_world import build_world

pytestmark = pytest.mark.django_db


def kpis_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("report", "kpis", "--option", "period=2026Q3", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_kpis_json_names_every_measure_with_decimal_strings():
    # given the hand-made ledger
    build_world()
    # when
    data = kpis_json()
    # then
    assert set(MEASURES) <= set(data)
    assert data["period"] == "2026Q3"
    assert data["collections_total"] == "1600000.00"
    assert data["collections_by_method"] == {"lump_sum": "600000.00", "mortgage": "1000000.00",
                                             "provident_fund": "0.00", "combination": "0.00",
                                             "installment": "0.00"}
    assert data["collection_rate"] == "0.7561"
    assert data["overdue_over_30_ratio"] == "0.2439"
    assert data["target_completion"] == {"P1": "1.6000", "P2": "0.0000"}
    assert data["bank_disbursement_days"] is None      # the loan has no loan application to time it from
    assert data["notes"]["bank_disbursement_days"].startswith("not available: no loan applications recorded")
    assert data["overdue_by_warning_level"] is None
    assert data["notes"]["overdue_by_warning_level"].startswith("not available")


def test_kpis_for_one_project():
    # given the hand-made ledger
    build_world()
    # when
    data = kpis_json("--project", "P2")
    # then only P2 counts
    assert data["collections_total"] == "0.00"
    assert data["target_completion"] == {"P2": "0.0000"}
    assert data["overdue_over_30_ratio"] == "0.5000"
    assert list(data["projects"]) == ["P2"]


def test_kpis_of_an_empty_database_are_zeros_and_nulls():
    # given nothing
    # when
    data = kpis_json()
    # then
    assert data["collections_total"] == "0.00"
    assert data["collection_rate"] is None
    assert data["target_completion_total"] is None
    assert data["collections_yoy"] is None


def test_every_measure_has_its_formula_in_the_docs():
    # given docs/measures.md
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "measures.md").read_text(encoding="utf-8")
    # then every key of the kpis document has a row there
    missing = [key for key in MEASURES if f"| `{key}`" not in text]
    assert missing == []
