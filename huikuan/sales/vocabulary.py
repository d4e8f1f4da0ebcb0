"""The usual Chinese and English names of payment methods and plan items. Pure."""

from __future__ import annotations

import re
import unicodedata

from .choices import PaymentMethod

PAYMENT_METHOD_NAMES: dict[str, str] = {
    "一次性": PaymentMethod.LUMP_SUM, "一次性付款": PaymentMethod.LUMP_SUM, "全款": PaymentMethod.LUMP_SUM,
    "lumpsum": PaymentMethod.LUMP_SUM, "lump_sum": PaymentMethod.LUMP_SUM, "cash": PaymentMethod.LUMP_SUM,
    "商业按揭": PaymentMethod.MORTGAGE, "按揭": PaymentMethod.MORTGAGE, "商贷": PaymentMethod.MORTGAGE,
    "商业贷款": PaymentMethod.MORTGAGE, "按揭付款": PaymentMethod.MORTGAGE, "mortgage": PaymentMethod.MORTGAGE,
    "commercialmortgage": PaymentMethod.MORTGAGE,
    "公积金": PaymentMethod.PROVIDENT_FUND, "公积金贷款": PaymentMethod.PROVIDENT_FUND,
    "providentfund": PaymentMethod.PROVIDENT_FUND, "provident_fund": PaymentMethod.PROVIDENT_FUND,
    "providentfundloan": PaymentMethod.PROVIDENT_FUND, "provident": PaymentMethod.PROVIDENT_FUND,
    "组合贷": PaymentMethod.COMBINATION, "组合贷款": PaymentMethod.COMBINATION, "组合": PaymentMethod.COMBINATION,
    "combination": PaymentMethod.COMBINATION, "combinationloan": PaymentMethod.COMBINATION,
    "分期": PaymentMethod.INSTALLMENT, "分期付款": PaymentMethod.INSTALLMENT,
    "installment": PaymentMethod.INSTALLMENT, "installments": PaymentMethod.INSTALLMENT,
}

ITEM_NAMES: dict[str, str] = {
    "定金": "deposit", "订金": "deposit", "认购金": "deposit", "deposit": "deposit",
    "首付": "down_payment", "首付款": "down_payment", "首期款": "down_payment", "downpayment": "down_payment",
    "down_payment": "down_payment",
    "按揭款": "mortgage_loan", "按揭": "mortgage_loan", "商业贷款": "mortgage_loan", "商贷": "mortgage_loan",
    "银行按揭": "mortgage_loan", "按揭贷款": "mortgage_loan", "mortgage": "mortgage_loan",
    "mortgageloan": "mortgage_loan", "mortgage_loan": "mortgage_loan", "commercialmortgageloan": "mortgage_loan",
    "公积金贷款": "provident_loan", "公积金": "provident_loan", "公积金按揭": "provident_loan",
    "providentloan": "provident_loan", "provident_loan": "provident_loan", "providentfundloan": "provident_loan",
    "尾款": "final_payment", "finalpayment": "final_payment", "final_payment": "final_payment",
    "房款": "full_payment", "全款": "full_payment", "购房款": "full_payment", "一次性付款": "full_payment",
    "fullpayment": "full_payment", "full_payment": "full_payment",
    "面积补差": "area_adjustment", "补差款": "area_adjustment", "areaadjustment": "area_adjustment",
}

_INSTALLMENT = re.compile(r"^(?:分期款?|第?)(\d+)(?:期款?)?$|^installment(\d+)$")


def _key(text: str) -> str:
    return re.sub(r"[\s_\-()（）]", "", unicodedata.normalize("NFKC", text)).lower()


def payment_method_of(text: str) -> str | None:
    key = _key(text)
    found = PAYMENT_METHOD_NAMES.get(key)
    if found is None:
        found = {_key(k): v for k, v in PAYMENT_METHOD_NAMES.items()}.get(key)
    return str(found) if found is not None else None


def item_kind_of(text: str) -> tuple[str, int]:
    """(kind, seq) for a plan item name; unrecognised names are ("other", 1), kept as written."""
    key = _key(text)
    if key in ITEM_NAMES:
        return ITEM_NAMES[key], 1
    match = _INSTALLMENT.match(key)
    if match:
        return "installment", int(match.group(1) or match.group(2))
    if key.startswith("分期款") or key.startswith("installment"):
        return "installment", 1
    return "other", 1
