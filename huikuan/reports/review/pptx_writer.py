"""The review as PPTX (python-pptx): one slide per block, native charts (CategoryChartData) with Chinese
labels, and in each slide's speaker notes the measures (kpis keys and values) its numbers come from."""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from .model import Chart, Review, Section, Table, Text

FONT = "Microsoft YaHei"            # Office's Chinese UI font; viewers substitute a CJK font if missing
EA_FONT = "微软雅黑"
CHART_TYPES = {"bar": XL_CHART_TYPE.COLUMN_CLUSTERED, "pie": XL_CHART_TYPE.PIE, "line": XL_CHART_TYPE.LINE_MARKERS}
WIDE = (Emu(12192000), Emu(6858000))   # 16:9


def _font(run_or_font, size: int | None = None, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    font = getattr(run_or_font, "font", run_or_font)
    font.name = FONT
    if size:
        font.size = Pt(size)
    font.bold = bold
    rpr = font._element if hasattr(font, "_element") else font._rPr
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", EA_FONT)


def _title(slide, text: str, size: int = 26) -> None:  # type: ignore[no-untyped-def]
    box = slide.shapes.add_textbox(Emu(457200), Emu(228600), WIDE[0] - Emu(914400), Emu(731520))
    para = box.text_frame.paragraphs[0]
    run = para.add_run()
    run.text = text
    _font(run, size, bold=True)


def _notes(slide, review: Review, measures: list[str]) -> None:  # type: ignore[no-untyped-def]
    lines = ["数据来源（kpis 指标 measure keys）:"] + [f"{key} = {review.measure_value(key)}" for key in measures]
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _text(slide, block: Text) -> None:  # type: ignore[no-untyped-def]
    box = slide.shapes.add_textbox(Emu(685800), Emu(1234440), WIDE[0] - Emu(1371600), Emu(4800600))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(block.lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        _font(run, 18)
        para.space_after = Pt(12)


def _table(slide, block: Table) -> None:  # type: ignore[no-untyped-def]
    rows, cols = len(block.rows) + 1, len(block.headers)
    shape = slide.shapes.add_table(rows, cols, Emu(457200), Emu(1234440), WIDE[0] - Emu(914400),
                                   Emu(min(4800600, 370840 * rows)))
    for r, row in enumerate([block.headers, *block.rows]):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = str(value)
            for para in cell.text_frame.paragraphs:
                for run in para.runs:
                    _font(run, 12, bold=r == 0)


def _chart(slide, block: Chart) -> None:  # type: ignore[no-untyped-def]
    if not block.categories:
        _text(slide, Text(["暂无数据（本期没有可绘制的数据）"]))
        return
    data = CategoryChartData()
    data.categories = block.categories
    for name, values in block.series:
        data.add_series(f"{name}（{block.unit}）", values)   # Decimals are written as numbers into the XML
    frame = slide.shapes.add_chart(CHART_TYPES[block.kind], Emu(457200), Emu(1143000), WIDE[0] - Emu(914400),
                                   Emu(5257800), data)
    chart = frame.chart
    _font(chart.font, 12)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    _font(labels.font, 10)
    if block.kind == "pie":
        labels.number_format = "0.0%"
        labels.show_percentage = True
        labels.show_value = False
        labels.show_category_name = True
    else:   # percentages (the measure's fraction × 100) read as 87.3%
        labels.number_format = '0.0"%"' if block.unit == "%" else "#,##0.0"
        labels.number_format_is_linked = False
        if block.unit == "%":
            chart.value_axis.tick_labels.number_format = '0"%"'
            chart.value_axis.tick_labels.number_format_is_linked = False


def _section_slide(prs, review: Review, section: Section) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, section.heading, 36)
    box = slide.shapes.add_textbox(Emu(457200), Emu(1371600), WIDE[0] - Emu(914400), Emu(731520))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = f"{section.title_en} · {review.period}"
    _font(run, 16)


def write_pptx(review: Review, path: Path) -> Path:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE
    cover = prs.slides.add_slide(prs.slide_layouts[6])
    _title(cover, review.title, 36)
    box = cover.shapes.add_textbox(Emu(457200), Emu(1371600), WIDE[0] - Emu(914400), Emu(731520))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = review.subtitle
    _font(run, 16)
    for section in review.sections:
        _section_slide(prs, review, section)
        for block in section.blocks:
            slide = prs.slides.add_slide(prs.slide_layouts[6])
            heading = block.title if isinstance(block, Table | Chart) else section.title
            _title(slide, f"{section.heading} · {heading}" if heading != section.title else section.heading, 24)
            if isinstance(block, Text):
                _text(slide, block)
            elif isinstance(block, Table):
                _table(slide, block)
            else:
                _chart(slide, block)
            _notes(slide, review, block.measures)
    prs.save(str(path))
    return path
