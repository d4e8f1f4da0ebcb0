"""Auto-matching: run the engine over the transactions nobody has matched yet and store what it proposes.

High confidence with an exact fit → `auto`: the receipt is posted and allocated at once. Medium →
`suggested`, a person confirms. An exception the engine raised (duplicate, under/over-payment, reversal)
→ `exception` with its kind and proposed lines. Low or nothing → `exception`/`unidentified` with the best
candidates. Storing goes a window of transactions at a time (`storing`): each window one database transaction
that locks its transactions and skips those matched meanwhile, so two runs at once never match (or allocate)
a line twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from huikuan.banking.matching import Matcher
from huikuan.banking.matching.stream import match_in_windows
from huikuan.core.memory import collector_paused
from huikuan.core.money import ZERO

from ..choices import Direction, MatchStatus
from ..models import BankAccount, BankTransaction
from .open_items import build_open_items
from .storing import WINDOW, Stored, facts_of, store_proposals

Progress = Callable[[int, int], None]
# lines paid off and due this many days before the first pending transaction still take part, so that
# paying them again is recognised as a duplicate payment
PAID_LOOKBACK_DAYS = 120


def setting(name: str, default: str) -> str:
    return str(getattr(settings, "HUIKUAN", {}).get(name, default))


def thresholds() -> tuple[float, float]:
    """(auto, suggest): HUIKUAN["MATCH_AUTO_THRESHOLD"] (0.9) and ["MATCH_SUGGEST_THRESHOLD"] (0.6)."""
    return float(setting("MATCH_AUTO_THRESHOLD", "0.9")), float(setting("MATCH_SUGGEST_THRESHOLD", "0.6"))


@dataclass
class ReconcileSummary:
    considered: int = 0
    auto: int = 0
    suggested: int = 0
    exceptions: Counter = field(default_factory=Counter)
    skipped: int = 0
    auto_amount: Decimal = ZERO
    # wall seconds of each phase: reading the transactions and the open items, indexing, waiting for the
    # engine's proposals (matching), storing them — matching and storing overlap: see `_reconcile`
    seconds: dict[str, float] = field(default_factory=dict)

    def count(self, outcome: Stored | None) -> None:
        if outcome is None:
            self.skipped += 1
        elif outcome.status == MatchStatus.AUTO:
            self.auto += 1
            self.auto_amount += outcome.allocated
        elif outcome.status == MatchStatus.SUGGESTED:
            self.suggested += 1
        else:
            self.exceptions[outcome.exception_kind] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"considered": self.considered, "auto": self.auto, "suggested": self.suggested,
                "exceptions": dict(sorted(self.exceptions.items())), "skipped": self.skipped,
                "auto_amount": f"{self.auto_amount:.2f}",
                "seconds": {phase: round(value, 2) for phase, value in self.seconds.items()}}


def pending_transactions(account: BankAccount | None = None):  # type: ignore[no-untyped-def]
    """Transactions with no match at all (rejected or undone ones are decided, not pending)."""
    qs = BankTransaction.objects.filter(matches__isnull=True).exclude(direction=Direction.NEUTRAL)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("date", "pk")


def reconcile(*, actor: Any = None, account: BankAccount | None = None,
              progress: Progress | None = None) -> ReconcileSummary:
    with collector_paused():  # a million open items: the collector would rescan them again and again
        return _reconcile(actor, account, progress)


def _reconcile(actor: Any, account: BankAccount | None, progress: Progress | None) -> ReconcileSummary:
    clock = _Clock()
    txns = facts_of(pending_transactions(account))
    summary = ReconcileSummary(considered=len(txns), seconds=clock.seconds)
    if not txns:
        return summary
    project_ids = [account.project_id] if account is not None and account.project_id else None
    auto, suggest = thresholds()
    paid_since = txns[0].date - timedelta(days=PAID_LOOKBACK_DAYS)
    items = build_open_items(project_ids, paid_since=paid_since)
    clock.lap("read")
    matcher = Matcher(items, high=auto, medium=suggest)
    del items
    clock.lap("index")
    by_key = {str(t.pk): t for t in txns}
    done = 0
    # a window is stored while the engine (in a child process, on a second core) matches the next
    for proposals in match_in_windows(matcher, (t.engine_txn() for t in txns), WINDOW):
        clock.lap("match")
        for outcome in store_proposals(actor, [(by_key[p.txn_key], p) for p in proposals]):
            summary.count(outcome)
        done += len(proposals)
        if progress:
            progress(done, len(txns))
        clock.lap("store")
    return summary


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        """The seconds since the last lap counted to ``phase`` (added up over laps of one phase)."""
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._last
        self._last = now
