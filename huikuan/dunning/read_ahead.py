"""Read the ledger a few windows ahead in a second process while this one writes.

The scan is two kinds of work of about equal weight: the ledger pass (`contract_positions`, pure
reading) and the window's writes. On a machine with two cores a forked reader computes the positions
of the next windows while the scan commits the current one; they travel through a bounded queue, so
at most `AHEAD` windows wait in memory. The reader only reads: what is written, and when it commits,
stays with the scan, so idempotence and resume are unchanged. A reader that fails (or dies) fails
the scan like any error in the loop.

Used only where a second connection sees what this one committed: a file or server database, outside
a transaction, with the `fork` start method (Linux). Tests on the in-memory database scan serially.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Generator
from datetime import date
from typing import Any

from django.db import connection, connections

from huikuan.sales.models import Contract

from .positions import ContractPosition, contract_positions

AHEAD = 3              # windows computed ahead of the writer
MIN_WINDOWS = 4        # fewer than this: not worth a process


class ReaderFailed(RuntimeError):
    """The read-ahead process failed; its traceback is the message."""


class _Orphaned(Exception):
    """The scan that started this reader is gone (killed): stop instead of waiting on a full queue."""


def _hand_over(channel: Any, item: Any, parent: int) -> None:
    while True:
        try:
            channel.put(item, timeout=5)
            return
        except queue.Full:
            if os.getppid() != parent:
                raise _Orphaned from None


def usable(windows: int) -> bool:
    if windows < MIN_WINDOWS or connection.in_atomic_block:
        return False
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return False   # no fork here, or a daemonic worker process (it may not have children)
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


def window_bounds(after_id: int, size: int) -> list[tuple[int, int]]:
    """(after id, last id) of each window of `size` live contracts after `after_id`."""
    ids = list(Contract.objects.live().filter(pk__gt=after_id).order_by("pk").values_list("pk", flat=True))
    bounds, start = [], after_id
    for end in range(size - 1, len(ids) + size - 1, size):
        last = ids[min(end, len(ids) - 1)]
        bounds.append((start, last))
        start = last
    return bounds


def positions_of(as_of: date, after_id: int, last_id: int) -> list[ContractPosition]:
    return list(contract_positions(as_of, Contract.objects.live().filter(pk__gt=after_id, pk__lte=last_id)))


def read_ahead(as_of: date, bounds: list[tuple[int, int]],
               ) -> Generator[tuple[int, int, list[ContractPosition]], None, None]:
    """(after id, last id, positions) per window, in order, computed by a forked reader process."""
    context = multiprocessing.get_context("fork")
    channel: Any = context.Queue(maxsize=AHEAD)
    connections.close_all()   # the child must open its own connection, never share this one
    reader = context.Process(target=_read, args=(as_of, bounds, channel), name="dunning-read-ahead", daemon=True)
    reader.start()
    try:
        for _ in bounds:
            item = _next(channel, reader)
            if isinstance(item, str):
                raise ReaderFailed(item)
            yield item
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()
        channel.close()


def _next(channel: Any, reader: Any) -> Any:
    while True:
        try:
            return channel.get(timeout=2)
        except queue.Empty:
            if not reader.is_alive():
                raise ReaderFailed(f"the read-ahead process ended with exit code {reader.exitcode}") from None


def _read(as_of: date, bounds: list[tuple[int, int]], channel: Any) -> None:
    parent = os.getppid()
    try:
        for after_id, last_id in bounds:
            _hand_over(channel, (after_id, last_id, positions_of(as_of, after_id, last_id)), parent)
    except _Orphaned:
        return
    except BaseException:  # noqa: BLE001 - everything goes back to the scan, which fails with it
        channel.put(traceback.format_exc())
    finally:
        connections.close_all()
        channel.close()
        channel.join_thread()
