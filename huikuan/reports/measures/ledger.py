"""Contract positions at a date, from `receivables.balances.contract_balances` (THE definition of due,
received and overdue), and the cache the measures share.

Inside `with shared_positions():` (the kpis report, the review and the scheduled pre-aggregation use it)
each family of facts (measures/facts.py) — among them the positions summed per project, one
`contract_balances` pass per date — is computed once per (period, scope), however many measures ask.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, connections

from huikuan.core.money import ZERO
from huikuan.receivables.balances import contract_balances

from .base import Scope, live_contracts


@dataclass(frozen=True)
class Position:
    contract_id: int
    project_id: int
    due: Decimal          # plan amounts due on or before the date
    received: Decimal     # money received by the date (refunds subtracted)
    overdue: Decimal
    due_before: Decimal   # plan amounts due on or before `before` (what they are worth at the date)


_cache: ContextVar[dict | None] = ContextVar("measure_positions", default=None)


@contextmanager
def shared_positions() -> Iterator[None]:
    """Share positions and facts among the measures computed inside (nested uses share the outer cache)."""
    if _cache.get() is not None:
        yield
        return
    cache: dict = {}
    token = _cache.set(cache)
    try:
        yield
    finally:
        _cache.reset(token)
        for value in cache.values():     # a helper nobody asked for in the end: wait for it, never a zombie
            if isinstance(value, _Part):
                with suppress(RuntimeError):
                    value.result()


def positions(as_of: date, scope: Scope, before: date | None = None) -> Iterator[Position]:
    """One position per live contract of the scope, as of `as_of`: one streaming pass of
    `contract_balances` (the facts' `positions` family is the one caller, itself computed once per
    period and scope inside `shared_positions()`). With `before`, each position also carries what of the
    plan fell due on or before that earlier day (`due_before`), from the same pass."""
    if scope.project_ids is not None and not scope.project_ids:
        return     # nothing to see (contract_balances cannot take an always-empty queryset)
    for b in contract_balances(as_of, live_contracts(scope), with_lines=before is not None):
        due_before = sum((line.amount for line in b.lines if before is not None and line.due_date <= before), ZERO)
        yield Position(b.contract_id, b.project_id, b.due, b.received, b.overdue, due_before)


def shared(name: str, period: object, scope: Scope, compute):  # type: ignore[no-untyped-def]
    """`compute()` once per (name, period, scope) inside `shared_positions()`; every time outside it."""
    cache = _cache.get()
    if cache is None:
        return compute()
    key = (name, period, scope.key)
    if key not in cache:
        cache[key] = compute()
    elif isinstance(cache[key], _Part):
        cache[key] = cache[key].result()
    return cache[key]


PARALLEL_FROM = 20_000    # live contracts; below this a second process costs more than it saves


class _Helper:
    """A forked helper process computing some shared values, in order; `result()` waits for all of them."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        connections.close_all()    # never share a connection across fork; each side opens its own
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 — closed by result()
        self.value: Any = None
        self.done = False
        self.pid = os.fork()
        if self.pid == 0:     # the helper
            status = 0
            try:
                pickle.dump(compute(), self.spool)
                self.spool.flush()
            except BaseException:  # noqa: BLE001 — the parent learns of it from the exit status
                status = 1
            finally:
                connections.close_all()   # say goodbye to the database server before the abrupt exit
                os._exit(status)

    def result(self) -> Any:
        if not self.done:
            _, status = os.waitpid(self.pid, 0)
            self.done = True
            with self.spool:
                if status != 0:
                    raise RuntimeError("the helper process computing a pass of receivables.balances failed")
                self.spool.seek(0)
                self.value = pickle.load(self.spool)  # noqa: S301 — our own spool, written by our own child
        return self.value


@dataclass(frozen=True)
class _Part:
    """One of the values a helper computes."""

    helper: _Helper
    index: int

    def result(self) -> Any:
        return self.helper.result()[self.index]


def share_in_helper(items: list[tuple[str, object, Callable[[], Any]]], scope: Scope) -> bool:
    """Inside `shared_positions()`, start computing `shared(name, period, scope, compute)` for each item in a
    forked helper process, so that a second pass of receivables.balances (and whatever else is given) runs on
    the other core while this process does the rest. Only for big scopes, on a machine with two cores,
    outside a transaction (the helper could not see uncommitted rows); returns whether it started one."""
    cache = _cache.get()
    if cache is None or any((name, period, scope.key) in cache for name, period, _ in items):
        return False
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork") or connection.in_atomic_block:
        return False
    name_of_db = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name_of_db in ("", ":memory:") or "mode=memory" in name_of_db):
        return False
    if live_contracts(scope).count() < PARALLEL_FROM:
        return False
    helper = _Helper(lambda: [compute() for _, _, compute in items])
    for index, (name, period, _) in enumerate(items):
        cache[(name, period, scope.key)] = _Part(helper, index)
    return True
