"""Table logic shared by CSV, Excel, PDF and OCR input: find the header, map columns, read rows."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .model import CENT, ColumnMapping, ParseResult, StatementError, Transaction
from .values import EMPTY_MARKS, clean, clean_cells, is_empty, is_formula, looks_like_date, parse_amount, parse_date

# field -> header synonyms (normalised: NFKC, lower case, no spaces, no bracketed units), by priority
# counterparty headers whose cells carry the account too (招商银行: 对手信息 "张三 6214830012345678")
PARTY_AND_ACCOUNT = ("对手信息", "对方信息", "交易对手信息", "对方账户信息")
SYNONYMS: dict[str, list[str]] = {
    "date": [
        "交易日期", "记账日期", "入账日期", "交易日", "发生日期", "日期", "交易时间", "记账时间", "入账时间",
        "发生时间", "交易创建时间", "付款时间", "创建时间", "时间", "date", "transactiondate", "transdate",
        "bookingdate", "postingdate", "valuedate", "txndate", "起息日",
    ],
    "amount": [
        "交易金额", "金额", "发生额", "发生金额", "入账金额", "amount", "transactionamount", "txnamount", "amt",
    ],
    "credit": [
        "收入", "收入金额", "贷方发生额", "贷方金额", "贷方", "存入", "存入金额", "收款金额", "转入金额",
        "贷方发生金额", "credit", "creditamount", "credits", "deposit", "deposits", "moneyin", "paidin",
    ],
    "debit": [
        "支出", "支出金额", "借方发生额", "借方金额", "借方", "支取", "支取金额", "付款金额", "转出金额",
        "借方发生金额", "debit", "debitamount", "debits", "withdrawal", "withdrawals", "moneyout", "paidout",
    ],
    "dc": [
        "借贷标志", "借贷方向", "借/贷", "借贷", "借贷标识", "收/支", "收支", "收支类型", "收支方向", "方向",
        "交易方向", "资金方向", "dr/cr", "d/c", "cr/dr", "c/d", "debit/credit", "credit/debit", "drcr",
    ],
    "balance": [
        "余额", "账户余额", "当前余额", "交易后余额", "联机余额", "本次余额", "可用余额", "balance",
        "runningbalance", "账面余额",
    ],
    "counterparty": [
        "对方户名", "对方名称", "对方账户名称", "对方账户名", "对方户名称", "对方单位", "对方单位名称",
        "付款人", "付款人名称", "付款方", "付款方名称", "收/付方名称", "交易对方", "对手方", "对手户名",
        "对方", "对方姓名", "counterparty", "counterpartyname", "payer", "payername", "payee", "name",
        *PARTY_AND_ACCOUNT,
    ],
    "counterparty_account": [
        "对方账号", "对方账户", "对方卡号", "对方帐号", "付款人账号", "付款账号", "付款方账号", "对手账号",
        "收/付方账号", "对方账户号", "对方账号/卡号", "counterpartyaccount", "payeraccount", "accountno",
    ],
    "memo": [
        "摘要", "用途", "附言", "备注", "交易摘要", "说明", "商品", "商品说明", "商品名称", "交易用途",
        "交易说明", "交易备注", "交易附言", "交易类型", "交易分类", "业务类型", "memo", "description",
        "remark", "remarks", "narrative", "details", "purpose",
    ],
    "bank_ref": [
        # 账务流水号 (one per accounting entry) before 业务流水号 (a payment and its fee share one: Alipay's 账务明细)
        "流水号", "账务流水号", "交易流水号", "凭证号", "交易单号", "交易号", "交易参考号", "参考号", "业务流水号",
        "交易订单号", "凭证号码", "柜员流水号", "交易序号", "银行流水号", "reference",
        "ref", "referenceno", "transactionid", "txnid", "bankref", "bankreference",
    ],
    "currency": ["币种", "币别", "货币", "货币类型", "currency", "ccy"],
}
# fields whose several columns are all kept (joined), in the order they appear
MULTI = {"memo"}
_HEADER_LOOKUP = {
    syn: (fname, prio) for fname, syns in SYNONYMS.items() for prio, syn in enumerate(syns)
}
_UNIT_BRACKETS = re.compile(r"[(\[【].*?[)\]】]")
_HEADER_NOISE = re.compile(r"[\s:：_.]")
_NN_NN_YYYY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}")
TOTAL_WORDS = ("合计", "总计", "本页合计", "小计", "汇总", "累计", "total", "subtotal", "sum")
FOOTER_WORDS = ("打印", "制表", "说明", "注：", "注:", "第", "页", "签章", "导出", "温馨提示", "以上", "共")
ACCOUNT_LABEL = re.compile(
    r"(?:账号|帐号|账户号码|账户号|账户|卡号|account\s*(?:no\.?|number)?|a/c)\s*[:：]?\s*\[?\s*"
    r"([0-9][0-9\s\-*]{5,}[0-9*])",
    re.IGNORECASE,
)
NAME_LABEL = re.compile(r"(?:户名|账户名称|单位名称|客户名称|account\s*name)\s*[:：]\s*\[?([^,\]\t]+)", re.I)
CURRENCY_LABEL = re.compile(r"(?:币种|币别|currency)\s*[:：]\s*\[?([^,\]\t ]+)", re.I)
OPENING_LABEL = re.compile(r"(?:期初余额|上期余额|opening\s*balance)\s*[:：]?\s*([-+¥￥\d,.]+)", re.I)
CLOSING_LABEL = re.compile(r"(?:期末余额|本期余额|closing\s*balance)\s*[:：]?\s*([-+¥￥\d,.]+)", re.I)
CREDIT_MARKS = {"贷", "c", "cr", "credit", "收", "收入", "入", "存", "存入", "+", "贷方", "来账", "转入"}
DEBIT_MARKS = {"借", "d", "dr", "debit", "支", "支出", "出", "取", "支取", "-", "借方", "往账", "转出"}
NEUTRAL_MARKS = {"/", "不计收支", "其他", "neutral", "中性"}
CURRENCY_NAMES = {"人民币": "CNY", "rmb": "CNY", "cny": "CNY", "美元": "USD", "港币": "HKD", "港元": "HKD"}


def normalise_header(text: Any) -> str:
    text = unicodedata.normalize("NFKC", clean(text)).lower().lstrip("#*")
    text = _UNIT_BRACKETS.sub("", text)
    text = _HEADER_NOISE.sub("", text)
    return text


@dataclass
class Row:
    line_no: int
    cells: list[Any]
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Layout:
    header_index: int  # index into the rows list
    columns: dict[str, list[int]]
    headers: list[str]
    date_format: str | None = None
    convention: str = "signed"
    dayfirst: bool = True
    wallet: bool = False


def _map_header(cells: list[Any]) -> dict[str, list[int]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for idx, cell in enumerate(cells):
        key = normalise_header(cell)
        if not key or len(key) > 24:
            continue
        hit = _HEADER_LOOKUP.get(key)
        if hit is None:
            continue
        found.setdefault(hit[0], []).append((hit[1], idx))
    columns: dict[str, list[int]] = {}
    for fname, hits in found.items():
        if fname in MULTI:
            columns[fname] = [idx for _, idx in sorted(hits, key=lambda h: h[1])]
        else:
            columns[fname] = [min(hits)[1]]
    # a "time" column next to a date column is not the date
    return columns


def _convention(columns: dict[str, list[int]]) -> str | None:
    if "credit" in columns or "debit" in columns:
        if "credit" in columns and "debit" in columns:
            return "credit_debit_columns"
        if "amount" in columns:
            return "amount_with_dc" if "dc" in columns else "signed"
        return None
    if "amount" in columns:
        return "amount_with_dc" if "dc" in columns else "signed"
    return None


def detect_layout(rows: list[Row], max_scan: int = 60) -> Layout:
    best: tuple[int, int, dict[str, list[int]]] | None = None
    for i, row in enumerate(rows[:max_scan]):
        columns = _map_header(row.cells)
        if "date" not in columns or _convention(columns) is None:
            if columns and (best is None or len(columns) > best[0]):
                best = (len(columns), i, columns)
            continue
        layout = Layout(i, columns, [clean(c) for c in row.cells], convention=_convention(columns) or "signed")
        layout.dayfirst = _guess_dayfirst(rows[i + 1 :], columns["date"][0])
        return layout
    found = best[2] if best is not None else {}
    missing = "the amount column (or income and expense columns)" if "date" in found else \
        "the date column" if _convention(found) is not None else \
        "the date and amount columns (or income and expense columns)"
    hint = f"; the closest header, line {rows[best[1]].line_no}, has {', '.join(sorted(found))}" if best else ""
    raise StatementError(
        f"no header row found in the first {min(len(rows), max_scan)} lines: could not find {missing}{hint}. "
        "Save a column mapping for this account to import it."
    )


def _guess_dayfirst(rows: list[Row], col: int) -> bool:
    for row in rows[:200]:
        if col < len(row.cells):
            m = _NN_NN_YYYY.match(clean(row.cells[col]))
            if m and int(m.group(2)) > 12:
                return False
            if m and int(m.group(1)) > 12:
                return True
    return True


def layout_from_mapping(rows: list[Row], mapping: ColumnMapping) -> Layout:
    named = {f: c for f, c in mapping.columns.items() if isinstance(c, str)}
    header_index = None
    if mapping.header_line is not None:
        for i, row in enumerate(rows):
            if row.line_no == mapping.header_line:
                header_index = i
                break
        if header_index is None:
            raise StatementError(f"the mapping's header line {mapping.header_line} is not in the file")
    elif named:
        wanted = {normalise_header(v) for v in named.values()}
        for i, row in enumerate(rows[:200]):
            if wanted <= {normalise_header(c) for c in row.cells}:
                header_index = i
                break
        if header_index is None:
            raise StatementError(
                "no line has all the mapped headers: " + ", ".join(sorted(str(v) for v in named.values()))
            )
    else:
        # only indices: data starts at the first row whose date column parses
        col = int(mapping.columns["date"])
        for i, row in enumerate(rows):
            if col < len(row.cells) and looks_like_date(row.cells[col]):
                header_index = i - 1
                break
        if header_index is None:
            raise StatementError(f"no line has a date in column {col}")
    headers = [clean(c) for c in rows[header_index].cells] if header_index >= 0 else []
    norm = [normalise_header(h) for h in headers]
    columns: dict[str, list[int]] = {}
    for fname, spec in mapping.columns.items():
        if isinstance(spec, int):
            columns[fname] = [spec]
        else:
            try:
                columns[fname] = [norm.index(normalise_header(spec))]
            except ValueError:
                raise StatementError(f"mapped column {spec!r} for {fname} is not in the header")
    convention = mapping.amount_convention or _convention(columns) or "signed"
    needed = {"signed": ("amount",), "amount_with_dc": ("amount", "dc")}.get(convention, ())
    missing = [f for f in ("date", *needed) if f not in columns]
    if convention == "credit_debit_columns" and "credit" not in columns and "debit" not in columns:
        missing.append("credit or debit")
    if missing:
        raise StatementError(f"the mapping names no column for {', '.join(missing)} "
                             f"(amount convention {convention!r})")
    return Layout(header_index, columns, headers, mapping.date_format, convention, mapping.dayfirst)


def _cell(texts: list[str], layout: Layout, fname: str) -> str:
    """The cleaned text of a field's column(s) in a row (``texts``: the row's cells, cleaned)."""
    cols = layout.columns.get(fname)
    if not cols:
        return ""
    if fname in MULTI:
        parts = [texts[c] for c in cols if c < len(texts)]
        return " ".join(p for p in parts if not is_empty(p))
    c = cols[0]
    return texts[c] if c < len(texts) else ""


def _is_total(texts: list[str]) -> bool:
    for t in texts[:4]:
        low = t.lower().replace(" ", "")
        if any(low.startswith(w) for w in TOTAL_WORDS) or low in TOTAL_WORDS:
            return True
    return any(t.replace(" ", "") in ("合计", "总计", "本页合计", "小计", "Total", "TOTAL") for t in texts)


@functools.lru_cache(maxsize=512)
def _dc_direction(mark: str) -> str | None:
    m = unicodedata.normalize("NFKC", mark).strip().lower()
    if m in CREDIT_MARKS:
        return "credit"
    if m in DEBIT_MARKS:
        return "debit"
    if m in NEUTRAL_MARKS or m == "":
        return "neutral" if m else None
    if m.startswith(("贷", "收", "cr", "credit", "存")):
        return "credit"
    if m.startswith(("借", "支", "dr", "debit", "取")):
        return "debit"
    return None


def _amount_at(row: Row, texts: list[str], col: int | None) -> Decimal | None:
    """parse_amount of a row's cell (None when the row has no such cell); raises ValueError."""
    if col is None or col >= len(texts):
        return None  # what an empty cell gives
    return parse_amount(row.cells[col], texts[col])


