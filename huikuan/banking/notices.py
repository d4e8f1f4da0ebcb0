"""What an import says — its summary, warnings, balance gaps and the reason a file was refused — in the reader's
language.

The statement readers and the import service are plain Python and write in English, with the file's values in
place (`march.csv: line 12: expected a date in column '交易日期' (…), got 'abc'`); the text is stored and passed on
as written (an import job's message, a statement's warnings and gaps, the CLI, the API). Each form they write is a
template here (`core.phrasebook`); the web pages show it translated. Where a line is — a file, a workbook's sheet,
a line number — comes before the message and is translated around it. The forms of a refused amount are
`core.money_notices`'s, taken in among these (a refused amount is quoted after a column's name, and a where-prefix
needs its message to fit a template here). A text no template here fits may be a match's reason (the ledger's
refusals): `banking.reasons` shows it. `tests/test_notices.py` reads every fixture file and fails on a warning or
refusal no template fits.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from huikuan.core import money_notices
from huikuan.core.phrasebook import Phrasebook

from . import reasons

WHERE = (  # tried before the other templates, each message after them must fit one
    _("%(file)s: %(what)s"),
    _("sheet %(sheet)s: %(what)s"),
    _("line %(line)s: %(what)s"),
)

TEMPLATES = WHERE + (
    # an import's outcome (services.jobs)
    _("%(total)s line(s), %(new)s new, %(duplicates)s already imported"),
    _("%(auto)s matched automatically, %(suggested)s suggested, %(exceptions)s exception(s)"),
    _("Nothing was imported."),
    _("this import cannot be retried: it did not fail, or its file is gone (a failed import's file is kept "
      "%(days)s days); upload the file again"),
    # the import service (services.importing, services.same_lines)
    _("an account number is needed to import a statement"),
    _("cannot read the file: %(reason)s"),
    _("the column mapping saved on the account does not fit this file (%(why)s): its columns were detected "
      "instead — check the lines, and map them again if the bank changed its export"),
    _("the file names account %(named)s, imported into %(account)s as asked"),
    _("the file is a statement of account %(other)s, not of %(account)s: import it into %(other)s"),
    _("this file was already imported into account %(account)s on %(when)s; a statement belongs to one account"),
    _("account %(account)s was not known: created it; set its bank, project and escrow flag on the accounts page"),
    _("amount %(amount)s / balance %(balance)s: not a number"),
    _("the same line as line %(line)s of %(file)s (%(day)s, %(amount)s, balance %(balance)s) under another "
      "reference: not stored again"),
    # balance continuity (statements.model, services.importing)
    _("balance %(balance)s but %(expected)s expected after line %(previous)s (difference %(difference)s); a line, "
      "day or page may be missing"),
    _("balance %(balance)s but %(expected)s expected (difference %(difference)s); a line, day or page may be "
      "missing"),
    _("opening balance %(balance)s but %(expected)s expected after %(previous)s (to %(end)s, closing balance "
      "%(expected)s) (difference %(difference)s); a day or a statement may be missing"),
    _("balance %(balance)s but %(expected)s expected after %(previous)s (to %(end)s, closing balance %(closed)s) "
      "(difference %(difference)s); a day or a statement may be missing"),
    # any file (statements, statements.safety, statements.text)
    _("the file is empty"),
    _("the file has no lines"),
    _("the file is %(size)s MB, above the %(limit)s MB limit for statements"),
    _("unrecognised file: binary content that is not a PDF, Excel (xls/xlsx), image, CSV, MT940, CAMT.053 or OFX "
      "statement"),
    _("UTF-16 text (by its byte-order mark) that does not decode at byte %(at)s: a truncated or corrupt file"),
    _("not a text statement: the bytes are neither UTF-8 nor GBK/GB18030 (binary or corrupt file)"),
    _("not a recognisable CSV statement: %(why)s"),
    _("no header"),
    _("a %(kind)s file is not a table of columns (expected CSV, XLS, XLSX or a PDF table)"),
    _("%(n)s OCR line(s) below confidence %(threshold)s: lines %(lines)s; review them"),
    # tables: CSV, workbooks, PDF (statements.tabular, statements.values)
    _("no header row found in the first %(n)s lines: could not find %(missing)s; the closest header, line "
      "%(line)s, has %(found)s. Save a column mapping for this account to import it."),
    _("no header row found in the first %(n)s lines: could not find %(missing)s. Save a column mapping for this "
      "account to import it."),
    _("the date column"),
    _("the amount column (or income and expense columns)"),
    _("the date and amount columns (or income and expense columns)"),
    _("the mapping's header line %(line)s is not in the file"),
    _("no line has all the mapped headers: %(headers)s"),
    _("no line has a date in column %(column)s"),
    _("mapped column %(column)s for %(field)s is not in the header"),
    _("the mapping names no column for %(fields)s (amount convention %(convention)s)"),
    _("expected a date in column %(column)s (e.g. 2026-03-05, 20260305, 2026/3/5, 05/03/2026, 05 Mar 2026), got "
      "%(got)s"),
    _("expected an amount in column %(column)s: %(why)s"),
    _("expected an amount in column %(column)s"),
    _("expected a debit/credit mark (借/贷, Dr/Cr, D/C, 收入/支出) in column %(column)s, got %(got)s"),
    _("a line with an amount but no date"),
    _("not a transaction, skipped: %(text)s"),
    _("the amount could not be read; %(amount)s taken from the balances (check the line)"),
    _("both income and expense filled; netted"),
    _("a negative income (%(amount)s) is read as a reversal, money out"),
    _("cell %(cell)s %(text)s looks like a spreadsheet formula (CSV injection); kept as plain text, never "
      "evaluated"),
    *money_notices.TEMPLATES,  # a refused amount (core.money), also quoted after a column's name
    _("not a date: %(text)s"),
    # a column mapping (statements.model)
    _("column mapping names unknown fields: %(fields)s"),
    _("amount convention must be one of %(conventions)s, got %(got)s"),
    _("column mapping needs a 'date' column"),
    _("column mapping needs an 'amount' or 'credit'/'debit' columns"),
    _("column mapping must be an object with a 'columns' object"),
    _("column mapping is not valid JSON: %(why)s"),
    # workbooks, zip and XML (statements.formats, statements.safety)
    _("sheet %(sheet)s skipped: no statement table in it (%(why)s)"),
    _("truncated or corrupt %(kind)s workbook: %(why)s"),
    _("the %(kind)s workbook has no data"),
    _("truncated or corrupt xlsx (zip) file: %(why)s"),
    _("refused: zip entry %(entry)s expands %(ratio)s× (a zip bomb?); the limit is %(limit)s×"),
    _("refused: the xlsx expands to %(size)s MB, above %(limit)s MB (a zip bomb?)"),
    _("a zip file that is not an xlsx workbook (no xl/ part)"),
    _("truncated or corrupt xlsx: entry %(entry)s fails its checksum"),
    _("refused: the XML declares a DTD or entities (entity expansion attack?)"),
    _("malformed XML: %(why)s"),
    # MT940, CAMT.053, OFX (statements.formats)
    _("the file holds statements of %(n)s accounts: %(accounts)s; import each account's statements as a file of "
      "its own"),
    _("MT940 without any :61: statement line"),
    _("malformed MT940: %(why)s"),
    _("reversal (%(status)s) on the statement"),
    _("expected a date, got %(got)s"),
    _("an XML file that is not a CAMT.053 statement (expected BkToCstmrStmt)"),
    _("an XML file that is not a CAMT.053 bank-to-customer statement"),
    _("CAMT.053 without a Stmt element"),
    _("CAMT.053 entry without a valid Amt"),
    _("entry of %(amount)s with status %(status)s (%(state)s) left out: it comes on a later statement once it is "
      "booked"),
    _("pending"),
    _("for information only"),
    _("future"),
    _("not booked"),
    _("expected CdtDbtInd CRDT or DBIT, got %(got)s"),
    _("expected a booking date (BookgDt/Dt), got %(got)s"),
    _("batch entry of %(n)s transactions (%(amount)s in all) read as %(lines)s lines"),
    _("reversal entry (RvslInd)"),
    _("ofxtools refused the file (%(why)s); read with the tolerant OFX reader"),
    _("OFX file without a bank or card statement (STMTRS)"),
    _("OFX STMTTRN without a valid TRNAMT"),
    _("expected DTPOSTED as YYYYMMDD, got %(got)s"),
    _("OFX file without any transaction"),
    # PDF and scans (statements.pdf, statements.ocr)
    _("truncated or corrupt PDF: %(why)s"),
    _("corrupt PDF page %(page)s: %(why)s"),
    _("this is a scanned statement but OCR (rapidocr) is not installed"),
    _("truncated or corrupt image: %(why)s"),
    # accounts, disbursement lists, decisions (services.accounts, services.disbursements, views)
    _("an escrow account (预售资金监管) is tied to one project: choose it"),
    _("a disbursement list needs a header naming an amount column (放款金额) and a contract number (合同编号) or "
      "buyer (借款人) column"),
    _("row of %(row)s: the amount must be positive, got %(got)s"),
    _("the disbursement list has no rows"),
    _("no bank line with the reference %(reference)s on account %(account)s"),
    _("no bank line with the reference %(reference)s"),
    _("several bank lines have the reference %(reference)s (accounts %(accounts)s): name the account"),
    _("this transfer is already matched; undo the match first"),
    _("this transfer was matched meanwhile; reload it"),
    _("unknown decision %(decision)s"),
)

# values that are such texts themselves: what a where-prefix says, a refusal quoted in a warning, a state
_NESTED = ("what", "why", "missing", "state")

# where a line is, before its message: a file's name (with its extension), a sheet's name (quoted), a line number
_WHERE_FIELDS = {"file": r"[^:\n]+?\.\w{1,5}", "sheet": r"'[^'\n]*'|\"[^\"\n]*\"", "line": r"\d+"}

# each account of a refused file of several, with where it is: `111 (line 1), 222 (line 8)`, `111 (sheet 'A')`
_LISTED_WHERE = {"line": _("%(account)s (line %(line)s)"), "sheet": _("%(account)s (sheet %(sheet)s)")}
_LISTED = re.compile(rf"(\S+) \((line|sheet) ({_WHERE_FIELDS['line']}|{_WHERE_FIELDS['sheet']})\)")


def _shown(name: str, value: str) -> str | None:
    """The list of a file's accounts, each one's place translated."""
    if name != "accounts":
        return None
    return _LISTED.sub(lambda m: gettext(_LISTED_WHERE[m[2]]) % {"account": m[1], m[2]: m[3]}, value)


_BOOK = Phrasebook(TEMPLATES, nested=_NESTED, whole=("what",), shown=_shown, otherwise=reasons.translated,
                   first=WHERE, fields=_WHERE_FIELDS)
fitting = _BOOK.fitting
translated = _BOOK.translated


def translated_lines(text: str) -> str:
    """A message of several lines (an import job's), each line translated."""
    return "\n".join(map(translated, text.split("\n")))
