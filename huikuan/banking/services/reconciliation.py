"""Auto-matching: run the engine over the transactions nobody has matched yet and store what it proposes.

High confidence with an exact fit → `auto`: the receipt is posted and allocated at once. Medium →
`suggested`, a person confirms. An exception the engine raised (duplicate, under/over-payment, reversal)
→ `exception` with its kind and proposed lines. Low or nothing → `exception`/`unidentified` with the best
candidates. Each transaction is stored in its own short transaction that holds the transaction's row lock
and checks it still has no match, so two runs at once never match (or allocate) a line twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from huikuan.banking.matching import BankTxn, Matcher, MatchProposal
from huikuan.core.money import ZERO
from huikuan.core.services import record
from huikuan.receivables.exceptions import LedgerError
from huikuan.sales.models import Contract

from ..choices import Direction, ExceptionKind, MatchStatus
from ..models import BankAccount, BankTransaction, Match, MatchLine
from .open_items import build_open_items
from .posting import allocate_match

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

    def as_dict(self) -> dict[str, Any]:
        return {"considered": self.considered, "auto": self.auto, "suggested": self.suggested,
                "exceptions": dict(sorted(self.exceptions.items())), "skipped": self.skipped,
                "auto_amount": f"{self.auto_amount:.2f}"}


def pending_transactions(account: BankAccount | None = None):  # type: ignore[no-untyped-def]
    """Transactions with no match at all (rejected or undone ones are decided, not pending)."""
    qs = BankTransaction.objects.filter(matches__isnull=True).exclude(direction=Direction.NEUTRAL)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.select_related("account__bank").order_by("date", "pk")


def reconcile(*, actor: Any = None, account: BankAccount | None = None,
              progress: Progress | None = None) -> ReconcileSummary:
    txns = list(pending_transactions(account))
    summary = ReconcileSummary(considered=len(txns))
    if not txns:
        return summary
    project_ids = [account.project_id] if account is not None and account.project_id else None
    auto, suggest = thresholds()
    paid_since = txns[0].date - timedelta(days=PAID_LOOKBACK_DAYS)
    matcher = Matcher(build_open_items(project_ids, paid_since=paid_since), high=auto, medium=suggest)
    by_key = {str(t.pk): t for t in txns}
    proposals = matcher.match(_engine_txn(t) for t in txns)
    contract_nos = _contract_numbers(proposals)
    for n, proposal in enumerate(proposals, start=1):
        outcome = store_proposal(actor, by_key[proposal.txn_key], proposal, contract_nos)
        if outcome is None:
            summary.skipped += 1
        elif outcome.status == MatchStatus.AUTO:
            summary.auto += 1
            summary.auto_amount += sum((line.amount for line in outcome.lines.all()), ZERO)
        elif outcome.status == MatchStatus.SUGGESTED:
            summary.suggested += 1
        else:
            summary.exceptions[outcome.exception_kind] += 1
        if progress:
            progress(n, len(proposals))
    return summary


def _engine_txn(t: BankTransaction) -> BankTxn:
    """The engine's view of a line; an account tied to a project (escrow) pays only that project's receivables."""
    bank = t.account.bank
    return BankTxn(key=str(t.pk), date=t.date, amount=t.amount if t.direction != Direction.DEBIT else -abs(t.amount),
                   counterparty=t.counterparty, counterparty_account=t.counterparty_account, memo=t.memo,
                   bank_code=bank.code if bank else "", account_id=t.account.account_no,
                   project=t.account.project_id)


def _contract_numbers(proposals: list[MatchProposal]) -> dict[Any, str]:
    ids = {cid for p in proposals for cid, _ in p.candidates} | {p.contract_id for p in proposals if p.contract_id}
    return dict(Contract.objects.filter(pk__in=ids).values_list("pk", "contract_no"))


def classify(proposal: MatchProposal, txn: BankTransaction) -> tuple[str, str, list[str]]:
    """(status, exception kind, extra reasons) for a proposal about `txn`."""
    if proposal.exception:
        return MatchStatus.EXCEPTION, proposal.exception, []
    if not proposal.allocations:
        return MatchStatus.EXCEPTION, ExceptionKind.UNIDENTIFIED, []
    if proposal.level == "high":
        if txn.needs_review:
            return MatchStatus.SUGGESTED, "", [f"read by OCR with confidence {txn.confidence:.2f}: check the line"]
        if txn.currency != "CNY":
            return MatchStatus.SUGGESTED, "", [f"paid in {txn.currency}"]
        return MatchStatus.AUTO, "", []
    if proposal.level == "medium":
        return MatchStatus.SUGGESTED, "", []
    return MatchStatus.EXCEPTION, ExceptionKind.UNIDENTIFIED, []


def store_proposal(actor: Any, txn: BankTransaction, proposal: MatchProposal,
                   contract_nos: dict[Any, str]) -> Match | None:
    """Store one proposal (and allocate it when automatic). None: another run got there first."""
    try:
        with transaction.atomic():
            locked = BankTransaction.objects.select_for_update(of=("self",)).select_related("account").get(pk=txn.pk)
            if Match.objects.filter(transaction=locked).exists():
                return None
            return create_match(actor, locked, proposal, contract_nos)
    except IntegrityError:
        return None  # the one-live-match constraint: a concurrent run stored this transaction


def _auto_allocate(actor: Any, match: Match) -> None:
    try:
        with transaction.atomic():
            allocate_match(actor, match)
    except LedgerError as exc:
        match.status = MatchStatus.SUGGESTED
        match.reasons = [*match.reasons, f"not allocated automatically: {exc}"]
        match.save(update_fields=["status", "reasons"])
        MatchLine.objects.filter(match=match).update(ledger_entry=None)


def create_match(actor: Any, locked: BankTransaction, proposal: MatchProposal, contract_nos: dict[Any, str]) -> Match:
    """Store a proposal as the transaction's live match (the caller holds the transaction's row lock)."""
    status, kind, extra = classify(proposal, locked)
    match = Match.objects.create(
        transaction=locked, status=status, exception_kind=kind,
        confidence=Decimal(str(proposal.confidence)).quantize(Decimal("0.0001")),
        contract_id=proposal.contract_id, reasons=list(proposal.reasons) + extra,
        candidates=[{"contract_id": cid, "contract_no": contract_nos.get(cid, ""), "confidence": conf}
                    for cid, conf in proposal.candidates])
    MatchLine.objects.bulk_create([MatchLine(match=match, receivable_id=rid, amount=amount)
                                   for rid, amount in proposal.allocations])
    if status == MatchStatus.AUTO:
        _auto_allocate(actor, match)
    record(actor, f"match.{match.status}", match, transaction=locked.reference, amount=locked.amount,
           exception=match.exception_kind, confidence=match.confidence,
           lines={str(rid): amount for rid, amount in proposal.allocations})
    return match