def _amount(row: Row, texts: list[str], layout: Layout, plan: _Plan, fname: str) -> Decimal | None:
    """parse_amount of a field's cell; StatementError naming the column and the text when it is not an amount."""
    col = plan.column.get(fname)
    if col is None or col >= len(texts) or not texts[col]:
        return None  # what parse_amount gives for a missing or empty cell
    try:
        return parse_amount(row.cells[col], texts[col])
    except ValueError as exc:  # parse_money_text's message says what is wrong with the text
        header = layout.headers[layout.columns[fname][0]] if layout.headers else fname
        raise StatementError(f"expected an amount in column '{header}': {exc}", line=row.line_no)


_LONGEST_MARK = max(map(len, EMPTY_MARKS))


def _blank(text: str) -> bool:
    """is_empty of a cleaned text (clean leaves no padding to strip; lower case is never shorter)."""
    return len(text) <= _LONGEST_MARK and text.lower() in EMPTY_MARKS


TEXT_FIELDS = ("counterparty", "counterparty_account", "memo", "bank_ref")


@dataclass
class _Plan:
    """What a file's layout decides once for all its lines: the column of each field, each column's key in `raw`."""

    column: dict[str, int]  # field -> its (first) column
    texts: list[tuple[str, list[int]]]  # TEXT_FIELDS with their columns (several for MULTI fields)
    names: list[str]  # key in Transaction.raw of each header column
    # the counterparty column carries the account too (招商银行: 对手信息 "张三 6214830012345678"), and no column
    # gives it alone: each cell is split into the two (`_name_and_account`)
    split_party: bool = False

    @classmethod
    def of(cls, layout: Layout) -> _Plan:
        column = {fname: cols[0] for fname, cols in layout.columns.items() if cols}
        texts = [(fname, layout.columns.get(fname) or []) for fname in TEXT_FIELDS]
        names = [h if h else f"col{i + 1}" for i, h in enumerate(layout.headers)]
        party = column.get("counterparty")
        split = party is not None and "counterparty_account" not in column and party < len(layout.headers) and \
            normalise_header(layout.headers[party]) in PARTY_AND_ACCOUNT
        return cls(column, texts, names, split)


