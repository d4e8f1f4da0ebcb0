"""Readers for the structured formats: MT940, CAMT.053, OFX, Excel."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .model import CENT, ParseResult, StatementError, Transaction
from .safety import check_zip, hardened_xml
from .tabular import Row, read_rows
from .values import clean, is_formula, parse_amount


def _line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    pos = text.find(needle, start)
    if pos < 0:
        return 0, start
    return text.count("\n", 0, pos) + 1, pos + len(needle)


_MT_NAME = re.compile(r"(?:/NAME/|/ORDP/|/BENM/|\?3[23])([^/?]+)")
_MT_ACCT = re.compile(r"(?:/ACCT/|/ORDA/|\?31)([0-9A-Z\-]+)")


def parse_mt940(text: str) -> ParseResult:
    import mt940

    if ":61:" not in text:
        raise StatementError("MT940 without any :61: statement line")
    try:
        parsed = mt940.parse(text)
        items = list(parsed)
    except Exception as exc:  # the library raises assorted errors on bad input
        raise StatementError(f"malformed MT940: {exc}")
    data = parsed.data
    result = ParseResult(format="mt940", transactions=[])
    result.account = clean(data.get("account_identification")) or None
    for key, attr in (("final_opening_balance", "opening_balance"), ("final_closing_balance", "closing_balance")):
        bal = data.get(key)
        if bal is not None:
            setattr(result, attr, Decimal(bal.amount.amount).quantize(CENT))
            result.currency = bal.amount.currency or result.currency
    cursor = 0
    running = result.opening_balance
    for item in items:
        d = item.data
        line_no, cursor = _line_of(text, ":61:", cursor)
        amount = Decimal(d["amount"].amount).quantize(CENT)
        status = (d.get("status") or "").upper()
        details = clean(d.get("transaction_details") or "").replace("\n", " ")
        name = _MT_NAME.search(details)
        acct = _MT_ACCT.search(details)
        running = None if running is None else running + amount
        ref = clean(d.get("bank_reference") or "")
        cust = clean(d.get("customer_reference") or "")
        text_memo = _MT_ACCT.sub(" ", _MT_NAME.sub(" ", details)).replace("/ ", " ")
        text_memo = " ".join(text_memo.split())
        memo = text_memo if not cust or cust == "NONREF" else f"{cust} {text_memo}".strip()
        result.transactions.append(
            Transaction(
                date=_as_date(d.get("date")),
                amount=amount,
                currency=d.get("currency") or result.currency,
                counterparty=name.group(1).strip() if name else "",
                counterparty_account=acct.group(1) if acct else "",
                memo=memo,
                balance=running,
                bank_ref=ref if ref and ref != "NONREF" else "",
                direction="credit" if amount > 0 else "debit" if amount < 0 else "neutral",
                line_no=line_no,
                raw={"status": status, "id": d.get("id"), "details": details, "customer_reference": cust},
            )
        )
        if status.startswith("R"):
            result.warnings.append(f"line {line_no}: reversal ({status}) on the statement")
    return result


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    raise StatementError(f"expected a date, got {value!r}")


def _text(el, path: str, ns: dict[str, str]) -> str:
    if el is None:
        return ""
    found = el.find(path, ns)
    return clean(found.text) if found is not None and found.text else ""


def parse_camt053(data: bytes) -> ParseResult:
    root = hardened_xml(data)
    nsuri = root.nsmap.get(None) or ""
    if "camt.053" not in nsuri and root.find(".//{*}BkToCstmrStmt") is None:
        raise StatementError("an XML file that is not a CAMT.053 bank-to-customer statement", line=1)
    ns = {"c": nsuri} if nsuri else {}
    p = "c:" if nsuri else ""
    result = ParseResult(format="camt.053", transactions=[])
    stmts = root.findall(f".//{p}Stmt", ns)
    if not stmts:
        raise StatementError("CAMT.053 without a Stmt element", line=root.sourceline)
    for stmt in stmts:
        acct = _text(stmt, f"{p}Acct/{p}Id/{p}IBAN", ns) or _text(stmt, f"{p}Acct/{p}Id/{p}Othr/{p}Id", ns)
        result.account = result.account or acct or None
        ccy = _text(stmt, f"{p}Acct/{p}Ccy", ns)
        if ccy:
            result.currency = ccy
        for bal in stmt.findall(f"{p}Bal", ns):
            code = _text(bal, f"{p}Tp/{p}CdOrPrtry/{p}Cd", ns)
            amt = parse_amount(_text(bal, f"{p}Amt", ns))
            if amt is not None and _text(bal, f"{p}CdtDbtInd", ns) == "DBIT":
                amt = -amt
            if code in ("OPBD", "PRCD") and result.opening_balance is None:
                result.opening_balance = amt
            elif code in ("CLBD",):
                result.closing_balance = amt
        for ntry in stmt.findall(f"{p}Ntry", ns):
            line = ntry.sourceline
            amt_el = ntry.find(f"{p}Amt", ns)
            try:
                amount = parse_amount(amt_el.text if amt_el is not None else "")
            except ValueError:
                amount = None
            if amount is None:
                raise StatementError("CAMT.053 entry without a valid Amt", line=line)
            ind = _text(ntry, f"{p}CdtDbtInd", ns)
            if ind not in ("CRDT", "DBIT"):
                raise StatementError(f"expected CdtDbtInd CRDT or DBIT, got {ind!r}", line=line)
            reversal = _text(ntry, f"{p}RvslInd", ns).lower() == "true"
            credit = (ind == "CRDT") != reversal
            amount = abs(amount) if credit else -abs(amount)
            day_text = _text(ntry, f"{p}BookgDt/{p}Dt", ns) or _text(ntry, f"{p}BookgDt/{p}DtTm", ns)[:10]
            day_text = day_text or _text(ntry, f"{p}ValDt/{p}Dt", ns)
            try:
                day = date.fromisoformat(day_text[:10])
            except ValueError:
                raise StatementError(f"expected a booking date (BookgDt/Dt), got {day_text!r}", line=line)
            tx = ntry.find(f"{p}NtryDtls/{p}TxDtls", ns)
            party = "Dbtr" if credit else "Cdtr"
            name = _text(tx, f"{p}RltdPties/{p}{party}/{p}Nm", ns) or _text(
                tx, f"{p}RltdPties/{p}{party}/{p}Pty/{p}Nm", ns
            )
            acct_path = f"{p}RltdPties/{p}{party}Acct/{p}Id"
            cp_acct = _text(tx, f"{acct_path}/{p}IBAN", ns) or _text(tx, f"{acct_path}/{p}Othr/{p}Id", ns)
            memo_parts = [e.text.strip() for e in (tx.findall(f"{p}RmtInf/{p}Ustrd", ns) if tx is not None else [])
                          if e.text]
            memo = " ".join(memo_parts) or _text(ntry, f"{p}AddtlNtryInf", ns)
            ref = _text(ntry, f"{p}AcctSvcrRef", ns) or _text(tx, f"{p}Refs/{p}AcctSvcrRef", ns)
            ref = ref or _text(tx, f"{p}Refs/{p}EndToEndId", ns).replace("NOTPROVIDED", "")
            result.transactions.append(
                Transaction(
                    date=day, amount=amount.quantize(CENT), currency=amt_el.get("Ccy") or result.currency,
                    counterparty=name, counterparty_account=cp_acct, memo=memo, balance=None, bank_ref=ref,
                    direction="credit" if amount > 0 else "debit", line_no=line,
                    raw={"CdtDbtInd": ind, "RvslInd": reversal},
                )
            )
            if reversal:
                result.warnings.append(f"line {line}: reversal entry (RvslInd)")
    return result


_OFX_TAG = re.compile(r"<([A-Z0-9.]+)>([^<\r\n]*)", re.I)


def parse_ofx(data: bytes, text: str) -> ParseResult:
    result = ParseResult(format="ofx", transactions=[])
    try:
        _parse_ofx_lib(data, text, result)
    except StatementError:
        raise
    except Exception as exc:  # ofxtools is strict (field lengths, CNAPS codes): use the tolerant reader
        result.transactions.clear()
        result.warnings.append(f"ofxtools refused the file ({str(exc)[:80]}); read with the tolerant OFX reader")
        _parse_ofx_sgml(text, result)
    return result


def _parse_ofx_lib(data: bytes, text: str, result: ParseResult) -> None:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    tree.parse(io.BytesIO(text.encode("utf-8") if not text.isascii() else data))
    ofx = tree.convert()
    blocks = [m.start() for m in re.finditer(r"<STMTTRN>", text, re.I)]
    stmt = ofx.statements[0]
    acct = getattr(stmt, "account", None)
    result.account = getattr(acct, "acctid", None)
    result.currency = getattr(stmt, "curdef", None) or "CNY"
    ledger = getattr(stmt, "ledgerbal", None)
    if ledger is not None:
        result.closing_balance = Decimal(ledger.balamt).quantize(CENT)
    for i, t in enumerate(stmt.transactions):
        amount = Decimal(t.trnamt).quantize(CENT)
        line = text.count("\n", 0, blocks[i]) + 1 if i < len(blocks) else 0
        result.transactions.append(
            Transaction(
                date=t.dtposted.date(), amount=amount, currency=result.currency,
                counterparty=clean(t.name or getattr(t.payee, "name", "") if t.payee else t.name),
                counterparty_account=clean(getattr(getattr(t, "bankacctto", None), "acctid", "") or ""),
                memo=clean(t.memo), balance=None, bank_ref=clean(t.fitid),
                direction="credit" if amount > 0 else "debit" if amount < 0 else "neutral",
                line_no=line, raw={"TRNTYPE": t.trntype},
            )
        )


def _parse_ofx_sgml(text: str, result: ParseResult) -> None:
    m = re.search(r"<ACCTID>([^<\r\n]+)", text, re.I)
    result.account = clean(m.group(1)) if m else None
    m = re.search(r"<CURDEF>([^<\r\n]+)", text, re.I)
    result.currency = clean(m.group(1)) if m else "CNY"
    m = re.search(r"<LEDGERBAL>.*?<BALAMT>([^<\r\n]+)", text, re.I | re.S)
    if m:
        result.closing_balance = parse_amount(m.group(1))
    for block in re.finditer(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|</BANKTRANLIST>)", text, re.I | re.S):
        line = text.count("\n", 0, block.start()) + 1
        tags = {k.upper(): clean(v) for k, v in _OFX_TAG.findall(block.group(1))}
        try:
            amount = parse_amount(tags.get("TRNAMT", ""))
        except ValueError:
            amount = None
        if amount is None:
            raise StatementError("OFX STMTTRN without a valid TRNAMT", line=line)
        dt = tags.get("DTPOSTED", "")
        try:
            day = date(int(dt[:4]), int(dt[4:6]), int(dt[6:8]))
        except ValueError:
            raise StatementError(f"expected DTPOSTED as YYYYMMDD, got {dt!r}", line=line)
        result.transactions.append(
            Transaction(
                date=day, amount=amount.quantize(CENT), currency=result.currency,
                counterparty=tags.get("NAME", ""), counterparty_account=tags.get("ACCTID", ""),
                memo=tags.get("MEMO", ""), balance=None, bank_ref=tags.get("FITID", ""),
                direction="credit" if amount > 0 else "debit" if amount < 0 else "neutral",
                line_no=line, raw=tags,
            )
        )
    if not result.transactions and "<STMTTRN>" not in text.upper():
        result.warnings.append("OFX file without any transaction")


def excel_rows(data: bytes, kind: str) -> list[list[Row]]:
    """Rows of each sheet of an xls/xlsx workbook (xlsx checked for zip bombs first)."""
    from python_calamine import CalamineWorkbook

    if kind == "xlsx":
        check_zip(data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for idx in range(len(wb.sheet_names)):
            values = wb.get_sheet_by_index(idx).to_python(skip_empty_area=False)
            sheets.append([Row(i + 1, list(r), extra={"sheet": wb.sheet_names[idx]}) for i, r in enumerate(values)])
    except StatementError:
        raise
    except Exception as exc:
        raise StatementError(f"truncated or corrupt {kind} workbook: {str(exc)[:200]}")
    return sheets


def read_excel(data: bytes, kind: str, mapping=None) -> ParseResult:
    sheets = excel_rows(data, kind)
    first_error: StatementError | None = None
    for rows in sheets:
        if not any(any(clean(c) for c in r.cells) for r in rows):
            continue
        try:
            return read_rows(rows, kind, mapping)
        except StatementError as exc:
            first_error = first_error or exc
    raise first_error or StatementError(f"the {kind} workbook has no data")


__all__ = ["parse_mt940", "parse_camt053", "parse_ofx", "read_excel", "excel_rows", "is_formula"]
