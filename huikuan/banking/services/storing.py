"""Storing the engine's proposals, a window of bank transactions at a time, each window one database transaction.

For each proposal: the transaction's live match (auto, suggested or exception, with its lines, reasons and
candidates) and its audit event; for an automatic one also the receipts its money is posted as and their
allocations, through `receivables.batch` (the ledger's rules, written many rows at once), and — for a loan line
whose application in the mortgage pipeline waits for the bank's money — that application's disbursement
(`mortgages.services.disbursable` / `mark_disbursed`). How the money is posted is what `posting.allocate_match`
does for a fresh transaction: one receipt per contract, a disbursement receipt per loan application, a
transaction paying one contract posted whole (what the lines do not take stays on the contract as credit). An
automatic proposal whose allocation no longer fits (a receivable paid meanwhile, a contract cancelled) is stored
as a suggestion with the reason, and the rest of the window goes ahead.

Concurrency: a window locks its bank transactions first (`FOR UPDATE` on PostgreSQL, primary-key order), then
the loan applications, then the receivables — the order every writer of the ledger keeps — and skips a
transaction that has a live match by then. The one-live-match constraint is the last guard: a window that trips
it (two SQLite processes) is redone, and then skips what the other run stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from huikuan.banking.matching import BankTxn, MatchProposal
from huikuan.core.bulk import LOOKUP_CHUNK, insert_rows, json_adapter, last_pk, rows_after, rows_in
from huikuan.core.money import ZERO
from huikuan.core.services import record_many
from huikuan.mortgages import services as mortgages
from huikuan.receivables import batch as ledger_batch
from huikuan.receivables.choices import ReceiptMethod
from huikuan.sales.models import Contract

from ..choices import LIVE_STATUSES, Direction, ExceptionKind, MatchStatus
from ..models import BankTransaction, Match, MatchLine, TransactionReceipt
from .posting import numbered_reference, reference_candidates, taken_references

WINDOW = 5_000
ATTEMPTS = 3
Progress = Callable[[int, int], None]
TXN_FIELDS = ("pk", "date", "amount", "direction", "currency", "counterparty", "counterparty_account", "memo",
              "needs_review", "confidence", "bank_ref", "key", "line_no", "account__account_no",
              "account__project_id", "account__bank__code")


@dataclass(frozen=True)
class TxnFacts:
    """What storing and the engine need of a bank transaction (read as plain values, not model instances)."""

    pk: int
    date: date
    amount: Decimal
    direction: str
    currency: str
    counterparty: str
    counterparty_account: str
    memo: str
    needs_review: bool
    confidence: float
    bank_ref: str
    key: str
    line_no: int
    account_no: str
    project_id: int | None
    bank_code: str | None

    @property
    def reference(self) -> str:
        return self.bank_ref or self.key

    @classmethod
    def of(cls, t: BankTransaction) -> TxnFacts:
        bank = t.account.bank
        return cls(t.pk, t.date, t.amount, t.direction, t.currency, t.counterparty, t.counterparty_account, t.memo,
                   t.needs_review, t.confidence, t.bank_ref, t.key, t.line_no, t.account.account_no,
                   t.account.project_id, bank.code if bank else "")

    def engine_txn(self) -> BankTxn:
        """The engine's view; an account tied to a project (escrow) pays only that project's receivables."""
        return BankTxn(key=str(self.pk), date=self.date,
                       amount=self.amount if self.direction != Direction.DEBIT else -abs(self.amount),
                       counterparty=self.counterparty, counterparty_account=self.counterparty_account, memo=self.memo,
                       bank_code=self.bank_code or "", account_id=self.account_no, project=self.project_id)


def facts_of(queryset: Any) -> list[TxnFacts]:
    """The transactions of `queryset` as TxnFacts, in its order."""
    return [TxnFacts(*row) for row in queryset.values_list(*TXN_FIELDS)]


@dataclass
class Stored:
    """One proposal as stored."""

    txn: TxnFacts
    proposal: MatchProposal
    status: str
    exception_kind: str
    reasons: list[str]
    lines: list[list[Any]] = field(default_factory=list)  # [receivable id, amount, ledger entry id | None]
    match_id: int = 0
    confidence: Decimal = ZERO  # the proposal's, to the 4 places stored

    def __post_init__(self) -> None:
        self.confidence = Decimal(str(self.proposal.confidence)).quantize(Decimal("0.0001"))

    @property
    def allocated(self) -> Decimal:
        return sum((amount for _, amount, entry in self.lines if entry is not None), ZERO)


def classify(proposal: MatchProposal, txn: TxnFacts) -> tuple[str, str, list[str]]:
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


def store_proposals(actor: Any, pairs: Sequence[tuple[TxnFacts, MatchProposal]],
                    progress: Progress | None = None) -> list[Stored | None]:
    """Store each (transaction, proposal), a window at a time; None where the transaction already had a live
    match (another run or a clerk got there first)."""
    out: list[Stored | None] = []
    for start in range(0, len(pairs), WINDOW):
        out += _store_window(actor, pairs[start:start + WINDOW])
        if progress:
            progress(min(start + WINDOW, len(pairs)), len(pairs))
    return out


def _store_window(actor: Any, window: Sequence[tuple[TxnFacts, MatchProposal]]) -> list[Stored | None]:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _store(actor, window)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _store(actor: Any, window: Sequence[tuple[TxnFacts, MatchProposal]]) -> list[Stored | None]:
    ids = [txn.pk for txn, _ in window]
    live = _lock_and_find_live(ids)
    stored: dict[int, Stored] = {}
    for txn, proposal in window:
        if txn.pk in live or txn.pk in stored:
            continue
        status, kind, extra = classify(proposal, txn)
        lines: dict[Any, Decimal] = {}
        for receivable_id, amount in proposal.allocations:
            lines[receivable_id] = lines.get(receivable_id, ZERO) + amount
        stored[txn.pk] = Stored(txn, proposal, status, kind, list(proposal.reasons) + extra,
                                [[rid, amount, None] for rid, amount in lines.items()])
    _allocate(actor, [s for s in stored.values() if s.status == MatchStatus.AUTO])
    _write_matches(actor, list(stored.values()))
    return [stored.get(txn.pk) if txn.pk not in live else None for txn, _ in window]


def _lock_and_find_live(ids: list[int]) -> set[int]:
    """Lock the transactions (where the database has row locks) and return those with a live match."""
    ordered = sorted(set(ids))
    if connection.features.has_select_for_update:
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            list(BankTransaction.objects.select_for_update().filter(pk__in=ordered[start:start + LOOKUP_CHUNK])
                 .order_by("pk").values_list("pk", flat=True))
    return {txn for txn, status in _matches_of(ordered) if status in LIVE_STATUSES}


def _matches_of(txn_ids: list[int]) -> list[tuple[int, str]]:
    """(transaction, status) of every match of these transactions — selected by transaction only, so that the
    database searches the transaction index (with the live statuses in SQL, SQLite may scan the status index)."""
    return rows_in(Match, ["transaction", "status"], "transaction", txn_ids)


def _demote(s: Stored, why: str) -> None:
    s.status = MatchStatus.SUGGESTED
    s.reasons.append(f"not allocated automatically: {why}")
    for line in s.lines:
        line[2] = None


@dataclass
class _Posting:
    """How one automatic match's money is posted: its receipts, and the loan applications some of them disburse."""

    stored: Stored
    receipts: list[ledger_batch.NewReceipt] = field(default_factory=list)
    lines_of: list[list[list[Any]]] = field(default_factory=list)  # per receipt, the match lines it pays
    references: list[list[str]] = field(default_factory=list)  # per receipt, the references it may take
    loans: dict[int, Any] = field(default_factory=dict)  # receipt index → the application it disburses


