"""Two clerks (two real database connections) allocating at the same moment never allocate the same
money twice. PostgreSQL only: SQLite has no row locks to test."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.receivables import services
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import Receipt
from huikuan.sales.plans import PlanLine
from huikuan.testing.concurrency import run_together
from huikuan.testing.factories import contract, staff
from huikuan.testing.services import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def test_one_receipt_is_never_allocated_beyond_what_it_holds():
    require_postgres()
    clerk_a, clerk_b = staff(), staff()
    for n in range(ROUNDS):
        # given a receipt of 100 and two lines that each owe 80
        c = contract(price="160.00", plan=[PlanLine("installment", 1, "分期款1", date(2026, 3, 9), D("80.00")),
                                           PlanLine("installment", 2, "分期款2", date(2026, 4, 9), D("80.00"))],
                     contract_no=f"HT-RACE-A-{n}")
        first, second = c.receivables.order_by("due_date")
        receipt = services.post_receipt(actor=clerk_a, contract=c, amount="100.00", received_on=date(2026, 3, 9),
                                        allocate=False)
        # when two clerks each allocate 80 of it to a different line at the same moment
        outcomes = run_together(
            lambda r=receipt, t=first: services.allocate_receipt(
                actor=clerk_a, receipt=r, targets=[services.Target(t.pk, D("80.00"))]),
            lambda r=receipt, t=second: services.allocate_receipt(
                actor=clerk_b, receipt=r, targets=[services.Target(t.pk, D("80.00"))]),
        )
        # then exactly one succeeds and the other is told what is left
        failures = [o for o in outcomes if isinstance(o, Exception)]
        assert len(failures) == 1 and isinstance(failures[0], LedgerError), outcomes
        assert "holds 20.00" in str(failures[0])
        assert services.unallocated_of(Receipt.objects.get(pk=receipt.pk)) == D("20.00")


def test_one_receivable_is_never_paid_beyond_what_it_owes():
    require_postgres()
    clerk_a, clerk_b = staff(), staff()
    for n in range(ROUNDS):
        # given one line owing 100 and two receipts of 80 not yet allocated
        c = contract(price="100.00", plan=[PlanLine("full_payment", 1, "房款", date(2026, 3, 9), D("100.00"))],
                     contract_no=f"HT-RACE-B-{n}")
        line = c.receivables.get()
        r1, r2 = (services.post_receipt(actor=clerk_a, contract=c, amount="80.00", received_on=date(2026, 3, 9),
                                        allocate=False) for _ in range(2))
        # when both are allocated oldest-first at the same moment
        run_together(lambda r1=r1: services.allocate_receipt(actor=clerk_a, receipt=r1),
                     lambda r2=r2: services.allocate_receipt(actor=clerk_b, receipt=r2))
        # then the line is paid exactly and 60 stays as credit
        assert services.outstanding_of([line.pk])[line.pk] == D("0.00")
        assert services.contract_credit(c) == D("60.00")
