"""The review as PDF (reportlab): Chinese text in a CJK font, charts drawn with reportlab.graphics, and
under every block the measures its numbers come from."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from .fonts import cjk_font
from .model import Chart, Review, Table, Text

PALETTE = [colors.HexColor(c) for c in ("#2f6fb0", "#e0803a", "#4aa36b", "#c8504d", "#8a6bbf", "#6b8e9f")]
WIDTH = 170 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=28, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=10, leading=14, textColor=colors.grey),
        "h1": ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=10, spaceAfter=6,
                             textColor=colors.HexColor("#1f3f66")),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=16, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK"),
        "source": ParagraphStyle("source", fontName=font, fontSize=7, leading=9, textColor=colors.grey,
                                 spaceAfter=8, wordWrap="CJK"),
        "caption": ParagraphStyle("caption", fontName=font, fontSize=10, leading=14, spaceBefore=4),
    }


def _number(value: Decimal | None) -> float:
    return 0.0 if value is None else float(value)   # drawing coordinates only; the data stays Decimal


def chart_drawing(chart: Chart, font: str) -> Drawing:
    drawing = Drawing(WIDTH, 70 * mm)
    drawing.add(String(0, 66 * mm, f"{chart.title}", fontName=font, fontSize=10))
    if not chart.categories:
        drawing.height = 14 * mm
        drawing.contents[0].y = 8 * mm
        drawing.add(String(0, 2 * mm, "暂无数据 (no data for this period)", fontName=font, fontSize=9,
                           fillColor=colors.grey))
        return drawing
    if chart.kind == "pie":
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 20 * mm, 5 * mm, 55 * mm, 55 * mm
        values = chart.series[0][1]
        pie.data = [_number(v) for v in values]
        total = sum(pie.data) or 1.0
        pie.labels = [f"{c} {v / total * 100:.1f}%" for c, v in zip(chart.categories, pie.data, strict=True)]
        pie.simpleLabels = 1
        pie.slices.fontName = font
        pie.slices.fontSize = 8
        for i in range(len(values)):
            pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        drawing.add(pie)
        return drawing
    chart_class = HorizontalLineChart if chart.kind == "line" else VerticalBarChart
    plot = chart_class()
    plot.x, plot.y, plot.width, plot.height = 14 * mm, 14 * mm, WIDTH - 50 * mm, 46 * mm
    if chart.kind == "line":   # a missing value (a week still to come) is a gap, not a zero
        plot.data = [[None if v is None else float(v) for v in values] for _, values in chart.series]
    else:
        plot.data = [[_number(v) for v in values] for _, values in chart.series] or [[0.0]]
    plot.categoryAxis.categoryNames = chart.categories or [""]
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30 if len(chart.categories) > 5 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.categories) > 5 else "n"
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = min([0.0] + [v for row in plot.data for v in row if v is not None])
    for i in range(len(chart.series)):
        if chart.kind == "line":
            plot.lines[i].strokeColor = PALETTE[i % len(PALETTE)]
            plot.lines[i].strokeWidth = 1.5
        else:
            plot.bars[i].fillColor = PALETTE[i % len(PALETTE)]
    if chart.unit == "%":     # percentages (the measure's fraction × 100) read as 87.3%, not 87.3 or 0.873
        plot.valueAxis.labelTextFormat = "%d%%"
    if chart.kind == "bar":
        plot.barLabels.fontName = font
        plot.barLabels.fontSize = 6.5
        plot.barLabelFormat = "%.1f%%" if chart.unit == "%" else "%.1f"
        plot.barLabels.nudge = 6
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = WIDTH - 32 * mm, 55 * mm
    legend.fontName, legend.fontSize = font, 8
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], f"{name}（{chart.unit}）")
                             for i, (name, _) in enumerate(chart.series)]
    drawing.add(legend)
    return drawing


def _table(table: Table, styles: dict[str, ParagraphStyle]) -> PdfTable:
    rows = [[Paragraph(str(cell), styles["cell"]) for cell in row] for row in [table.headers, *table.rows]]
    result = PdfTable(rows, colWidths=[WIDTH / len(table.headers)] * len(table.headers), repeatRows=1)
    result.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c4d2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return result


def write_pdf(review: Review, path: Path) -> Path:
    font = cjk_font()
    styles = _styles(font)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=review.title, author="huikuan")
    story: list = [Paragraph(review.title, styles["title"]), Paragraph(review.subtitle, styles["subtitle"]),
                   Spacer(1, 6 * mm)]
    for index, section in enumerate(review.sections):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(section.heading, styles["h1"]))
        for block in section.blocks:
            parts: list = []
            if isinstance(block, Text):
                parts = [Paragraph(line, styles["body"]) for line in block.lines]
            elif isinstance(block, Table):
                parts = [Paragraph(block.title, styles["caption"]), _table(block, styles)]
            elif isinstance(block, Chart):
                parts = [chart_drawing(block, font)]
            source = "指标 measures: " + ", ".join(f"{key} = {review.measure_value(key)}" for key in block.measures)
            parts.append(Paragraph(_escape(source), styles["source"]))
            story.append(KeepTogether(parts))

    def footer(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 10 * mm, f"huikuan · {review.title} · 第 {document.page} 页")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