def _allocate(actor: Any, autos: list[Stored]) -> None:
    """Post and allocate the automatic matches (demoting those that do not fit)."""
    for s in autos:
        wanted = sum((amount for _, amount, _ in s.lines), ZERO)
        if any(amount <= ZERO for _, amount, _ in s.lines):
            _demote(s, "each line must pay a positive amount")
        elif wanted > s.txn.amount:
            _demote(s, f"the bank transaction holds {s.txn.amount}, cannot allocate {wanted}")
    autos = [s for s in autos if s.status == MatchStatus.AUTO]
    if not autos:
        return
    receivable_ids = [line[0] for s in autos for line in s.lines]
    loans = mortgages.disbursable(receivable_ids)
    owed = ledger_batch.lock_owed(receivable_ids)
    postings = []
    for s in autos:
        posting = _plan(s, owed, loans)
        if posting is not None:
            postings.append(posting)
    _choose_references(postings)
    results = ledger_batch.post_receipt_groups(actor, [p.receipts for p in postings], owed)
    links, disbursed = [], []
    for posting, result in zip(postings, results, strict=True):
        if isinstance(result, str):
            _demote(posting.stored, result)
            continue
        txn = posting.stored.txn
        for n, (done, lines) in enumerate(zip(result, posting.lines_of, strict=True)):
            for line, entry_id in zip(lines, done.entry_ids, strict=True):
                line[2] = entry_id
            links.append((txn.pk, done.receipt_id, done.receipt.contract_id))
            if n in posting.loans:
                disbursed.append(mortgages.Disbursed(posting.loans[n], done.receipt_id, done.receipt.amount, txn.date,
                                                     txn.reference))
    mortgages.mark_disbursed(disbursed, actor=actor)
    insert_rows(TransactionReceipt, ["transaction", "receipt", "contract"], links)


