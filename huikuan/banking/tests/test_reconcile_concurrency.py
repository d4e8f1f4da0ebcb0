"""Two reconcile runs (or a run and a clerk) at the same moment never match or allocate a line twice.
PostgreSQL only: the transaction row lock and the one-live-match constraint decide the race."""

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.banking.models import Match
from huikuan.banking.services import review
from huikuan.banking.services.reconciliation import reconcile
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.testing.concurrency import run_together
from huikuan.testing.services import require_postgres

from .helpers import bank_lines, clerk, outstanding, sold

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 8


def test_two_reconcile_runs_at_once_allocate_each_transfer_once():
    require_postgres()
    # given eight contracts and a statement paying each down payment
    contracts = [sold(f"HT-2026-{500 + n:04d}", f"买家{n}", [("down_payment", "首付款", date(2026, 3, 9), "300000.00"),
                                                           ("final_payment", "尾款", date(2026, 6, 1), "100000.00")],
                      number=f"{500 + n}") for n in range(N)]
    bank_lines(*[("2026-03-08", "300000.00", f"买家{n}", "", f"HT-2026-{500 + n:04d}", f"R{n}") for n in range(N)])
    # when two workers reconcile at the same instant
    outcomes = run_together(reconcile, reconcile)
    # then neither fails, each transfer has one match and one receipt, and every down payment is paid once
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.auto for o in outcomes) == N and sum(o.skipped for o in outcomes) == N
    assert Match.objects.count() == N and Receipt.objects.count() == N
    assert [outstanding(c) for c in contracts] == [[D("0.00"), D("100000.00")]] * N
    assert LedgerEntry.objects.count() == N


def test_two_clerks_confirming_the_same_suggestion_allocate_it_once():
    require_postgres()
    # given an under-payment waiting in the queue
    c = sold("HT-2026-0600", "张三", [("down_payment", "首付款", date(2026, 3, 9), "300000.00")])
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0600", "R600"))
    reconcile()
    m = Match.objects.live().get()
    a, b = clerk(), clerk()
    # when two clerks confirm it at the same moment
    outcomes = run_together(lambda: review.confirm(actor=a, match=m), lambda: review.confirm(actor=b, match=m))
    # then one succeeds, the other is told it is already confirmed, and it is allocated once
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and "only suggestions and exceptions" in str(errors[0])
    assert outstanding(c) == [D("200000.00")]
