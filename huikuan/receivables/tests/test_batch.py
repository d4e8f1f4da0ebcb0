"""Many receipts at once (receivables.batch): the ledger's rules per group, a group written whole or refused."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.core.models import AuditEvent, Sequence
from huikuan.receivables import batch
from huikuan.receivables.choices import EntryKind
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.receivables.services import outstanding_of
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import contract, staff

pytestmark = pytest.mark.django_db
MAR8 = date(2026, 3, 8)


def two_lines(no: str):  # type: ignore[no-untyped-def]
    c = contract(price="1000000.00", contract_no=no, plan=[
        PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
        PlanLine("final_payment", 2, "尾款", date(2026, 6, 1), D("700000.00"))])
    return c, list(c.receivables.order_by("due_date").values_list("pk", flat=True))


def receipt(c, amount: str, ref: str, *allocations: tuple[int, str]) -> batch.NewReceipt:  # type: ignore[no-untyped-def]
    return batch.NewReceipt(contract_id=c.pk, amount=D(amount), received_on=MAR8, reference=ref,
                            allocations=[(pk, D(a)) for pk, a in allocations], payer_name="张三")


def test_groups_are_posted_with_their_allocations_numbers_and_audit():
    # given two contracts and a clerk
    a, (a_down, a_final) = two_lines("HT-B-1")
    b, (b_down, _) = two_lines("HT-B-2")
    user = staff("finance")
    # when one group pays a's down payment (leaving 5,000 as credit) and another pays b's down payment
    owed = batch.lock_owed([a_down, a_final, b_down])
    result = batch.post_receipt_groups(user, [[receipt(a, "305000.00", "R1", (a_down, "300000.00"))],
                                              [receipt(b, "300000.00", "R2", (b_down, "300000.00"))]], owed)
    # then both are written: numbered receipts, one allocation entry each, what is owed updated
    assert [len(r) for r in result] == [1, 1]
    first = Receipt.objects.get(pk=result[0][0].receipt_id)
    assert (first.number, first.amount, first.reference, first.contract_id, first.created_by) == (
        "SK-2026-000001", D("305000.00"), "R1", a.pk, user)
    entry = LedgerEntry.objects.get(pk=result[0][0].entry_ids[0])
    assert (entry.kind, entry.amount, entry.receivable_id, entry.receipt_id) == (
        EntryKind.ALLOCATION, D("-300000.00"), a_down, first.pk)
    assert outstanding_of([a_down, a_final, b_down]) == {a_down: D("0.00"), a_final: D("700000.00"),
                                                         b_down: D("0.00")}
    assert owed.left[a_down] == D("0.00")
    assert Sequence.objects.get(key="SK-2026").last == 2
    allocated = AuditEvent.objects.get(action="receipt.allocated", object_id=str(first.pk))
    assert allocated.data == {"allocations": {str(a_down): "300000.00"}, "unallocated": "5000.00"}
    assert AuditEvent.objects.filter(action="receipt.posted").count() == 2


def test_a_group_that_breaks_a_rule_is_refused_whole_and_the_others_go_ahead():
    a, (a_down, a_final) = two_lines("HT-B-3")
    b, (b_down, b_final) = two_lines("HT-B-4")
    owed = batch.lock_owed([a_down, a_final, b_down, b_final])
    groups = [
        # two receipts of one transaction: the second asks more than the line owes → neither is written
        [receipt(a, "300000.00", "R3", (a_down, "300000.00")), receipt(a, "800000.00", "R4", (a_final, "800000.00"))],
        # pays b's down payment
        [receipt(b, "300000.00", "R5", (b_down, "300000.00"))],
        # pays b's down payment again: by now it owes nothing
        [receipt(b, "300000.00", "R6", (b_down, "300000.00"))],
        # a receivable of another contract
        [receipt(b, "300000.00", "R7", (a_down, "300000.00"))],
        # more allocated than the receipt holds
        [receipt(b, "100.00", "R8", (b_final, "200.00"))],
    ]
    result = batch.post_receipt_groups(None, groups, owed)
    assert result[0] == f"receivable {a_final} owes 700000.00, cannot take 800000.00"
    assert len(result[1]) == 1
    assert result[2] == f"receivable {b_down} owes 0.00, cannot take 300000.00"
    assert result[3] == f"receivable {a_down} is not locked or belongs to another contract"
    assert result[4] == "a receipt of 100.00 cannot allocate more than it holds"
    assert list(Receipt.objects.values_list("reference", flat=True)) == ["R5"]
    assert outstanding_of([a_down, b_down]) == {a_down: D("300000.00"), b_down: D("0.00")}


def test_a_cancelled_contract_takes_no_receipt():
    from huikuan.receivables.services import cancel_contract

    a, (a_down, _) = two_lines("HT-B-5")
    cancel_contract(actor=None, contract=a, on=MAR8, reason="buyer withdrew")
    owed = batch.lock_owed([a_down])
    assert batch.post_receipt_groups(None, [[receipt(a, "1.00", "R9")]], owed) == [
        f"contract {a.pk} is not signed; it takes no receipts"]
    assert not Receipt.objects.filter(reference="R9").exists()
