"""How the scan writes: rows already right are left alone, changed rows are updated in place, the
verdict shortcut agrees with the rules, and the read-ahead process hands windows over in order."""

from datetime import date
from decimal import Decimal

import pytest

from huikuan.core.models import AuditEvent
from huikuan.dunning import levels, read_ahead
from huikuan.dunning.models import CaseAction, CollectionCase, OverdueSnapshot, ReceivableStatus
from huikuan.dunning.services import scan_overdue
from huikuan.receivables.services import post_receipt

from .conftest import lump_sum

APR30 = date(2026, 4, 30)


@pytest.mark.django_db
def test_a_redo_leaves_every_row_that_is_already_right(two_contracts):
    # given a finished scan
    scan_overdue(APR30)
    snapshots = sorted(OverdueSnapshot.objects.values_list("pk", "receivable_id"))
    cases = sorted(CollectionCase.objects.values_list("pk", "contract_id"))
    # when the date is redone
    scan_overdue(APR30, force=True)
    # then the same rows are still there (not deleted and inserted again), and nothing was added
    assert sorted(OverdueSnapshot.objects.values_list("pk", "receivable_id")) == snapshots
    assert sorted(CollectionCase.objects.values_list("pk", "contract_id")) == cases
    assert AuditEvent.objects.filter(action="case.opened").count() == 2
    assert CaseAction.objects.count() == CaseAction.objects.values("case", "step").distinct().count()


@pytest.mark.django_db
def test_a_redo_after_backdated_receipts_updates_in_place_and_drops_what_was_paid(two_contracts):
    a, b = two_contracts
    # given a scan, then receipts dated before the scan date: 400,000.00 on A, B's April installment in full
    scan_overdue(APR30)
    kept = OverdueSnapshot.objects.get(contract=a).pk
    post_receipt(actor=None, amount="400000.00", received_on=date(2026, 4, 1), contract=a)
    post_receipt(actor=None, amount="100000.00", received_on=date(2026, 4, 20), contract=b)
    # when the date is redone
    scan_overdue(APR30, force=True)
    # then A's snapshot row is the same row with the new amount, and B has no late line any more
    rows = list(OverdueSnapshot.objects.values_list("pk", "contract_id", "days", "level", "amount"))
    assert rows == [(kept, a.pk, 52, "yellow", Decimal("600000.00"))]
    assert list(ReceivableStatus.objects.values_list("contract_id", "amount")) == [(a.pk, Decimal("600000.00"))]


@pytest.mark.parametrize("kind", ["installment", "down_payment", "mortgage_loan"])
@pytest.mark.parametrize("risk", ["low", "normal", "high"])
def test_the_judge_decides_exactly_as_the_rules(kind, risk):
    # given the default rules and lines around every threshold of days and amount
    judge = levels.Judge(levels.DEFAULT_RULES)
    for days in (0, 1, 7, 8, 30, 31, 60, 61, 90, 91, 180, 181, 400):
        for amount in ("0.00", "0.01", "100.00", "499999.99", "500000.00", "3000000.00"):
            facts = levels.Facts(days, Decimal(amount), kind, risk)
            # when judged twice (the second time from what the judge remembers)
            first, second = judge.judge(facts), judge.judge(facts)
            # then level and reason are those of the rules themselves
            expected = levels.evaluate(levels.DEFAULT_RULES, facts)
            assert (first.level, first.reason) == (second.level, second.reason) == (expected.level, expected.reason)


@pytest.mark.django_db
def test_windows_split_the_live_contracts_by_id(project):
    # given three contracts
    ids = sorted(lump_sum(project, price="50000.00").pk for _ in range(3))
    # then windows of two are (after, last] ranges covering them all, in order
    assert read_ahead.window_bounds(0, 2) == [(0, ids[1]), (ids[1], ids[2])]
    assert read_ahead.window_bounds(ids[0], 2) == [(ids[0], ids[2])]
    assert read_ahead.window_bounds(ids[2], 2) == []


def test_the_reader_process_hands_windows_over_in_order(monkeypatch):
    # given a reader whose positions are labels (computed in the forked process)
    monkeypatch.setattr(read_ahead, "positions_of", lambda as_of, after, last: [f"{as_of:%m%d}:{after}-{last}"])
    # when three windows are read ahead
    got = list(read_ahead.read_ahead(APR30, [(0, 5), (5, 9), (9, 12)]))
    # then they arrive in order, each with its own positions
    assert got == [(0, 5, ["0430:0-5"]), (5, 9, ["0430:5-9"]), (9, 12, ["0430:9-12"])]


def test_a_failing_reader_fails_the_scan_with_its_error(monkeypatch):
    # given a reader that fails on the second window
    def positions(as_of, after, last):  # type: ignore[no-untyped-def]
        if after == 5:
            raise ValueError("ledger unreadable")
        return ["ok"]

    monkeypatch.setattr(read_ahead, "positions_of", positions)
    windows = read_ahead.read_ahead(APR30, [(0, 5), (5, 9), (9, 12)])
    # then the first window arrives, and the second raises with the reader's traceback
    assert next(windows) == (0, 5, ["ok"])
    with pytest.raises(read_ahead.ReaderFailed, match="ValueError: ledger unreadable"):
        next(windows)


def test_the_reader_is_used_only_where_another_process_sees_the_data(db):
    # then: not inside a transaction or on the in-memory test database, and not for a few windows
    assert read_ahead.usable(100) is False
    assert read_ahead.usable(read_ahead.MIN_WINDOWS - 1) is False
