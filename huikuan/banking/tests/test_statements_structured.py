"""MT940, CAMT.053 and OFX files as banks send them over a month: several statements in one file (a day each, or
pages), batch entries, pending entries — and a file that mixes accounts, refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.choices import StatementStatus
from huikuan.banking.models import BankTransaction
from huikuan.banking.services.importing import import_statement
from huikuan.banking.statements import StatementError, Transaction, check_balance_continuity, parse_statement

ACCOUNT = "6222021234567890"


def mt940(second_opening: str = "150000,00", second_account: str = ACCOUNT) -> bytes:
    """Two daily MT940 statements of one account in one file (as a bank's download for a date range gives)."""
    return f""":20:STMT0301
:25:{ACCOUNT}
:28C:00001/001
:60F:C260301CNY100000,00
:61:2603010301C50000,00NTRFHT20260012//BR001
:86:/NAME/张三/ 首付款
:62F:C260301CNY150000,00
-
:20:STMT0302
:25:{second_account}
:28C:00002/001
:60F:C{'260302'}CNY{second_opening}
:61:2603020302C30000,00NTRFHT20260013//BR002
:86:/NAME/李四/ 首付款
:61:2603020302D1000,00NCHGNONREF
:86:手续费
:62F:C260302CNY{'179000,00' if second_opening == '150000,00' else '189000,00'}
-
""".encode()


def test_mt940_with_a_statement_a_day_gives_each_days_closing_balance_on_its_last_line():
    # given a file with the statements of 1 and 2 March
    result = parse_statement(mt940(), filename="march.sta")
    # then every line comes out; the balances are the bank's closing balances, not worked out from the lines
    assert [(t.bank_ref, t.amount, t.balance) for t in result.transactions] == [
        ("BR001", D("50000.00"), D("150000.00")), ("BR002", D("30000.00"), None), ("", D("-1000.00"), D("179000.00"))]
    assert (result.account, result.opening_balance, result.closing_balance) == (ACCOUNT, D("100000.00"),
                                                                                D("179000.00"))
    assert check_balance_continuity(result.transactions, result.opening_balance) == []


def test_mt940_a_day_missing_between_two_statements_of_the_file_is_a_gap():
    # given a file whose second statement opens at 160,000 though the first closed at 150,000
    result = parse_statement(mt940(second_opening="160000,00"), filename="march.sta")
    # then the gap shows on the last line of the second day, 10,000 apart
    gaps = check_balance_continuity(result.transactions, result.opening_balance)
    assert [(g.line_no, g.difference) for g in gaps] == [(15, D("10000.00"))]


def test_mt940_statements_of_two_accounts_in_one_file_are_refused():
    # given a file whose second statement is of another account
    with pytest.raises(StatementError) as err:
        parse_statement(mt940(second_account="6222029999999999"), filename="mixed.sta")
    # then it is refused, naming both accounts and where the second begins
    assert "2 accounts: 6222021234567890 (line 1), 6222029999999999 (line 9)" in str(err.value)


@pytest.mark.django_db
def test_an_mt940_file_with_a_missing_day_is_stored_for_review():
    # when the file with the gap is imported
    outcome = import_statement(actor=None, source=mt940(second_opening="160000,00"), filename="march.sta",
                               account_no=ACCOUNT)
    # then all three lines are stored and the statement waits for review with the gap
    assert outcome.new == 3 and outcome.statement.status == StatementStatus.NEEDS_REVIEW
    assert outcome.gaps == ["line 15: balance 189000.00 but 179000.00 expected after line 5 (difference 10000.00); "
                            "a line, day or page may be missing"]


CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M2</MsgId><CreDtTm>2026-03-12T18:00:00</CreDtTm></GrpHdr>"""


def _camt_statement(account: str, day: str, opening: str, closing: str, entries: str) -> str:
    return f"""<Stmt><Id>S{day}</Id><Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>{day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>{day}</Dt></Dt></Bal>
{entries}</Stmt>"""


BATCH = """<Ntry><Amt Ccy="CNY">1500000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-03-11</Dt></BookgDt><AcctSvcrRef>B20260311001</AcctSvcrRef>
<NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="CNY">900000.00</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Pty><Nm>张三</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>个人住房贷款放款 HT-2026-0012</Ustrd></RmtInf>
</TxDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="CNY">600000.00</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Pty><Nm>李四</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>个人住房贷款放款 HT-2026-0013</Ustrd></RmtInf>
</TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="CNY">3000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
<BookgDt><Dt>2026-03-11</Dt></BookgDt><AcctSvcrRef>P1</AcctSvcrRef></Ntry>"""

DEPOSIT = """<Ntry><Amt Ccy="CNY">3000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-03-12</Dt></BookgDt><AcctSvcrRef>B20260312001</AcctSvcrRef>
<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>王五</Nm></Dbtr></RltdPties><RmtInf><Ustrd>定金 3栋1单元1202</Ustrd></RmtInf>
</TxDtls><TxDtls><RmtInf><Ustrd>HT-2026-0014</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""


def camt(second_account: str = "110060123456789", second_opening: str = "1501000.00") -> bytes:
    second_closing = f"{D(second_opening) + 3000:.2f}"
    return (CAMT_HEAD
            + _camt_statement("110060123456789", "2026-03-11", "1000.00", "1501000.00", BATCH)
            + _camt_statement(second_account, "2026-03-12", second_opening, second_closing, DEPOSIT)
            + "</BkToCstmrStmt></Document>").encode()


def test_camt053_batch_entry_is_a_line_per_transaction_and_a_pending_entry_is_left_out_with_a_warning():
    # given two daily statements: a bank's disbursement of two loans booked as one batch entry, a pending entry,
    # then a deposit whose entry carries two details without amounts of their own
    result = parse_statement(camt(), filename="march.xml")
    # then the batch is two lines, each with its buyer, text and a reference of its own
    assert [(t.bank_ref, t.amount, t.counterparty, t.memo) for t in result.transactions] == [
        ("B20260311001/1", D("900000.00"), "张三", "个人住房贷款放款 HT-2026-0012"),
        ("B20260311001/2", D("600000.00"), "李四", "个人住房贷款放款 HT-2026-0013"),
        ("B20260312001", D("3000.00"), "王五", "定金 3栋1单元1202 HT-2026-0014"),  # every detail's text read
    ]
    assert [t.date for t in result.transactions] == [date(2026, 3, 11)] * 2 + [date(2026, 3, 12)]
    # and each day's closing balance is on its last line: the pending 3,000 is not in it
    assert [t.balance for t in result.transactions] == [None, D("1501000.00"), D("1504000.00")]
    assert check_balance_continuity(result.transactions, result.opening_balance) == []
    assert any("batch entry of 2 transactions (1500000.00 in all) read as 2 lines" in w for w in result.warnings)
    assert any("entry of 3000.00 with status PDNG (pending) left out" in w for w in result.warnings)


def test_camt053_a_day_missing_between_its_statements_is_a_gap():
    # given a second statement opening 10,000 above the first one's closing balance
    result = parse_statement(camt(second_opening="1511000.00"), filename="march.xml")
    gaps = check_balance_continuity(result.transactions, result.opening_balance)
    assert [g.difference for g in gaps] == [D("10000.00")]


def test_camt053_statements_of_two_accounts_are_refused():
    with pytest.raises(StatementError) as err:
        parse_statement(camt(second_account="110060999999999"), filename="mixed.xml")
    assert "2 accounts: 110060123456789" in str(err.value) and "110060999999999" in str(err.value)


OFX_HEAD = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260430120000<LANGUAGE>{language}</SONRS>
</SIGNONMSGSRSV1>
<BANKMSGSRSV1>"""


def _ofx_statement(n: int, account: str, month: int, bank_id: str) -> str:
    return f"""<STMTTRNRS><TRNUID>{n}<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>CNY
<BANKACCTFROM><BANKID>{bank_id}<ACCTID>{account}<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>2026{month:02d}01<DTEND>2026{month:02d}28
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>2026{month:02d}05<TRNAMT>12000.00<FITID>OFX{month:02d}01
<NAME>Zhang San<MEMO>HT-2026-0012
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>{100000 + 12000 * month:.2f}<DTASOF>2026{month:02d}28</LEDGERBAL>
</STMTRS></STMTTRNRS>
"""


def ofx(second_account: str = ACCOUNT, strict: bool = True) -> bytes:
    """Two monthly statements; ``strict``: what ofxtools accepts (else a CNAPS bank code and language CHI, which
    only the tolerant reader takes)."""
    bank_id, language = ("121000358", "ENG") if strict else ("102100099996", "CHI")
    return (OFX_HEAD.format(language=language) + _ofx_statement(1, ACCOUNT, 3, bank_id)
            + _ofx_statement(2, second_account, 4, bank_id) + "</BANKMSGSRSV1>\n</OFX>\n").encode()


@pytest.mark.parametrize("strict", [True, False], ids=["ofxtools", "tolerant reader"])
def test_ofx_with_two_statements_of_one_account_gives_the_lines_of_both(strict):
    result = parse_statement(ofx(strict=strict), filename="spring.ofx")
    assert [t.bank_ref for t in result.transactions] == ["OFX0301", "OFX0401"]
    assert result.closing_balance == D("148000.00")
    assert any("tolerant" in w for w in result.warnings) != strict


@pytest.mark.parametrize("strict", [True, False], ids=["ofxtools", "tolerant reader"])
def test_ofx_statements_of_two_accounts_are_refused(strict):
    with pytest.raises(StatementError) as err:
        parse_statement(ofx(second_account="6222029999999999", strict=strict), filename="mixed.ofx")
    assert "2 accounts: 6222021234567890 (line 16), 6222029999999999 (line 26)" in str(err.value)


def _line(amount: str, balance: str | None, line_no: int, direction: str = "") -> Transaction:
    value = D(amount)
    return Transaction(date=date(2026, 3, 2), amount=value, balance=None if balance is None else D(balance),
                       line_no=line_no, direction=direction or ("credit" if value > 0 else "debit"))


def test_balance_continuity_counts_the_lines_without_a_balance_and_not_the_neutral_ones():
    # given a balance every few lines, and a neutral wallet line (no money moved) among them
    lines = [_line("100.00", None, 1), _line("50.00", None, 2), _line("20.00", None, 3, "neutral"),
             _line("-30.00", "1120.00", 4), _line("5.00", None, 5), _line("10.00", "1145.00", 6)]
    # then 1,000 + 100 + 50 − 30 = 1,120 holds, and the last balance is 10 more than its lines explain
    gaps = check_balance_continuity(lines, D("1000.00"))
    assert [(g.line_no, g.previous_line_no, g.expected, g.difference) for g in gaps] == [
        (6, 4, D("1135.00"), D("10.00"))]


@pytest.mark.django_db
def test_importing_a_split_batch_again_adds_nothing():
    first = import_statement(actor=None, source=camt(), filename="march.xml", account_no="110060123456789")
    again = import_statement(actor=None, source=camt() + b"\n", filename="march-again.xml",
                             account_no="110060123456789")
    assert (first.new, again.new) == (3, 0)
    assert sorted(BankTransaction.objects.values_list("key", flat=True)) == [
        "B20260311001/1", "B20260311001/2", "B20260312001"]
