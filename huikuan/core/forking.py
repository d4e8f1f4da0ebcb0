"""Work in a forked child process beside this one — the second core — with values handed over as they are made.

Plain standard library (no Django: a child never touches this process's database connection). A value goes
pickled to a spool file, and the other process is told where on a pipe (`send` / `receive`): the pipe carries 16
bytes a value, so neither side blocks on a large one. `values_in_child` runs a producer in a child and hands its
values over as they come (reconciliation's matching windows, `banking.matching.stream`); `results_in_child` maps a
function over items that way (the statement import); the engine's own two-process run uses `send` / `receive`.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from typing import IO, Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_END = "end"  # a child's last message: every value was sent


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    """A second core, os.fork, and no other Python thread here (a fork copies only the calling thread)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    return cores() >= 2


def send(pipe: int, spool: IO[bytes], value: object) -> None:
    """Append ``value`` pickled to the spool, then tell the other process where it is (16 bytes on the pipe)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    fd = spool.fileno()
    at = os.lseek(fd, 0, os.SEEK_END)
    done = 0
    while done < len(data):
        done += os.pwrite(fd, data[done:], at + done)
    os.write(pipe, struct.pack("<QQ", at, len(data)))


def receive(pipe: int, spool: IO[bytes]) -> Any:
    """The next value the other process sent; None if it has gone (the pipe closed)."""
    head = b""
    while len(head) < 16:
        more = os.read(pipe, 16 - len(head))
        if not more:
            return None
        head += more
    at, size = struct.unpack("<QQ", head)
    data = b""
    while len(data) < size:
        more = os.pread(spool.fileno(), size - len(data), at + len(data))
        if not more:
            return None
        data += more
    return pickle.loads(data)  # noqa: S301 - our own spool, written by our own child or parent


def reap(pid: int) -> None:
    with suppress(ChildProcessError):  # reaped already (someone else's SIGCHLD handler)
        os.waitpid(pid, 0)


class Channel:
    """The parent's side of a hand-down channel as the child sees it: the one value the parent sends after the
    fork (`take`: None if none comes)."""

    def __init__(self, pipe: int, spool: IO[bytes]):
        self.pipe, self.spool = pipe, spool

    def take(self) -> Any:
        return receive(self.pipe, self.spool)


def values_in_child(produce: Callable[[Channel | None, int], Iterable[R]], *,
                    hand_down: Callable[[], object] | None = None) -> Iterator[R]:
    """The values ``produce(channel, skip)`` yields, made in a forked child and handed over one by one as they are
    made (the caller uses one while the child makes the next). ``produce`` must not use what a fork cannot share
    (a database connection, other threads); it gets ``skip`` = 0 and, with ``hand_down``, a `Channel` on which
    the one value ``hand_down()`` — computed here after the fork, while the child starts — arrives. Should the
    child fail, ``produce(None, n)`` runs here and must yield what follows the n values already handed over. A
    caller that stops early ends the child."""
    handed = 0
    finished = False
    with tempfile.TemporaryFile() as spool, tempfile.TemporaryFile() as down:
        read, write = os.pipe()
        down_read, down_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            status = 1
            try:
                os.close(read)
                os.close(down_write)
                for value in produce(Channel(down_read, down) if hand_down else None, 0):
                    send(write, spool, value)
                send(write, spool, _END)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        os.close(down_read)
        try:
            if hand_down is not None:
                with suppress(BrokenPipeError):  # the child is gone: what it handed over tells
                    send(down_write, down, hand_down())
            os.close(down_write)
            down_write = -1
            while (got := receive(read, spool)) is not None:
                if isinstance(got, str) and got == _END:
                    finished = True
                    break
                handed += 1
                yield got
        finally:
            os.close(read)
            if down_write >= 0:
                os.close(down_write)
            if not finished:  # failed, or the caller stopped early: nothing more is wanted of the child
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            reap(pid)
    if not finished:
        yield from produce(None, handed)


def results_in_child(func: Callable[[T], R], items: Sequence[T], *, handed: tuple[type[BaseException], ...] = (),
                     apart: bool | None = None) -> Iterator[R | BaseException]:
    """``func(item)`` for each item, in order, worked out in a forked child (`values_in_child`) one after the
    other — the caller uses one result while the child works on the next. An exception of a ``handed`` type comes
    in the result's place (the caller decides); any other ends the child, and the results it did not hand over
    are worked out here (raising here, if they raise again). ``apart``: None — in a child when there are at least
    two items and the machine can fork (`can_fork`)."""
    if apart is None:
        apart = len(items) >= 2 and can_fork()

    def produce(_: Channel | None, skip: int) -> Iterator[Any]:
        for item in items[skip:]:
            try:
                yield func(item)
            except handed as exc:
                yield _Raised(exc)

    for value in values_in_child(produce) if apart else produce(None, 0):
        yield value.exception if isinstance(value, _Raised) else value


class _Raised:
    """An exception handed over in a result's place (marked, so that a function may return exceptions too)."""

    def __init__(self, exception: BaseException):
        self.exception = exception