def _plan(s: Stored, owed: ledger_batch.Owed, loans: dict[int, Any]) -> _Posting | None:
    """The receipts of one automatic match, contract by contract (None, demoted, when a line cannot be paid)."""
    by_contract: dict[int, list[list[Any]]] = defaultdict(list)
    for line in s.lines:
        contract_id = owed.contract_of.get(line[0])
        if contract_id is None:
            _demote(s, f"receivable {line[0]} does not exist")
            return None
        by_contract[contract_id].append(line)
    txn, posting = s.txn, _Posting(s)
    unposted = txn.amount
    for contract_id, lines in sorted(by_contract.items()):
        rest = []
        for line in lines:
            app = loans.get(line[0])
            if app is not None and line[1] == owed.left.get(line[0]):
                posting.loans[len(posting.receipts)] = app
                reference = mortgages.disbursement_reference(txn.reference, app)
                posting.receipts.append(ledger_batch.NewReceipt(
                    contract_id=contract_id, amount=line[1], received_on=txn.date, reference=reference,
                    allocations=[(line[0], line[1])], payer_name=str(app.bank.name),
                    note=mortgages.disbursement_note(app), method=ReceiptMethod.LOAN_DISBURSEMENT))
                posting.lines_of.append([line])
                posting.references.append([reference])
                unposted -= line[1]
            else:
                rest.append(line)
        if not rest:
            continue
        need = sum((line[1] for line in rest), ZERO)
        amount = unposted if len(by_contract) == 1 else min(unposted, need)
        if amount < need:
            _demote(s, f"the bank transaction holds {unposted} for this contract, cannot allocate {need}")
            return None
        posting.receipts.append(ledger_batch.NewReceipt(
            contract_id=contract_id, amount=amount, received_on=txn.date, reference="",
            allocations=[(line[0], line[1]) for line in rest], payer_name=txn.counterparty[:128],
            note=f"bank {txn.account_no} line {txn.line_no}"[:255]))
        posting.lines_of.append(rest)
        posting.references.append(reference_candidates(txn.reference, txn.account_no, owed.contract_no[contract_id]))
        unposted -= amount
    return posting


def _choose_references(postings: list[_Posting]) -> None:
    """Give each receipt the first of its references no receipt has; an ordinary receipt whose three are all
    taken gets a numbered one, a disbursement whose one is taken demotes its match."""
    # the first choice is nearly always free: the others are looked up only for receipts whose first is taken
    taken = taken_references([options[0] for p in postings for options in p.references])
    taken |= taken_references([c for p in postings for options in p.references if options[0] in taken
                               for c in options[1:]])
    for p in postings:
        for r, options in zip(p.receipts, p.references, strict=True):
            free = next((c for c in options if c not in taken), None)
            if free is None and len(options) > 1:
                free = numbered_reference(options[1], taken)
            if free is None:
                _demote(p.stored, f"a receipt with reference {options[0]} is already posted")
                p.receipts = []
                break
            r.reference = free
            taken.add(free)
    postings[:] = [p for p in postings if p.receipts]


def _contract_nos(ids: set[Any]) -> dict[Any, str]:
    return dict(rows_in(Contract, ["pk", "contract_no"], "pk", sorted(ids)))


def _write_matches(actor: Any, stored: list[Stored]) -> None:
    if not stored:
        return
    contract_nos = _contract_nos({cid for s in stored for cid, _ in s.proposal.candidates})
    before = last_pk(Match)
    as_json = json_adapter()
    insert_rows(Match, ["transaction", "status", "exception_kind", "confidence", "contract", "reasons", "candidates"],
                ((s.txn.pk, s.status, s.exception_kind, s.confidence, s.proposal.contract_id, as_json(s.reasons),
                  as_json([{"contract_id": cid, "contract_no": contract_nos.get(cid, ""), "confidence": conf}
                           for cid, conf in s.proposal.candidates])) for s in stored),
                fill_defaults=True)
    ids = {txn: pk for txn, pk, status in rows_after(Match, ["transaction", "pk", "status"], before)
           if status in LIVE_STATUSES}
    for s in stored:
        s.match_id = ids[s.txn.pk]
    insert_rows(MatchLine, ["match", "receivable", "amount", "ledger_entry"],
                ((s.match_id, rid, amount, entry) for s in stored for rid, amount, entry in s.lines))
    object_type = Match._meta.label_lower
    record_many(actor, ((f"match.{s.status}", object_type, s.match_id, {
        "transaction": s.txn.reference, "amount": str(s.txn.amount), "exception": s.exception_kind,
        "confidence": str(s.confidence), "lines": {str(rid): str(amount) for rid, amount, _ in s.lines}})
        for s in stored))

