"""The engine's proposals window by window, matched in a forked child process while the caller uses them.

Reconciliation stores one window of proposals while the next is matched: on two cores, matching then costs
hardly any wall time beside storing. The child shares the index copy-on-write (nothing is sent to it), matches
in one process (`Matcher.match_windows`) and pickles each window's proposals to a spool file, telling the
parent where on a pipe — the same channel as the engine's run in two processes. While the child matches the
first (small) window, the parent, idle until it comes, builds the one-typo name index and hands it to the child.
The windows, and the proposals in them, are those of `Matcher.match_windows` in this process. Should the child
fail, the
transactions are matched here again from the start (the parent's state is untouched: the child's writes stay
in the child) and what was not handed out yet is handed out.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress

from huikuan.core.forking import can_fork, reap, receive, send

from .engine import PARALLEL_FROM, Matcher, _masked_parts, _portable, _proposal
from .model import BankTxn, MatchProposal

_END = "end"  # the child's last message: every window was sent
FIRST_SHARE = 10  # the first window: a tenth of the full size (the caller waits for it, idle); then doubling


def match_in_windows(matcher: Matcher, txns: Iterable[BankTxn], size: int,
                     apart: bool | None = None) -> Iterator[list[MatchProposal]]:
    """`matcher.match_windows(txns, size)`; ``apart``: matched in a forked child (None: when there are at least
    PARALLEL_FROM transactions and the machine can fork: a second core, no other Python thread here)."""
    ordered = list(txns)
    if apart is None:
        apart = len(ordered) >= PARALLEL_FROM and can_fork()
    if not apart:
        yield from matcher.match_windows(ordered, size)
        return
    yield from _in_child(matcher, ordered, size)


def _in_child(matcher: Matcher, txns: list[BankTxn], size: int) -> Iterator[list[MatchProposal]]:
    given: set[str] = set()
    first = max(1, size // FIRST_SHARE)
    names = list(matcher.by_name) if matcher._by_masked is None else None
    with tempfile.TemporaryFile() as spool, tempfile.TemporaryFile() as down:
        read, write = os.pipe()
        down_read, down_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            status = 1
            try:
                os.close(read)
                os.close(down_write)
                if names is not None:
                    matcher._masked_from = (down_read, down)  # taken on first use (built here if none comes)
                for window in matcher.match_windows(txns, size, first):
                    send(write, spool, [(p.txn_key, _portable(p)) for p in window])
                send(write, spool, _END)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        os.close(down_read)
        finished = False
        try:
            if names is not None:
                with suppress(BrokenPipeError):  # the child is gone: the windows below tell
                    send(down_write, down, _masked_parts(names))
            os.close(down_write)
            down_write = -1
            while (got := receive(read, spool)) is not None:
                if got == _END:
                    finished = True
                    break
                window = [_proposal(key, values) for key, values in got]
                given.update(p.txn_key for p in window)
                yield window
        finally:
            os.close(read)
            if down_write >= 0:
                os.close(down_write)
            if not finished:  # failed, or the caller stopped early: nothing more is wanted of the child
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            reap(pid)
    if finished:
        return
    for window in matcher.match_windows(txns, size, first):  # the child failed: matched here, what it did not hand out
        rest = [p for p in window if p.txn_key not in given]
        if rest:
            yield rest
