"""The overdue scan: levels and buckets per line, level changes with reasons, idempotence, resume."""

from datetime import date
from decimal import Decimal

import pytest

from huikuan.dunning import casework, scanning
from huikuan.dunning.models import (
    CaseAction,
    CollectionCase,
    LevelChange,
    OverdueSnapshot,
    ReceivableStatus,
    ScanRun,
)
from huikuan.dunning.services import scan_overdue
from huikuan.receivables.balances import contract_balances
from huikuan.receivables.services import post_receipt

from .conftest import lump_sum

pytestmark = pytest.mark.django_db
APR30 = date(2026, 4, 30)


def state():
    """Everything the scan writes, as comparable tuples."""
    return (
        sorted(OverdueSnapshot.objects.values_list("as_of", "receivable_id", "days", "bucket", "level", "amount")),
        sorted(ReceivableStatus.objects.values_list("receivable_id", "as_of", "level", "days", "amount")),
        sorted(LevelChange.objects.values_list("receivable_id", "as_of", "from_level", "to_level", "reason")),
        sorted(CollectionCase.objects.values_list("contract_id", "status", "level", "overdue", "days", "priority",
                                                  "owner_id")),
        sorted(CaseAction.objects.values_list("case_id", "kind", "step_id", "status", "planned_on")),
    )


def test_scan_writes_bucket_and_level_per_late_line(two_contracts):
    a, b = two_contracts
    # when
    run = scan_overdue(APR30)
    # then: A is 52 days late with a million (yellow, 31-60); B's April installment 10 days (blue, 1-30)
    assert run.status == "done" and run.contracts_done == 2
    rows = {s.contract_id: s for s in OverdueSnapshot.objects.filter(as_of=APR30)}
    assert (rows[a.pk].days, rows[a.pk].bucket, rows[a.pk].level, rows[a.pk].amount) == (
        52, "31-60", "yellow", Decimal("1000000.00"))
    assert (rows[b.pk].days, rows[b.pk].bucket, rows[b.pk].level, rows[b.pk].amount) == (
        10, "1-30", "blue", Decimal("100000.00"))
    # and the overdue per contract is exactly the ledger's definition
    assert {x.contract_id: x.overdue for x in contract_balances(APR30)} == {
        a.pk: Decimal("1000000.00"), b.pk: Decimal("100000.00")}
    # and the receivables due are kept per project for the aging ratio
    assert run.totals == {f"{a.project_id}:first_home": "1400000.00"}


def test_level_changes_are_recorded_with_their_reason(two_contracts):
    a, _ = two_contracts
    # given scans on 2026-03-13 (A 4 days late) and 2026-04-01 (23 days, but a million: large amount)
    scan_overdue(date(2026, 3, 13))
    scan_overdue(date(2026, 4, 1))
    # when the scan of 2026-06-10 finds A 93 days late
    scan_overdue(date(2026, 6, 10))
    # then each change is recorded with the rule that decided it
    changes = list(LevelChange.objects.filter(contract=a).order_by("as_of")
                   .values_list("as_of", "from_level", "to_level", "reason"))
    assert changes == [
        (date(2026, 3, 13), "", "blue", "late: 4 days, 1000000.00 overdue, full_payment, risk normal"),
        (date(2026, 4, 1), "blue", "yellow",
         "large amount over 7 days: 23 days, 1000000.00 overdue, full_payment, risk normal"),
        (date(2026, 6, 10), "yellow", "red", "over 90 days: 93 days, 1000000.00 overdue, full_payment, risk normal"),
    ]
    # and a scan of an earlier date afterwards does not turn the clock back
    scan_overdue(date(2026, 4, 2))
    assert ReceivableStatus.objects.get(contract=a).level == "red"


def test_a_paid_line_leaves_the_scan_with_a_recorded_change(two_contracts):
    _, b = two_contracts
    scan_overdue(APR30)
    # given B pays its installment
    post_receipt(actor=None, amount="100000.00", received_on=date(2026, 5, 2), contract=b)
    # when the next scan runs
    scan_overdue(date(2026, 5, 3))
    # then its status is gone and the change says why; its case is closed
    assert not ReceivableStatus.objects.filter(contract=b).exists()
    assert LevelChange.objects.get(contract=b, as_of=date(2026, 5, 3)).to_level == ""
    assert CollectionCase.objects.get(contract=b).status == "closed"


def test_scanning_twice_changes_nothing(two_contracts):
    # given a finished scan
    scan_overdue(APR30)
    before = state()
    # when it runs again, and when it is redone from scratch
    again = scan_overdue(APR30)
    redone = scan_overdue(APR30, force=True)
    # then nothing changed
    assert again.status == redone.status == "done"
    assert state() == before
    assert len(before[2]) == 2 and len(before[3]) == 2


def test_a_scan_that_dies_half_way_resumes_to_the_same_state(two_contracts, project, monkeypatch):
    # given a third contract, and the case step that fails inside the second window (after its snapshot)
    lump_sum(project, price="50000.00")
    real = casework.sync_cases
    calls = {"n": 0}

    def dies_on_second_window(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(casework, "sync_cases", dies_on_second_window)
    # when the scan runs one contract per window
    with pytest.raises(RuntimeError, match="worker killed"):
        scan_overdue(APR30, window=1)
    # then the first window is committed, the second rolled back entirely
    run = ScanRun.objects.get(as_of=APR30)
    first = min(c for c in CollectionCase.objects.values_list("contract_id", flat=True))
    assert (run.status, run.contracts_done, run.last_contract_id) == ("failed", 1, first)
    assert OverdueSnapshot.objects.count() == 1
    # when it is run again it resumes after the first contract
    monkeypatch.setattr(casework, "sync_cases", real)
    resumed = scan_overdue(APR30, window=1)
    after_resume = state()
    # then the result is complete and is what a scan from scratch gives
    assert (resumed.status, resumed.contracts_done) == ("done", 3)
    assert OverdueSnapshot.objects.count() == 3 and CollectionCase.objects.count() == 3
    scan_overdue(APR30, force=True)
    assert state() == after_resume


def test_a_running_scan_cannot_be_claimed_twice(two_contracts):
    # given a run claimed by one worker
    scanning.claim(APR30)
    # when a second worker tries
    with pytest.raises(scanning.ScanBusy):
        scanning.claim(APR30)
