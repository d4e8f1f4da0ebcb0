"""Readers for the structured formats: MT940, CAMT.053, OFX, Excel."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .model import CENT, ParseResult, StatementError, Transaction
from .safety import check_zip, hardened_xml
from .tabular import Row, read_rows, table_layout
from .values import clean, is_formula, parse_amount


def _line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    pos = text.find(needle, start)
    if pos < 0:
        return 0, start
    return text.count("\n", 0, pos) + 1, pos + len(needle)


def _the_account(accounts: dict[str, str]) -> str | None:
    """The one account a file's statements are of (None when they name none): a file of two or more is refused,
    each account named with where its statements are (``accounts``: account → "line 5", "sheet 'B'" …) — its lines
    would otherwise all land in the account the file is imported into."""
    if len(accounts) > 1:
        listed = ", ".join(f"{account} ({where})" for account, where in accounts.items())
        raise StatementError(f"the file holds statements of {len(accounts)} accounts: {listed}; import each "
                             "account's statements as a file of its own")
    return next(iter(accounts), None)


_MT_NAME = re.compile(r"(?:/NAME/|/ORDP/|/BENM/|\?3[23])([^/?]+)")
_MT_ACCT = re.compile(r"(?:/ACCT/|/ORDA/|\?31)([0-9A-Z\-]+)")


_MT_STATEMENT = re.compile(r"^:20:", re.MULTILINE)


def parse_mt940(text: str) -> ParseResult:
    """An MT940 file: one statement message (:20: … :62F:) or several — a file a day each, or the pages of one
    (:60M:/:62M:) —, all of one account. A line's balance is what the bank gives: each message's closing
    balance, on its last line (the lines between carry none, so that a line or a day missing shows as a gap
    instead of being hidden by balances worked out from the lines themselves)."""
    import mt940

    text = text.replace("\r\n", "\n")
    if ":61:" not in text:
        raise StatementError("MT940 without any :61: statement line")
    starts = [m.start() for m in _MT_STATEMENT.finditer(text)] or [0]
    starts[0] = 0  # a SWIFT header before the first :20: goes with it
    result = ParseResult(format="mt940", transactions=[])
    accounts: dict[str, int] = {}  # account → the line of its first statement
    cursor = 0
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        block = text[start:end]
        line_of_block = text.count("\n", 0, start) + 1
        try:
            parsed = mt940.parse(block)
            items = list(parsed)
        except Exception as exc:  # the library raises assorted errors on bad input
            raise StatementError(f"malformed MT940: {exc}", line=line_of_block)
        data = parsed.data
        account = clean(data.get("account_identification"))
        if account:
            accounts.setdefault(account, line_of_block)
        opening = _mt_balance(data, "final_opening_balance", "intermediate_opening_balance", result)
        closing = _mt_balance(data, "final_closing_balance", "intermediate_closing_balance", result)
        if result.opening_balance is None:
            result.opening_balance = opening
        result.closing_balance = closing if closing is not None else result.closing_balance
        for n, item in enumerate(items):
            line_no, cursor = _line_of(text, ":61:", cursor)
            tx = _mt_transaction(item.data, line_no, result.currency)
            if n == len(items) - 1 and closing is not None:
                tx = replace(tx, balance=closing)
            result.transactions.append(tx)
            if tx.raw["status"].startswith("R"):
                result.warnings.append(f"line {line_no}: reversal ({tx.raw['status']}) on the statement")
    result.account = _the_account({a: f"line {line}" for a, line in accounts.items()})
    return result


def _mt_balance(data: dict, final: str, intermediate: str, result: ParseResult) -> Decimal | None:
    bal = data.get(final) or data.get(intermediate)
    if bal is None:
        return None
    result.currency = bal.amount.currency or result.currency
    return Decimal(bal.amount.amount).quantize(CENT)


def _mt_transaction(d: dict, line_no: int, currency: str) -> Transaction:
    amount = Decimal(d["amount"].amount).quantize(CENT)
    status = (d.get("status") or "").upper()
    details = clean(d.get("transaction_details") or "").replace("\n", " ")
    name = _MT_NAME.search(details)
    acct = _MT_ACCT.search(details)
    ref = clean(d.get("bank_reference") or "")
    cust = clean(d.get("customer_reference") or "")
    text_memo = _MT_ACCT.sub(" ", _MT_NAME.sub(" ", details)).replace("/ ", " ")
    text_memo = " ".join(text_memo.split())
    memo = text_memo if not cust or cust == "NONREF" else f"{cust} {text_memo}".strip()
    return Transaction(
        date=_as_date(d.get("date")),
        amount=amount,
        currency=d.get("currency") or currency,
        counterparty=name.group(1).strip() if name else "",
        counterparty_account=acct.group(1) if acct else "",
        memo=memo,
        balance=None,
        bank_ref=ref if ref and ref != "NONREF" else "",
        direction="credit" if amount > 0 else "debit" if amount < 0 else "neutral",
        line_no=line_no,
        raw={"status": status, "id": d.get("id"), "details": details, "customer_reference": cust},
    )


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
    """A CAMT.053 file: its statements (Stmt), all of one account. Each booked entry is a line; a batch entry
    whose transaction details (TxDtls) each carry their amount — a bank's mortgage disbursement for several
    buyers, a batch of collections — is a line per detail, each with its payer and remittance text. A pending
    entry (Sts PDNG or INFO) is left out with a warning: it comes on a later statement once booked. Each
    statement's closing balance (CLBD) is the balance of its last line."""
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
    accounts: dict[str, int] = {}  # account → the line of its first statement
    for stmt in stmts:
        acct = _text(stmt, f"{p}Acct/{p}Id/{p}IBAN", ns) or _text(stmt, f"{p}Acct/{p}Id/{p}Othr/{p}Id", ns)
        if acct:
            accounts.setdefault(acct, stmt.sourceline)
        ccy = _text(stmt, f"{p}Acct/{p}Ccy", ns)
        if ccy:
            result.currency = ccy
        closing = None
        for bal in stmt.findall(f"{p}Bal", ns):
            code = _text(bal, f"{p}Tp/{p}CdOrPrtry/{p}Cd", ns)
            amt = parse_amount(_text(bal, f"{p}Amt", ns))
            if amt is not None and _text(bal, f"{p}CdtDbtInd", ns) == "DBIT":
                amt = -amt
            if code in ("OPBD", "PRCD") and result.opening_balance is None:
                result.opening_balance = amt
            elif code in ("CLBD",):
                closing = amt
        lines: list[Transaction] = []
        for ntry in stmt.findall(f"{p}Ntry", ns):
            lines += _camt_entry(ntry, p, ns, result)
        if lines and closing is not None:
            lines[-1] = replace(lines[-1], balance=closing.quantize(CENT))
        result.transactions += lines
        if closing is not None:
            result.closing_balance = closing
    result.account = _the_account({a: f"line {line}" for a, line in accounts.items()})
    return result


