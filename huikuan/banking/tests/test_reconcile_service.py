"""Auto-matching on the database: what is sure is allocated and audited, the rest is queued with a reason."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.choices import ExceptionKind, MatchStatus
from huikuan.banking.models import BankTransaction, Match
from huikuan.banking.services.reconciliation import reconcile
from huikuan.core.models import AuditEvent
from huikuan.receivables.choices import ReceiptSource
from huikuan.receivables.models import Receipt

from .helpers import bank_lines, outstanding, sold

pytestmark = pytest.mark.django_db

DOWN_AND_LOAN = [("down_payment", "首付款", date(2026, 3, 9), "300000.00"),
                 ("mortgage_loan", "按揭款", date(2026, 4, 1), "700000.00")]


def match_of(ref: str) -> Match:
    return Match.objects.live().get(transaction__key=ref)


def test_a_sure_payment_is_allocated_automatically_and_audited():
    # given a contract owing a 300,000 down payment and a transfer naming the contract from the buyer
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300000.00", "张三", "6222021234567890123", "HT-2026-0012 首付款", "B001"))
    # when reconciliation runs
    summary = reconcile()
    # then the match is automatic, the receipt is posted from the bank line and allocated to the down payment
    m = match_of("B001")
    assert (m.status, summary.auto, summary.auto_amount) == (MatchStatus.AUTO, 1, D("300000.00"))
    receipt = Receipt.objects.get(source=ReceiptSource.BANK)
    assert (receipt.reference, receipt.amount, receipt.payer_name, receipt.contract) == ("B001", D("300000.00"),
                                                                                       "张三", c)
    assert outstanding(c) == [D("0.00"), D("700000.00")]
    assert [(line.amount, line.ledger_entry.amount) for line in m.lines.all()] == [(D("300000.00"), D("-300000.00"))]
    assert AuditEvent.objects.filter(action="match.auto", object_id=str(m.pk)).count() == 1
    assert AuditEvent.objects.filter(action="receipt.allocated").count() == 1


def test_one_transfer_paying_two_lines_of_a_contract_is_split_over_both():
    # given a deposit and a down payment due together, paid by one transfer (1:N)
    c = sold("HT-2026-0013", "李四", [("deposit", "定金", date(2026, 3, 5), "50000.00"),
                                      ("down_payment", "首付款", date(2026, 3, 9), "250000.00"),
                                      ("mortgage_loan", "按揭款", date(2026, 4, 1), "700000.00")])
    bank_lines(("2026-03-08", "300000.00", "李四", "", "HT-2026-0013", "B002"))
    # when reconciled
    reconcile()
    # then both lines are paid from the one receipt
    assert match_of("B002").status == MatchStatus.AUTO
    assert outstanding(c) == [D("0.00"), D("0.00"), D("700000.00")]
    assert sorted(match_of("B002").lines.values_list("amount", flat=True)) == [D("50000.00"), D("250000.00")]


def test_re_running_reconcile_matches_nothing_twice():
    # given a reconciled statement
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300000.00", "张三", "", "HT-2026-0012", "B001"))
    reconcile()
    # when it runs again
    again = reconcile()
    # then there is nothing left to consider, and one receipt only
    assert (again.considered, Receipt.objects.count(), Match.objects.count()) == (0, 1, 1)


def test_a_payment_with_no_clue_is_unidentified_and_money_out_is_a_reversal():
    # given a contract, an unrelated transfer and a bank fee
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "1234.56", "某某物流公司", "", "货款", "B010"),
               ("2026-03-08", "-12.50", "手续费", "", "", "B011"))
    # when reconciled
    summary = reconcile()
    # then neither allocates anything, and each says why
    assert dict(summary.exceptions) == {ExceptionKind.UNIDENTIFIED: 1, ExceptionKind.REVERSAL: 1}
    assert (match_of("B010").exception_kind, match_of("B011").exception_kind) == ("unidentified", "reversal")
    assert not Receipt.objects.exists()


def test_paying_an_already_paid_receivable_again_is_a_duplicate_payment():
    # given a fully paid lump-sum contract
    c = sold("HT-2026-0020", "王五", [("full_payment", "房款", date(2026, 3, 9), "500000.00")])
    bank_lines(("2026-03-08", "500000.00", "王五", "", "HT-2026-0020", "B020"), name="a.csv")
    reconcile()
    # when the same amount arrives again from the same buyer two weeks later
    bank_lines(("2026-03-22", "500000.00", "王五", "", "HT-2026-0020", "B021"), name="b.csv")
    reconcile()
    # then it is a duplicate-payment exception that allocates nothing
    m = match_of("B021")
    assert (m.status, m.exception_kind, m.lines.count()) == (MatchStatus.EXCEPTION, "duplicate_payment", 0)
    assert outstanding(c) == [D("0.00")]


def test_an_over_payment_is_an_exception_proposing_the_receivable():
    # given a 300,000 down payment paid with 300,100
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300100.00", "张三", "", "HT-2026-0012", "B030"))
    # when reconciled
    reconcile()
    # then it waits for a person, proposing the down payment, and nothing is allocated yet
    m = match_of("B030")
    assert (m.status, m.exception_kind) == (MatchStatus.EXCEPTION, "overpayment")
    assert list(m.lines.values_list("amount", flat=True)) == [D("300000.00")]
    assert outstanding(c) == [D("300000.00"), D("700000.00")]


def test_a_partial_payment_is_an_underpayment_exception():
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012 首付款", "B040"))
    reconcile()
    m = match_of("B040")
    assert (m.status, m.exception_kind) == (MatchStatus.EXCEPTION, "underpayment")
    assert list(m.lines.values_list("amount", flat=True)) == [D("100000.00")]
    assert outstanding(c) == [D("300000.00"), D("700000.00")]


def test_a_low_confidence_ocr_line_is_only_suggested(monkeypatch):
    # given a sure payment, read from a scan with low confidence
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300000.00", "张三", "", "HT-2026-0012", "B050"))
    BankTransaction.objects.filter(key="B050").update(confidence=0.55, needs_review=True)
    # when reconciled
    reconcile()
    # then a person must look at it
    m = match_of("B050")
    assert m.status == MatchStatus.SUGGESTED and "OCR" in m.reasons[-1]
    assert not Receipt.objects.exists()


def test_the_thresholds_are_settings(settings):
    # given an auto threshold nobody can reach
    settings.HUIKUAN = {**settings.HUIKUAN, "MATCH_AUTO_THRESHOLD": "1.0", "MATCH_SUGGEST_THRESHOLD": "0.5"}
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300000.00", "张三", "", "HT-2026-0012", "B060"))
    # when reconciled; then the sure payment is only suggested
    reconcile()
    assert match_of("B060").status == MatchStatus.SUGGESTED
