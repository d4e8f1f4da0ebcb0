"""Contract positions at a date, from `receivables.balances.contract_balances` (THE definition of due,
received and overdue), shared by the measures that need them.

Inside `with shared_positions():` (the kpis report and the review use it) each (date, scope) is
computed once, however many measures ask for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from huikuan.receivables.balances import contract_balances

from .base import Scope, live_contracts


@dataclass(frozen=True)
class Position:
    contract_id: int
    project_id: int
    due: Decimal          # plan amounts due on or before the date
    received: Decimal     # money received by the date (refunds subtracted)
    overdue: Decimal


_cache: ContextVar[dict | None] = ContextVar("measure_positions", default=None)


@contextmanager
def shared_positions() -> Iterator[None]:
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def positions(as_of: date, scope: Scope) -> list[Position]:
    """One position per live contract of the scope, as of `as_of`."""
    cache = _cache.get()
    key = (as_of, scope.key)
    if cache is not None and key in cache:
        return cache[key]
    if scope.project_ids is not None and not scope.project_ids:
        return []        # nothing to see (contract_balances cannot take an always-empty queryset)
    result = [Position(b.contract_id, b.project_id, b.due, b.received, b.overdue)
              for b in contract_balances(as_of, live_contracts(scope))]
    if cache is not None:
        cache[key] = result
    return result


def shared(name: str, period: object, scope: Scope, compute):  # type: ignore[no-untyped-def]
    """`compute()` once per (name, period, scope) inside `shared_positions()`; every time outside it."""
    cache = _cache.get()
    if cache is None:
        return compute()
    key = (name, period, scope.key)
    if key not in cache:
        cache[key] = compute()
    return cache[key]
