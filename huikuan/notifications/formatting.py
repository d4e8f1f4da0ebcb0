"""How amounts, dates and plan items read in each customer language. Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from huikuan.core.money import quantize

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

ITEM_NAMES: dict[str, dict[str, str]] = {
    "deposit": {"zh-hans": "定金", "zh-hant": "定金", "en": "Deposit"},
    "down_payment": {"zh-hans": "首付款", "zh-hant": "首付款", "en": "Down payment"},
    "installment": {"zh-hans": "第{seq}期分期款", "zh-hant": "第{seq}期分期款", "en": "Installment {seq}"},
    "mortgage_loan": {"zh-hans": "按揭贷款", "zh-hant": "按揭貸款", "en": "Mortgage loan"},
    "provident_loan": {"zh-hans": "公积金贷款", "zh-hant": "公積金貸款", "en": "Provident-fund loan"},
    "final_payment": {"zh-hans": "尾款", "zh-hant": "尾款", "en": "Final payment"},
    "full_payment": {"zh-hans": "房款", "zh-hant": "房款", "en": "Full payment"},
    "area_adjustment": {"zh-hans": "面积补差款", "zh-hant": "面積補差款", "en": "Area adjustment"},
    "late_fee": {"zh-hans": "违约金", "zh-hant": "違約金", "en": "Late fee"},
}


def money_text(amount: Decimal) -> str:
    """300000 → "300,000.00" (the ¥ sign belongs to the template)."""
    return f"{quantize(amount):,.2f}"


def date_text(day: date, language: str) -> str:
    if language == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def item_name(kind: str, seq: int, written: str, language: str) -> str:
    """Simplified Chinese keeps the name as written in the plan; other languages use the kind's name."""
    if language == "zh-hans" and written:
        return written
    names = ITEM_NAMES.get(kind)
    if names is None:
        return written
    return names.get(language, names["zh-hans"]).format(seq=seq)
