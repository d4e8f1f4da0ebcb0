"""Ledger services on the database: allocation, credit, refunds, late fees, waivers, area, cancellation."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.core.models import AuditEvent
from huikuan.receivables import services
from huikuan.receivables.choices import EntryKind
from huikuan.receivables.exceptions import ApprovalError, LedgerError
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

PLAN = [
    PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
    PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 1), D("700000.00")),
]


def outstanding(c):
    rows = c.receivables.order_by("due_date", "pk")
    owed = services.outstanding_of([r.pk for r in rows])
    return [owed[r.pk] for r in rows]


def test_receipt_is_allocated_oldest_due_first_and_partial_allowed():
    clerk = staff()
    c = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=clerk, contract=c, amount="350000.00", received_on=date(2026, 3, 9))
    assert outstanding(c) == [D("0.00"), D("650000.00")]
    assert AuditEvent.objects.filter(action="receipt.allocated").count() == 1


def test_over_payment_stays_as_credit_and_can_be_refunded():
    clerk = staff()
    c = contract(price="1000.00", plan=[PlanLine("full_payment", 1, "房款", date(2026, 3, 9), D("1000.00"))])
    receipt = services.post_receipt(actor=clerk, contract=c, amount="1200.00", received_on=date(2026, 3, 9))
    assert services.unallocated_of(receipt) == D("200.00")
    assert services.contract_credit(c) == D("200.00")
    with pytest.raises(LedgerError, match="holds 200.00 of credit"):
        services.refund(actor=clerk, contract=c, amount="200.01", on=date(2026, 3, 10), reason="too much")
    services.refund(actor=clerk, contract=c, amount="200.00", on=date(2026, 3, 10), reason="over-payment")
    assert services.contract_credit(c) == D("0.00")


def test_allocation_to_named_receivables_refuses_more_than_owed_or_held():
    clerk = staff()
    c = contract(method="mortgage", plan=PLAN)
    down, loan = c.receivables.order_by("due_date")
    receipt = services.post_receipt(actor=clerk, contract=c, amount="100000.00", received_on=date(2026, 3, 9),
                                    allocate=False)
    with pytest.raises(LedgerError, match="holds 100000.00"):
        services.allocate_receipt(actor=clerk, receipt=receipt, targets=[services.Target(loan.pk, D("100000.01"))])
    services.allocate_receipt(actor=clerk, receipt=receipt, targets=[services.Target(loan.pk, D("40000.00"))])
    assert outstanding(c) == [D("300000.00"), D("660000.00")]
    assert services.unallocated_of(receipt) == D("60000.00")


def test_unallocate_posts_a_reversal_and_never_edits():
    clerk = staff()
    c = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=clerk, contract=c, amount="300000.00", received_on=date(2026, 3, 9))
    entry = LedgerEntry.objects.get(kind=EntryKind.ALLOCATION)
    services.unallocate(actor=clerk, entry=entry, reason="wrong contract")
    assert outstanding(c) == [D("300000.00"), D("700000.00")]
    with pytest.raises(LedgerError, match="already undone"):
        services.unallocate(actor=clerk, entry=entry, reason="again")
    with pytest.raises(ValueError, match="immutable"):
        entry.save()


def test_late_fee_posting_is_idempotent_and_waiver_needs_another_person():
    clerk, boss = staff(), staff("manager")
    c = contract(method="mortgage", plan=PLAN)   # down payment 300,000 due Mon 2026-03-09
    services.post_late_fees(actor=clerk, contract=c, as_of=date(2026, 3, 19))
    assert services.post_late_fees(actor=clerk, contract=c, as_of=date(2026, 3, 19)) is None
    fee = c.receivables.get(kind="late_fee")
    assert services.outstanding_of([fee.pk])[fee.pk] == D("1500.00")   # 300,000 × 0.0005 × 10
    waiver = services.request_waiver(actor=clerk, receivable=fee, amount="500.00", reason="first delay")
    with pytest.raises(ApprovalError, match="someone other"):
        services.decide_waiver(actor=clerk, waiver=waiver, approve=True)
    services.decide_waiver(actor=boss, waiver=waiver, approve=True)
    assert services.outstanding_of([fee.pk])[fee.pk] == D("1000.00")


def test_area_settlement_smaller_area_offsets_the_unpaid_plan():
    clerk = staff()
    c = contract(method="mortgage", plan=PLAN, unit=UnitFactory(pre_sale_area=D("100.00")))
    settlement = services.settle_area(actor=clerk, contract=c, registered_area="95.00", on=date(2026, 3, 20))
    assert (settlement.amount, settlement.buyer_may_cancel) == (D("-70000.00"), True)
    # the refund owed reduces the latest unpaid line (the mortgage loan) instead of sitting apart
    assert outstanding(c) == [D("300000.00"), D("630000.00"), D("0.00")]


def test_cancellation_refunds_paid_less_deductions():
    clerk = staff()
    c = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=clerk, contract=c, amount="300000.00", received_on=date(2026, 3, 9))
    cancellation = services.cancel_contract(actor=clerk, contract=c, on=date(2026, 4, 1), reason="buyer withdrew",
                                            deductions="20000.00")
    assert (cancellation.paid, cancellation.deductions, cancellation.refunded) == (
        D("300000.00"), D("20000.00"), D("280000.00"))
    assert services.contract_credit(c) == D("0.00")
    assert sum(outstanding(c)) == D("0.00")
    c.refresh_from_db()
    c.unit.refresh_from_db()
    assert (c.status, c.unit.status) == ("cancelled", "available")
    with pytest.raises(LedgerError, match="takes no receipts"):
        services.post_receipt(actor=clerk, contract=c, amount="1.00", received_on=date(2026, 4, 2))


def test_unit_swap_moves_the_money_to_the_new_contract():
    clerk = staff()
    old = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=clerk, contract=old, amount="300000.00", received_on=date(2026, 3, 9))
    new = contract(price="1200000.00", method="lump_sum", sign_date=date(2026, 4, 1))
    services.swap_unit(actor=clerk, contract=old, new_contract=new, on=date(2026, 4, 1), reason="bigger unit")
    assert services.paid_on_contract(old) == D("0.00")
    assert services.paid_on_contract(new) == D("300000.00")
    assert outstanding(new) == [D("900000.00")]
    assert Receipt.objects.filter(contract=new, method="transfer").count() == 1


def test_nightly_late_fee_task_posts_once_per_day():
    from huikuan.receivables.tasks import post_late_fees

    c = contract(method="mortgage", plan=PLAN)
    assert post_late_fees.delay("2026-03-19").get() == 1
    assert post_late_fees.delay("2026-03-19").get() == 0
    assert services.total_of(LedgerEntry.objects.filter(contract=c, kind=EntryKind.LATE_FEE)) == D("1500.00")


def test_balances_of_a_filter_that_matches_nothing_are_empty():
    from huikuan.receivables.balances import contract_balances
    from huikuan.sales.models import Contract

    contract(method="mortgage", plan=PLAN)
    assert list(contract_balances(date(2026, 3, 19), Contract.objects.filter(pk__in=[]))) == []