_BOOKED = ("", "BOOK")
_UNBOOKED = {"PDNG": "pending", "INFO": "for information only", "FUTR": "future"}


def _camt_entry(ntry, p: str, ns: dict[str, str], result: ParseResult) -> list[Transaction]:
    """The line(s) of one entry (Ntry): see `parse_camt053`."""
    line = ntry.sourceline
    amt_el = ntry.find(f"{p}Amt", ns)
    amount = _camt_amount(amt_el)
    if amount is None:
        raise StatementError("CAMT.053 entry without a valid Amt", line=line)
    status = (_text(ntry, f"{p}Sts/{p}Cd", ns) or _text(ntry, f"{p}Sts", ns)).upper()
    if status not in _BOOKED:
        state = _UNBOOKED.get(status, "not booked")
        result.warnings.append(f"line {line}: entry of {amount} with status {status} ({state}) left out: it comes on "
                               "a later statement once it is booked")
        return []
    ind = _text(ntry, f"{p}CdtDbtInd", ns)
    if ind not in ("CRDT", "DBIT"):
        raise StatementError(f"expected CdtDbtInd CRDT or DBIT, got {ind!r}", line=line)
    reversal = _text(ntry, f"{p}RvslInd", ns).lower() == "true"
    credit = (ind == "CRDT") != reversal
    day_text = _text(ntry, f"{p}BookgDt/{p}Dt", ns) or _text(ntry, f"{p}BookgDt/{p}DtTm", ns)[:10]
    day_text = day_text or _text(ntry, f"{p}ValDt/{p}Dt", ns)
    try:
        day = date.fromisoformat(day_text[:10])
    except ValueError:
        raise StatementError(f"expected a booking date (BookgDt/Dt), got {day_text!r}", line=line)
    ref = _text(ntry, f"{p}AcctSvcrRef", ns)
    details = ntry.findall(f"{p}NtryDtls/{p}TxDtls", ns)
    party = "Dbtr" if credit else "Cdtr"
    amounts = [_camt_amount(tx.find(f"{p}AmtDtls/{p}TxAmt/{p}Amt", ns)) or _camt_amount(tx.find(f"{p}Amt", ns))
               for tx in details]
    split = len(details) > 1 and None not in amounts and sum(amounts) == abs(amount)  # type: ignore[arg-type]
    if split:
        result.warnings.append(f"line {line}: batch entry of {len(details)} transactions ({abs(amount)} in all) "
                               f"read as {len(details)} lines")
    parts: list[tuple[Any, Decimal]] = [(tx, a) for tx, a in zip(details, amounts, strict=True) if a is not None] \
        if split else [(details[0] if details else None, amount)]
    out = []
    for n, (tx, part) in enumerate(parts, start=1):
        name = _text(tx, f"{p}RltdPties/{p}{party}/{p}Nm", ns) or _text(
            tx, f"{p}RltdPties/{p}{party}/{p}Pty/{p}Nm", ns
        )
        acct_path = f"{p}RltdPties/{p}{party}Acct/{p}Id"
        cp_acct = _text(tx, f"{acct_path}/{p}IBAN", ns) or _text(tx, f"{acct_path}/{p}Othr/{p}Id", ns)
        # one line for the whole entry reads every detail's remittance text (each may name a contract)
        texts = [e.text.strip() for t in ([tx] if split else details)
                 for e in t.findall(f"{p}RmtInf/{p}Ustrd", ns) if e.text]
        memo = " ".join(texts) or _text(ntry, f"{p}AddtlNtryInf", ns)
        own_ref = _text(tx, f"{p}Refs/{p}AcctSvcrRef", ns)
        if split:
            bank_ref = own_ref if own_ref and own_ref != ref else f"{ref}/{n}" if ref else ""
        else:
            bank_ref = ref or own_ref or _text(tx, f"{p}Refs/{p}EndToEndId", ns).replace("NOTPROVIDED", "")
        value = abs(part) if credit else -abs(part)
        out.append(Transaction(
            date=day, amount=value.quantize(CENT), currency=amt_el.get("Ccy") or result.currency,
            counterparty=name, counterparty_account=cp_acct, memo=memo, balance=None, bank_ref=bank_ref,
            direction="credit" if value > 0 else "debit", line_no=tx.sourceline if split else line,
            raw={"CdtDbtInd": ind, "RvslInd": reversal, **({"batch": ref or str(line)} if split else {})},
        ))
    if reversal:
        result.warnings.append(f"line {line}: reversal entry (RvslInd)")
    return out


