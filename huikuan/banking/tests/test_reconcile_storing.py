"""Storing proposals a window at a time: what no longer fits is queued with the reason while the rest is
allocated, receipts never reuse a reference, and a contract paid in full closes its collection case."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.choices import MatchStatus
from huikuan.banking.matching import MatchProposal
from huikuan.banking.models import BankTransaction, Match
from huikuan.banking.services.reconciliation import pending_transactions, reconcile
from huikuan.banking.services.storing import facts_of, store_proposals
from huikuan.receivables.choices import ReceiptSource
from huikuan.receivables.models import Receipt
from huikuan.receivables.services import post_receipt

from .helpers import bank_lines, outstanding, sold

pytestmark = pytest.mark.django_db

DOWN = [("down_payment", "首付款", date(2026, 3, 9), "300000.00"), ("final_payment", "尾款", date(2026, 6, 1),
                                                                    "700000.00")]


def sure(txn, receivable_id: int, amount: str) -> MatchProposal:  # type: ignore[no-untyped-def]
    return MatchProposal(txn_key=str(txn.pk), allocations=[(receivable_id, D(amount))], confidence=0.99, level="high",
                         reasons=["contract number in the memo"])


def test_in_one_window_a_line_is_paid_once_and_the_second_claim_waits_with_the_reason():
    # given a down payment and two transfers that the engine (say) both proposed for it with high confidence
    c = sold("HT-2026-0700", "王五", DOWN)
    down = c.receivables.order_by("due_date").first()
    bank_lines(("2026-03-08", "300000.00", "王五", "", "HT-2026-0700", "W1"),
               ("2026-03-08", "300000.00", "王五", "", "HT-2026-0700", "W2"))
    first, second = facts_of(pending_transactions())
    # when both are stored in one window
    stored = store_proposals(None, [(first, sure(first, down.pk, "300000.00")),
                                    (second, sure(second, down.pk, "300000.00"))])
    # then the first pays the line, the second is a suggestion saying why it was not allocated
    assert [s.status for s in stored] == [MatchStatus.AUTO, MatchStatus.SUGGESTED]  # type: ignore[union-attr]
    waiting = Match.objects.get(pk=stored[1].match_id)  # type: ignore[union-attr]
    assert waiting.reasons[-1] == f"not allocated automatically: receivable {down.pk} owes 0.00, cannot take 300000.00"
    assert [line.ledger_entry_id for line in waiting.lines.all()] == [None]
    assert outstanding(c) == [D("0.00"), D("700000.00")]
    assert Receipt.objects.count() == 1
    # and storing the same transactions again adds nothing: each already has its live match
    assert store_proposals(None, [(first, sure(first, down.pk, "300000.00"))]) == [None]


def test_a_bank_reference_already_on_a_receipt_is_qualified_by_the_contract():
    # given a receipt a cashier posted with the bank's reference W3, and the bank line with that reference
    c = sold("HT-2026-0701", "赵六", DOWN)
    post_receipt(actor=None, amount="1000.00", received_on=date(2026, 3, 1), contract=c, source=ReceiptSource.BANK,
                 reference="W3", allocate=False)
    bank_lines(("2026-03-08", "300000.00", "赵六", "", "HT-2026-0701 首付款", "W3"))
    reconcile()
    # then the new receipt takes the next free reference
    assert sorted(Receipt.objects.values_list("reference", flat=True)) == ["W3", "W3/HT-2026-0701"]
    assert Match.objects.live().get().status == MatchStatus.AUTO


def test_a_transaction_paying_one_contract_is_posted_whole_and_the_rest_stays_as_credit():
    # given a transfer of 300,100 proposed for the 300,000 down payment (an over-payment the engine accepted)
    c = sold("HT-2026-0702", "钱七", DOWN)
    down = c.receivables.order_by("due_date").first()
    bank_lines(("2026-03-08", "300100.00", "钱七", "", "HT-2026-0702", "W4"))
    (txn,) = facts_of(pending_transactions())
    store_proposals(None, [(txn, sure(txn, down.pk, "300000.00"))])
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.reference) == (D("300100.00"), "W4")
    assert outstanding(c) == [D("0.00"), D("700000.00")]
    assert BankTransaction.objects.get().receipt_links.get().receipt == receipt


def test_payment_in_full_through_reconciliation_closes_the_collection_case(django_capture_on_commit_callbacks):
    from huikuan.dunning import services as dunning
    from huikuan.dunning.models import CollectionCase

    # given an overdue payment in full with its open case
    c = sold("HT-2026-0703", "孙八", [("full_payment", "全款", date(2026, 3, 9), "300000.00")])
    dunning.scan_overdue(date(2026, 3, 16))
    assert CollectionCase.objects.open().filter(contract=c).exists()
    # when the bank line paying it is reconciled
    bank_lines(("2026-03-17", "300000.00", "孙八", "", "HT-2026-0703 首付款", "W5"))
    with django_capture_on_commit_callbacks(execute=True):
        reconcile()
    # then nothing is overdue any more and the case is closed as paid
    case = CollectionCase.objects.get(contract=c)
    assert (case.status, case.close_reason) == ("closed", "paid")
