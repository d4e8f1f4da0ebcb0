"""The engine's proposals window by window, matched in a forked child process while the caller uses them.

Reconciliation stores one window of proposals while the next is matched: on two cores, matching then costs
hardly any wall time beside storing. The child shares the index copy-on-write (nothing is sent to it), matches
in one process (`Matcher.match_windows`) and pickles each window's proposals to a spool file, telling the
parent where on a pipe — the same channel as the engine's run in two processes. While the child matches the
first (small) window, the parent, idle until it comes, builds the one-typo name index and hands it to the child.
The windows, and the proposals in them, are those of `Matcher.match_windows` in this process. Should the child
fail, the transactions are matched here again from the start (the parent's state is untouched: the child's
writes stay in the child) and the windows not handed out yet are handed out (`core.forking.values_in_child`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice

from huikuan.core.forking import Channel, can_fork, values_in_child

from .engine import PARALLEL_FROM, Matcher, _masked_parts, _portable, _proposal
from .model import BankTxn, MatchProposal

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
    first = max(1, size // FIRST_SHARE)
    matcher._fuzzy_taken()  # from the keys helper, if it is at work on them (never read by two processes)
    names = list(matcher.by_name) if matcher._by_masked is None else None

    def produce(channel: Channel | None, skip: int) -> Iterator[list[tuple[str, tuple]]]:
        if channel is not None:
            matcher._masked_from = (channel.pipe, channel.spool)  # taken on first use (built if none comes)
        windows = matcher.match_windows(txns, size, first)
        for window in islice(windows, skip, None):  # after a child's failure: from the start, without the first
            yield [(p.txn_key, _portable(p)) for p in window]

    hand_down = None if names is None else partial(_masked_parts, names)
    for window in values_in_child(produce, hand_down=hand_down):
        yield [_proposal(key, values) for key, values in window]