_SEPARATOR_CHARS = frozenset("-=—_* #")
_FORMULA_START = "=+-@\t\r"  # a cell starting otherwise is never a formula (see values.is_formula)


def table_layout(rows: list[Row], mapping: ColumnMapping | None = None) -> Layout:
    """The layout `read_rows` finds in these rows, or StatementError when they hold no statement table (no header
    line, or none where the mapping says)."""
    rows = [r for r in rows if any(not is_empty(t) for t in clean_cells(r.cells))]
    if not rows:
        raise StatementError("the file has no lines", line=1)
    return layout_from_mapping(rows, mapping) if mapping else detect_layout(rows)


def read_rows(
    rows: list[Row], fmt: str, mapping: ColumnMapping | None = None, result: ParseResult | None = None
) -> ParseResult:
    """Turn table rows (preamble, header, lines, totals, footers) into a ParseResult."""
    # each cell is cleaned once, here; everything below reads these texts (texts[i] == clean(row.cells[i]))
    cleaned = [(r, clean_cells(r.cells)) for r in rows]
    cleaned = [(r, texts) for r, texts in cleaned if any(not is_empty(t) for t in texts)]
    rows = [r for r, _ in cleaned]
    if not rows:
        raise StatementError("the file has no lines", line=1)
    layout = layout_from_mapping(rows, mapping) if mapping else detect_layout(rows)
    result = result or ParseResult(format=fmt, transactions=[])
    layout.wallet = fmt in ("wechat", "alipay", "wechat-merchant")
    _read_preamble(rows[: max(layout.header_index, 0)], result)
    header_norm = [normalise_header(h) for h in layout.headers]
    plan = _Plan.of(layout)
    date_col = plan.column.get("date")
    default_ccy = result.currency or "CNY"
    for row, texts in cleaned[layout.header_index + 1 :]:
        # header repeated on each page (compared cell by cell: a line's first cell already differs)
        if header_norm and len(texts) == len(header_norm) and all(
            normalise_header(t) == h for t, h in zip(texts, header_norm, strict=True)
        ):
            continue
        if all(_SEPARATOR_CHARS.issuperset(t) for t in texts):
            continue  # separator line
        if date_col is not None and date_col < len(texts):
            raw_date, date_text = row.cells[date_col], texts[date_col]
        else:
            raw_date, date_text = "", ""
        try:
            day: date = parse_date(raw_date, layout.date_format, layout.dayfirst, date_text)
        except (ValueError, TypeError):
            if _is_total(texts):
                _closing_from_total(row, layout, result)
                continue
            has_amount = False
            for fname in ("amount", "credit", "debit"):
                if fname in layout.columns:
                    with contextlib.suppress(ValueError):
                        has_amount = has_amount or _amount_at(row, texts, plan.column.get(fname)) is not None
            if has_amount and not is_empty(date_text):
                raise StatementError(
                    f"expected a date in column '{layout.headers[layout.columns['date'][0]]}' "
                    f"(e.g. 2026-03-05, 20260305, 2026/3/5, 05/03/2026, 05 Mar 2026), got {date_text!r}",
                    line=row.line_no,
                )
            if has_amount:
                raise StatementError("a line with an amount but no date", line=row.line_no)
            _read_preamble([row], result)  # footer: may carry a closing balance
            joined = " ".join(t for t in texts if t)[:60]
            if joined and not joined.startswith("#") and not any(w in joined for w in FOOTER_WORDS):  # "#": a comment
                result.warnings.append(f"line {row.line_no}: not a transaction, skipped: {joined!r}")
            continue
        try:
            tx = _transaction(row, texts, plan, layout, day, default_ccy, result)
        except StatementError:
            recovered = _from_balances(row, texts, plan, layout, day, default_ccy, result) \
                if fmt.startswith("ocr") else None
            if recovered is None:
                raise
            tx = recovered
        result.transactions.append(tx)
    return result


