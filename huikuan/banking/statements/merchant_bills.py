"""WeChat Pay's merchant bill (商户平台 交易账单, "all orders"): a value behind a backtick in every cell, an order's
payment and its refund as two lines (交易状态 SUCCESS / REFUND), no payer name — the payer's openid (用户标识)
instead, a summary (总交易单数 …) after the lines. Turned into the rows `tabular.read_rows` reads; the personal
WeChat and Alipay bills, and Alipay's merchant 账务明细, need nothing of the kind."""

from __future__ import annotations

import csv
import io

from .tabular import Row

WECHAT_MERCHANT = "wechat-merchant"
_MARKS = ("微信订单号", "应结订单金额", "交易状态")
ROW_HEADER = ["交易时间", "收/支", "金额", "对方账号", "备注", "交易单号", "币种"]
_SUMMARY = "总交易单数"


def is_wechat_merchant_bill(text: str) -> bool:
    head = text[:4096]
    return all(mark in head for mark in _MARKS)


def wechat_merchant_rows(text: str) -> tuple[list[Row], str]:
    """The bill's lines as rows of ROW_HEADER, and the merchant number (商户号, the account the money is on).

    SUCCESS is money in (应结订单金额: what the payer paid, coupons off), REFUND money out (退款金额, keyed by
    微信退款单号: the order's number is its payment's), any other status a neutral line (no money moved, kept so
    that no line is lost). The memo carries the goods (商品名称), the merchant's attachment and order number
    (where a contract or unit is often written) and the fee."""
    reader = csv.reader(io.StringIO(text))
    rows: list[Row] = []
    merchants: set[str] = set()
    column: dict[str, int] = {}
    for raw in reader:
        cells = [c.strip().removeprefix("`").strip() for c in raw]
        if not column:
            if all(mark in cells for mark in _MARKS):
                column = {name: i for i, name in enumerate(cells) if name}
                rows.append(Row(reader.line_num, list(ROW_HEADER)))
            else:
                rows.append(Row(reader.line_num, cells))  # a preamble: read_rows skips it
            continue
        if cells and cells[0].startswith(_SUMMARY):
            break  # the summary's header and its one line of totals
        line = {name: cells[i] for name, i in column.items() if i < len(cells)}
        merchants.add(line.get("商户号", ""))
        rows.append(Row(reader.line_num, _row(line)))
    merchants.discard("")
    return rows, merchants.pop() if len(merchants) == 1 else ""


def _row(line: dict[str, str]) -> list[str]:
    """One order line of the bill (header → value) as a row of ROW_HEADER."""
    get = line.get
    status = get("交易状态", "").upper()
    if status == "REFUND":
        mark, amount = "支出", get("退款金额") or get("申请退款金额", "")
        ref, what = get("微信退款单号") or get("微信订单号", ""), f"退款 {get('商户退款单号', '')}".strip()
    else:
        mark = "收入" if status == "SUCCESS" else "不计收支"
        amount, ref, what = get("应结订单金额") or get("订单金额", ""), get("微信订单号", ""), ""
    order, fee = get("商户订单号", ""), get("手续费", "")
    memo = [get("商品名称", ""), get("商户数据包", ""), what, f"商户订单号 {order}" if order else "",
            f"手续费 {fee}" if fee.strip("0.-") else "", "" if status in ("SUCCESS", "REFUND") else status]
    return [get("交易时间", ""), mark, amount, get("用户标识", ""), " ".join(m for m in memo if m and m != "/"), ref,
            get("货币种类", "")]
