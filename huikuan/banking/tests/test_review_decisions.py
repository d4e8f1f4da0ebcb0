"""A person's decisions in the review queue: confirm, split, reject, unmatch, write off, refund — all audited."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from huikuan.banking.choices import MatchStatus
from huikuan.banking.models import Match, PayerAlias
from huikuan.banking.services import review
from huikuan.banking.services.reconciliation import reconcile
from huikuan.core.models import AuditEvent
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import EntryKind
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.testing.factories import staff

from .helpers import bank_lines, clerk, outstanding, sold

pytestmark = pytest.mark.django_db

DOWN_AND_LOAN = [("down_payment", "首付款", date(2026, 3, 9), "300000.00"),
                 ("mortgage_loan", "按揭款", date(2026, 4, 1), "700000.00")]


def live(ref: str) -> Match:
    return Match.objects.live().get(transaction__key=ref)


def test_confirming_an_over_payment_leaves_the_excess_as_credit_which_can_be_refunded():
    # given a 300,100 transfer for a 300,000 down payment, queued as an over-payment
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300100.00", "张三", "", "HT-2026-0012", "B030"))
    reconcile()
    person = clerk()
    # when the clerk confirms it
    m = review.confirm(actor=person, match=live("B030"))
    # then the down payment is paid, the receipt holds the whole transfer and 100 stays as contract credit
    assert m.status == MatchStatus.CONFIRMED and m.decided_by == person
    assert outstanding(c) == [D("0.00"), D("700000.00")]
    assert Receipt.objects.get(reference="B030").amount == D("300100.00")
    assert ledger.contract_credit(c) == D("100.00")
    # and when the excess is refunded, the credit is gone
    refund = review.refund_excess(actor=person, match=m)
    assert refund.amount == D("-100.00") and ledger.contract_credit(c) == D("0.00")
    assert AuditEvent.objects.filter(action__in=["match.confirmed", "match.excess_refunded"]).count() == 2


def test_a_relative_paying_is_learnt_once_confirmed_and_then_matched_automatically():
    # given the buyer's father pays half the down payment with nothing that names the buyer
    c = sold("HT-2026-0014", "陈小明", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "150000.00", "陈大文", "6222888877776666", "首付", "B070"), name="a.csv")
    reconcile()
    first = live("B070")
    assert first.exception_kind == "unidentified"
    # when the clerk, who knows the family, puts it on the down payment
    down = c.receivables.get(kind="down_payment")
    review.split(actor=clerk(), match=first, lines=[review.Line(down.pk, D("150000.00"))])
    # then the payer is remembered for the buyer
    alias = PayerAlias.objects.get()
    assert (alias.name, alias.account, alias.customer.name) == ("陈大文", "6222888877776666", "陈小明")
    # and his next transfer, with no memo at all, is matched automatically
    bank_lines(("2026-03-09", "150000.00", "陈大文", "6222888877776666", "", "B071"), name="b.csv")
    reconcile()
    assert live("B071").status == MatchStatus.AUTO
    assert outstanding(c) == [D("0.00"), D("700000.00")]


def test_two_transfers_for_one_receivable_are_both_allocated():
    # given a down payment paid in two halves (N:1)
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-06", "150000.00", "张三", "", "HT-2026-0012 首付款", "B080"),
               ("2026-03-08", "150000.00", "张三", "", "HT-2026-0012 首付款", "B081"))
    # when reconciled and the first half (a partial payment) confirmed
    reconcile()
    assert live("B080").exception_kind == "underpayment"
    review.confirm(actor=clerk(), match=live("B080"))
    # then both halves are allocated to the down payment
    assert live("B081").status in (MatchStatus.AUTO, MatchStatus.CONFIRMED)
    assert outstanding(c) == [D("0.00"), D("700000.00")]


def test_split_spreads_one_transfer_over_two_contracts():
    # given two buyers whose payments arrive as one transfer from a company
    a = sold("HT-2026-0031", "赵一", [("full_payment", "房款", date(2026, 3, 9), "200000.00")], number="0301")
    b = sold("HT-2026-0032", "钱二", [("full_payment", "房款", date(2026, 3, 9), "100000.00")], number="0302")
    bank_lines(("2026-03-08", "300000.00", "某某投资有限公司", "", "", "B090"))
    reconcile()
    m = live("B090")
    # when the clerk splits it over both contracts
    ra, rb = a.receivables.get(), b.receivables.get()
    review.split(actor=clerk(), match=m, lines=[review.Line(ra.pk, D("200000.00")), review.Line(rb.pk, D("100000.00"))])
    # then each contract has its own receipt from the transfer, fully allocated
    assert (outstanding(a), outstanding(b)) == ([D("0.00")], [D("0.00")])
    assert sorted(Receipt.objects.values_list("reference", "amount")) == [
        ("B090", D("200000.00")), ("B090/HT-2026-0032", D("100000.00"))]


def test_a_split_can_never_take_more_than_the_transfer_or_the_receivable():
    a = sold("HT-2026-0031", "赵一", [("full_payment", "房款", date(2026, 3, 9), "200000.00")])
    bank_lines(("2026-03-08", "300000.00", "某某投资有限公司", "", "", "B091"))
    reconcile()
    ra = a.receivables.get()
    with pytest.raises(review.ReviewError, match="add up to 300000.01"):
        review.split(actor=clerk(), match=live("B091"), lines=[review.Line(ra.pk, D("300000.01"))])
    with pytest.raises(ledger.LedgerError, match="owes 200000.00"):
        review.split(actor=clerk(), match=live("B091"), lines=[review.Line(ra.pk, D("250000.00"))])
    assert outstanding(a) == [D("200000.00")] and not Receipt.objects.exists()


def test_rejecting_a_suggestion_requeues_the_transaction_without_that_contract():
    # given an under-payment proposed for a contract
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "B100"))
    reconcile()
    proposed = live("B100")
    # when the clerk rejects it
    requeued = review.reject(actor=clerk(), match=proposed, note="not this buyer")
    # then the proposal is history and the transaction waits as unidentified, with nothing allocated
    proposed.refresh_from_db()
    assert (proposed.status, proposed.note) == (MatchStatus.REJECTED, "not this buyer")
    assert (requeued.status, requeued.exception_kind, requeued.contract_id) == ("exception", "unidentified", None)
    assert not Receipt.objects.exists()
    # and dismissing the unidentified line clears it from the queue
    assert review.reject(actor=clerk(), match=requeued, note="not a buyer's payment") is None
    assert not Match.objects.live().exists()


def test_unmatch_reverses_the_allocation_and_a_later_confirm_reuses_the_receipt():
    # given an automatic match
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "300000.00", "张三", "", "HT-2026-0012", "B110"))
    reconcile()
    auto = live("B110")
    person = clerk()
    # when it is undone
    requeued = review.unmatch(actor=person, match=auto, reason="wrong line")
    # then the allocation is reversed, the receipt keeps the money as credit, the transaction is queued again
    auto.refresh_from_db()
    assert auto.status == MatchStatus.UNMATCHED
    assert outstanding(c) == [D("300000.00"), D("700000.00")] and ledger.contract_credit(c) == D("300000.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.ALLOCATION, reverses__isnull=False).count() == 1
    # and when the clerk splits it onto the loan line instead, the same receipt is used (no second receipt)
    loan = c.receivables.get(kind="mortgage_loan")
    review.split(actor=person, match=requeued, lines=[review.Line(loan.pk, D("300000.00"))])
    assert outstanding(c) == [D("300000.00"), D("400000.00")]
    assert Receipt.objects.count() == 1 and ledger.contract_credit(c) == D("0.00")
    assert AuditEvent.objects.filter(action="match.unmatched").count() == 1


def test_unmatch_then_confirm_on_another_contract_moves_the_money():
    # given a transfer auto-matched to the wrong buyer's contract
    wrong = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    right = sold("HT-2026-0040", "孙七", [("full_payment", "房款", date(2026, 3, 9), "300000.00")], number="0400")
    bank_lines(("2026-03-08", "300000.00", "张三", "", "HT-2026-0012", "B120"))
    reconcile()
    person = clerk()
    requeued = review.unmatch(actor=person, match=live("B120"), reason="paid for his brother-in-law")
    # when it is confirmed onto the other contract
    review.split(actor=person, match=requeued, lines=[review.Line(right.receivables.get().pk, D("300000.00"))])
    # then the money left the first contract (a transfer) and pays the second
    assert ledger.contract_credit(wrong) == D("0.00") and outstanding(wrong)[0] == D("300000.00")
    assert outstanding(right) == [D("0.00")]
    assert sorted(Receipt.objects.values_list("amount", flat=True)) == [D("-300000.00"), D("300000.00"),
                                                                         D("300000.00")]


def test_a_small_difference_is_written_off_by_a_permitted_user_within_the_tolerance():
    # given a down payment paid 5 yuan short, confirmed
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "299995.00", "张三", "", "HT-2026-0012", "B130"))
    reconcile()
    m = review.confirm(actor=clerk(), match=live("B130"))
    assert outstanding(c) == [D("5.00"), D("700000.00")]
    # when someone without the permission tries, they are refused
    with pytest.raises(PermissionDenied):
        review.write_off_difference(actor=staff("collector"), match=m)
    # when the permitted clerk writes the difference off
    entry = review.write_off_difference(actor=clerk(), match=m, reason="bank charge")
    # then the line is settled by a write-off entry, audited
    assert (entry.kind, entry.amount) == (EntryKind.WRITE_OFF, D("-5.00"))
    assert outstanding(c) == [D("0.00"), D("700000.00")]
    assert AuditEvent.objects.filter(action="match.written_off").count() == 1


def test_a_difference_above_the_tolerance_is_not_written_off(settings):
    settings.HUIKUAN = {**settings.HUIKUAN, "MATCH_WRITE_OFF_TOLERANCE": "1.00"}
    c = sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "299995.00", "张三", "", "HT-2026-0012", "B131"))
    reconcile()
    m = review.confirm(actor=clerk(), match=live("B131"))
    with pytest.raises(review.ReviewError, match="above the write-off tolerance of 1.00"):
        review.write_off_difference(actor=clerk(), match=m)
    assert outstanding(c) == [D("5.00"), D("700000.00")]


def test_decisions_need_the_review_permission():
    sold("HT-2026-0012", "张三", DOWN_AND_LOAN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "B140"))
    reconcile()
    with pytest.raises(PermissionDenied):
        review.confirm(actor=staff("collector"), match=live("B140"))
    assert live("B140").status == MatchStatus.EXCEPTION
