"""The engine's proposals window by window, matched in a forked child (matching.stream)."""

import os

import pytest

from huikuan.banking.matching import Matcher, stream
from huikuan.banking.matching.engine import _unplaced
from huikuan.core import forking
from huikuan.testing.forks import counting_forks

from .test_matching_engine import _book


def _matched_here(monkeypatch) -> list[int]:
    """Counts the runs of `Matcher.match_windows` in this (the parent) process."""
    parent, runs = os.getpid(), []
    real = Matcher.match_windows

    def match_windows(self, *args, **kwargs):
        if os.getpid() == parent:
            runs.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Matcher, "match_windows", match_windows)
    return runs


def test_windows_from_a_child_are_the_proposals_of_one_process(monkeypatch):
    # given a generated book matched in one process
    items, txns = _book()
    serial = {p.txn_key: p for p in Matcher(items).match(txns, processes=1)}
    forks, here = counting_forks(monkeypatch), _matched_here(monkeypatch)
    # when matched in a forked child, 100 transactions a window
    windows = list(stream.match_in_windows(Matcher(items), txns, 100, apart=True))
    # then a child did it, and every transaction has the proposal it has in one process, once
    assert len(forks) == 1 and not here
    got = [p for window in windows for p in window]
    assert len(got) == len(serial) == len({p.txn_key for p in got})
    assert {p.txn_key: p for p in got} == serial
    # the first window is small (the caller waits for it); the others full, in date order
    assert len(windows[0]) <= 100 // stream.FIRST_SHARE
    order = {t.key: (t.date, t.key) for t in txns}
    placed = [p for window in windows[:-1] for p in window]
    assert [order[p.txn_key] for p in placed] == sorted(order[p.txn_key] for p in placed)
    # the proposals the N:1 pass decides come last, after it (some of them placed by it)
    assert any(" ".join(p.reasons).startswith("N:1") for p in windows[-1])
    assert not any(_unplaced(p) and " ".join(p.reasons).startswith("N:1") for p in placed)


def test_a_failed_child_leaves_the_rest_to_this_process(monkeypatch):
    items, txns = _book(seed=6, contracts=600, n_txns=1200)
    serial = {p.txn_key: p for p in Matcher(items).match(txns, processes=1)}
    parent = os.getpid()
    real_send = forking.send
    sent: list[int] = []

    def send(pipe: int, spool, value) -> None:
        if os.getpid() != parent:
            sent.append(1)
            if len(sent) > 3:  # the child dies after three windows
                raise RuntimeError("child failure")
        real_send(pipe, spool, value)

    monkeypatch.setattr(forking, "send", send)
    here = _matched_here(monkeypatch)
    got = [p for window in stream.match_in_windows(Matcher(items), txns, 100, apart=True) for p in window]
    assert here == [1]  # matched again here, after the child's failure
    assert len(got) == len(serial)
    assert {p.txn_key: p for p in got} == serial


def test_a_caller_that_stops_early_ends_the_child(monkeypatch):
    items, txns = _book(seed=5, contracts=400, n_txns=800)
    forks = counting_forks(monkeypatch)
    windows = stream.match_in_windows(Matcher(items), txns, 50, apart=True)
    assert next(windows)
    windows.close()
    assert len(forks) == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process any more
        os.kill(forks[0], 0)


def test_small_runs_are_matched_here(monkeypatch):
    items, txns = _book(seed=4, contracts=200, n_txns=300)
    forks = counting_forks(monkeypatch)
    serial = Matcher(items).match(txns, processes=1)
    got = [p for window in stream.match_in_windows(Matcher(items), txns, 100) for p in window]
    assert not forks  # fewer than PARALLEL_FROM transactions
    assert sorted(got, key=lambda p: p.txn_key) == sorted(serial, key=lambda p: p.txn_key)