def _camt_amount(el) -> Decimal | None:
    if el is None:
        return None
    try:
        return parse_amount(el.text or "")
    except ValueError:
        return None


_OFX_TAG = re.compile(r"<([A-Z0-9.]+)>([^<\r\n]*)", re.I)


_OFX_FROM = re.compile(r"<(?:BANK|CC)ACCTFROM>.*?<ACCTID>([^<\r\n]+)", re.I | re.S)


def parse_ofx(data: bytes, text: str) -> ParseResult:
    """An OFX file (SGML 1.x or XML 2.x): its statements, all of one account — through ofxtools, or a tolerant
    reader where ofxtools refuses what Chinese banks write (12-digit CNAPS bank codes, language CHI)."""
    accounts: dict[str, int] = {}
    for m in _OFX_FROM.finditer(text):
        accounts.setdefault(clean(m.group(1)), text.count("\n", 0, m.start()) + 1)
    _the_account({a: f"line {line}" for a, line in accounts.items()})
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
    statements = list(ofx.statements)
    if not statements:
        raise StatementError("OFX file without a bank or card statement (STMTRS)")
    acct = getattr(statements[0], "account", None)
    result.account = getattr(acct, "acctid", None)
    result.currency = getattr(statements[0], "curdef", None) or "CNY"
    ledger = getattr(statements[-1], "ledgerbal", None)
    if ledger is not None:
        result.closing_balance = Decimal(ledger.balamt).quantize(CENT)
    for i, t in enumerate(t for stmt in statements for t in stmt.transactions):
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
    ledger = re.findall(r"<LEDGERBAL>.*?<BALAMT>([^<\r\n]+)", text, re.I | re.S)
    if ledger:
        result.closing_balance = parse_amount(ledger[-1])  # the last statement's
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
    """Every sheet of the workbook that holds a statement table, in order — an export longer than an xls sheet
    holds (65,536 rows) goes on in a second sheet, some banks put a month a sheet —, all of one account; a sheet
    without such a table (a summary, notes) is skipped with a warning. An error in a line names its sheet."""
    named = [(rows[0].extra["sheet"], rows) for rows in excel_rows(data, kind)
             if any(any(clean(c) for c in r.cells) for r in rows)]
    parts: list[tuple[str, ParseResult]] = []
    skipped: list[tuple[str, StatementError]] = []
    for name, rows in named:
        try:
            table_layout(rows, mapping)
        except StatementError as exc:
            skipped.append((name, exc))
            continue
        try:
            parts.append((name, read_rows(rows, kind, mapping)))
        except StatementError as exc:
            if len(named) > 1:
                exc.sheet = name
            raise
    if not parts:
        raise skipped[0][1] if skipped else StatementError(f"the {kind} workbook has no data")
    if len(parts) == 1 and not skipped:
        return parts[0][1]
    accounts: dict[str, str] = {}
    for name, part in parts:
        if part.account:
            accounts.setdefault(part.account, name)
    _the_account({a: f"sheet {n!r}" for a, n in accounts.items()})
    result = parts[0][1]
    result.warnings = [f"sheet {parts[0][0]!r}: {w}" for w in result.warnings]
    for name, part in parts[1:]:
        result.transactions += part.transactions
        result.warnings += [f"sheet {name!r}: {w}" for w in part.warnings]
        result.account = result.account or part.account
        result.account_name = result.account_name or part.account_name
        if part.closing_balance is not None:
            result.closing_balance = part.closing_balance
    result.warnings += [f"sheet {name!r} skipped: no statement table in it ({exc.message})" for name, exc in skipped]
    return result


__all__ = ["parse_mt940", "parse_camt053", "parse_ofx", "read_excel", "excel_rows", "is_formula"]
