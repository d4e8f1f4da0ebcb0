import io

import pdfplumber
import pytest
from django.core.management import call_command
from pptx import Presentation

from .kpi_world import build_world

pytestmark = pytest.mark.django_db
TITLES = ["一、经营成果与目标达成", "二、过程管理", "三、难点与问题", "四、工具与系统", "五、下季度计划"]


def write(path) -> str:
    out = io.StringIO()
    call_command("report", "quarterly", "--option", "period=2026Q3", "--option", f"out={path}", stdout=out)
    return out.getvalue()


def test_the_review_as_pptx_has_the_five_sections_native_charts_and_measure_keys_in_the_notes(tmp_path):
    # given the hand-made ledger
    build_world()
    # when
    message = write(tmp_path / "review.pptx")
    # then
    prs = Presentation(str(tmp_path / "review.pptx"))
    texts = [shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame]
    for title in TITLES:
        assert any(title in text for text in texts)
    charts = [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) >= 4
    assert any("回款" in (chart.plots[0].series[0].name or "") for chart in charts)
    notes = "\n".join(slide.notes_slide.notes_text_frame.text for slide in prs.slides if slide.has_notes_slide)
    assert "collections_total = 1600000.00" in notes
    assert "review.pptx" in message


def test_the_review_as_pdf_has_the_chinese_section_titles_and_the_figures(tmp_path):
    # given the hand-made ledger
    build_world()
    # when
    write(tmp_path / "review.pdf")
    # then
    with pdfplumber.open(tmp_path / "review.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    for title in TITLES:
        assert title in text
    assert "160.00 万元" in text                   # collections_total 1,600,000.00 in 万元
    assert "collections_total = 1600000.00" in text


def test_a_review_needs_somewhere_to_go():
    # given / when / then
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--out"):
        call_command("report", "quarterly", "--option", "period=2026Q3", stdout=io.StringIO())


def test_the_weekly_summary_mails_the_managers_the_review_pdf(mailoutbox):
    # given the hand-made ledger and a manager with an e-mail address
    from datetime import date

    from huikuan.core.choices import Role
    from huikuan.reports.tasks import send_summary
    from huikuan.testing.factories import staff

    build_world()
    boss = staff(Role.MANAGER, all_projects=True)
    boss.email = "boss@example.com"
    boss.save()
    # when the weekly summary runs on 2026-09-28 (2026Q3 to date)
    sent = send_summary("weekly", today=date(2026, 9, 28))
    # then one mail with the PDF attached
    assert sent == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["boss@example.com"] and "2026年第三季度" in mail.subject
    assert "回款 160.00 万元" in mail.body
    name, content, kind = mail.attachments[0]
    assert name == "review-2026Q3.pdf" and kind == "application/pdf" and content[:5] == b"%PDF-"


def test_a_review_of_an_empty_database_is_still_written(tmp_path):
    # given nothing at all
    # when
    write(tmp_path / "empty.pdf")
    write(tmp_path / "empty.pptx")
    # then
    with pdfplumber.open(tmp_path / "empty.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "暂无数据" in text and "五、下季度计划" in text
    assert len(Presentation(str(tmp_path / "empty.pptx")).slides) > 10
