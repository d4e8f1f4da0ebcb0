"""Written payment notices and lawyer letters as PDF (reportlab; the CID font STSong-Light needs
no system font files, readers supply the glyphs)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
TITLES = {"payment_notice": "付款通知书", "lawyer_letter": "律师函"}
BODIES = {
    "payment_notice": "您购买的{project}{unit}（合同编号 {contract_no}）有下列款项已逾期未付。"
                      "请于收到本通知后七日内付清，逾期将依合同约定继续计收违约金。",
    "lawyer_letter": "本所受{project}开发企业委托，就您购买{unit}（合同编号 {contract_no}）逾期付款一事致函。"
                     "请于收到本函后七日内付清下列欠款及违约金，否则委托人将依法提起诉讼并申请财产保全。",
}


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render_letter(kind: str, ctx: dict[str, Any]) -> bytes:
    """A one-page letter: addressee, body, the late lines, late fee to date, total, how to pay."""
    font = _font()
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(f"{TITLES[kind]} {ctx['contract_no']}")
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, y, TITLES[kind])
    y -= 15 * mm
    pdf.setFont(font, 11)
    pdf.drawString(20 * mm, y, f"{ctx['customer_name']}：")
    y -= 8 * mm
    for chunk in _wrap(BODIES[kind].format(**ctx), 40):
        pdf.drawString(20 * mm, y, chunk)
        y -= 6 * mm
    y -= 4 * mm
    pdf.drawString(20 * mm, y, "款项")
    pdf.drawString(80 * mm, y, "应付日期")
    pdf.drawString(120 * mm, y, "逾期天数")
    pdf.drawRightString(190 * mm, y, "未付金额（元）")
    for line in ctx["lines"]:
        y -= 6 * mm
        pdf.drawString(20 * mm, y, str(line["item"]))
        pdf.drawString(80 * mm, y, line["due_date"])
        pdf.drawString(120 * mm, y, str(line["days"]))
        pdf.drawRightString(190 * mm, y, line["amount"])
    y -= 10 * mm
    for label, key in (("逾期本金合计", "overdue"), (f"截至 {ctx['as_of']} 违约金", "late_fee"), ("应付合计", "total")):
        pdf.drawString(120 * mm, y, label)
        pdf.drawRightString(190 * mm, y, ctx[key])
        y -= 6 * mm
    y -= 6 * mm
    pay = ctx["pay"]
    for text in (f"收款单位：{pay['payee']}", f"开户银行：{pay['bank']}", f"账号：{pay['account']}",
                 f"付款备注请注明：{pay['reference']}"):
        pdf.drawString(20 * mm, y, text)
        y -= 6 * mm
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]