def _from_balances(row: Row, texts: list[str], plan: _Plan, layout: Layout, day: date, default_ccy: str,
                   result: ParseResult) -> Transaction | None:
    """An OCR'd line whose amount was misread (1,2O0.00): its amount is what its balance moved from the line before,
    and it goes to a person (confidence 0) — None when there are no two balances to take it from."""
    previous = result.transactions[-1].balance if result.transactions else None
    try:
        balance = _amount(row, texts, layout, plan, "balance") if "balance" in layout.columns else None
    except StatementError:
        return None
    if previous is None or balance is None:
        return None
    moved = balance - previous
    result.warnings.append(f"line {row.line_no}: the amount could not be read; {moved} taken from the balances "
                           "(check the line)")
    return dataclasses.replace(_transaction(row, texts, plan, layout, day, default_ccy, result, amount=moved),
                               confidence=0.0)


def _transaction(
    row: Row, texts: list[str], plan: _Plan, layout: Layout, day: date, default_ccy: str, result: ParseResult,
    amount: Decimal | None = None,
) -> Transaction:
    """The row as a transaction; ``amount``: already known (`_from_balances`), its cells not read."""
    direction: str | None = None
    conv = layout.convention
    n = len(texts)
    if amount is not None:
        pass
    elif conv == "credit_debit_columns":
        credit = _amount(row, texts, layout, plan, "credit") or Decimal(0)
        debit = _amount(row, texts, layout, plan, "debit") or Decimal(0)
        if credit and debit:
            result.warnings.append(f"line {row.line_no}: both income and expense filled; netted")
        if credit < 0:  # 红字冲正: a receipt reversed is money out; an expense column's minus sign is only its side
            result.warnings.append(f"line {row.line_no}: a negative income ({credit}) is read as a reversal, money out")
        amount = credit - abs(debit) if (credit or debit) else Decimal(0)
        if credit == 0 and debit == 0 and "amount" in layout.columns:
            amount = _amount(row, texts, layout, plan, "amount") or Decimal(0)
    else:
        value = _amount(row, texts, layout, plan, "amount")
        if value is None:
            raise StatementError(
                f"expected an amount in column '{layout.headers[layout.columns['amount'][0]]}'",
                line=row.line_no,
            )
        amount = value
        if conv == "amount_with_dc":
            mark = _cell(texts, layout, "dc")
            direction = _dc_direction(mark)
            if direction is None and layout.wallet and is_empty(mark):
                direction = "neutral"
            if direction is None:
                raise StatementError(
                    f"expected a debit/credit mark (借/贷, Dr/Cr, D/C, 收入/支出) in column "
                    f"'{layout.headers[layout.columns['dc'][0]]}', got {mark!r}",
                    line=row.line_no,
                )
            if direction == "credit":
                amount = abs(amount)
            elif direction == "debit":
                amount = -abs(amount)
    if direction is None:
        direction = "credit" if amount > 0 else "debit" if amount < 0 else "neutral"
    balance = _amount(row, texts, layout, plan, "balance") if "balance" in layout.columns else None
    col = plan.column.get("currency")
    ccy = texts[col] if col is not None and col < n else ""
    currency = CURRENCY_NAMES.get(ccy.lower(), ccy.upper()) if ccy and not _blank(ccy) else default_ccy
    names = plan.names
    if n > len(names):
        names = names + [f"col{i + 1}" for i in range(len(names), n)]
    raw = dict(zip(names, texts, strict=False))  # names may be longer than the row: stop at its last cell
    raw.update(row.extra)
    fields = {}
    for fname, cols in plan.texts:
        if not cols:
            text = ""
        elif fname in MULTI:
            text = " ".join([texts[c] for c in cols if c < n and not _blank(texts[c])])
        else:
            text = texts[cols[0]] if cols[0] < n else ""
        fields[fname] = "" if _blank(text) else text
    for i, text in enumerate(texts):
        if text and text[0] in _FORMULA_START and isinstance(row.cells[i], str) and is_formula(text):
            name = layout.headers[i] if i < len(layout.headers) else f"column {i + 1}"
            result.warnings.append(
                f"line {row.line_no}: cell '{name}' {text[:30]!r} looks like a spreadsheet formula "
                "(CSV injection); kept as plain text, never evaluated"
            )
    if plan.split_party and fields["counterparty"]:
        fields["counterparty"], fields["counterparty_account"] = _name_and_account(fields["counterparty"])
    account = fields["counterparty_account"].replace(" ", "")
    return Transaction(
        date=day,
        amount=amount.quantize(CENT),
        currency=currency or "CNY",
        counterparty=fields["counterparty"],
        counterparty_account=account,
        memo=fields["memo"],
        balance=None if balance is None else balance.quantize(CENT),
        bank_ref=fields["bank_ref"],
        direction=direction,
        line_no=row.line_no,
        confidence=row.confidence,
        raw=raw,
    )


_NAME_THEN_ACCOUNT = re.compile(r"^(.*?)[\s/|,，]*([0-9][0-9*\s-]{6,}[0-9*])$")
_ACCOUNT_THEN_NAME = re.compile(r"^([0-9][0-9*\s-]{6,}[0-9*])[\s/|,，]*(.*)$")


def _name_and_account(text: str) -> tuple[str, str]:
    """A counterparty cell that also carries the account (张三 6214830012345678, 6214…5678/张三) as its two parts;
    a name alone stays as it is."""
    m = _NAME_THEN_ACCOUNT.match(text)
    if m:
        return m.group(1).strip(), m.group(2)
    m = _ACCOUNT_THEN_NAME.match(text)
    if m:
        return m.group(2).strip(), m.group(1)
    return text, ""


def _closing_from_total(row: Row, layout: Layout, result: ParseResult) -> None:
    texts = " ".join(clean(c) for c in row.cells)
    m = CLOSING_LABEL.search(texts)
    if m:
        with contextlib.suppress(ValueError):
            result.closing_balance = parse_amount(m.group(1))


def _read_preamble(rows: list[Row], result: ParseResult) -> None:
    for row in rows:
        text = " ".join(clean(c) for c in row.cells if clean(c))
        norm = unicodedata.normalize("NFKC", text)
        if result.account is None:
            m = ACCOUNT_LABEL.search(norm)
            if m and "对方" not in norm[max(0, m.start() - 3) : m.start()]:
                result.account = re.sub(r"[\s\-]", "", m.group(1))
        if result.account_name is None:
            m = NAME_LABEL.search(norm)
            if m:
                result.account_name = m.group(1).strip()
        m = CURRENCY_LABEL.search(norm)
        if m:
            ccy = m.group(1).strip()
            result.currency = CURRENCY_NAMES.get(ccy.lower(), ccy.upper()[:3])
        for label, attr in ((OPENING_LABEL, "opening_balance"), (CLOSING_LABEL, "closing_balance")):
            m = label.search(norm)
            if m:
                with contextlib.suppress(ValueError):
                    setattr(result, attr, parse_amount(m.group(1)))
