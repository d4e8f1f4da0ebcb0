"""The matching engine: bank transactions × open receivables → proposals with confidence and reasons.

Candidates come only from dictionary lookups (contract number, unit, payer account, name, pinyin,
one-typo name keys, learnt relatives, amount), never from a scan over all items. Each candidate
contract gets log-odds evidence; the confidence is its share against the other candidates and a
"none of these" prior. Money inside the engine is integer cents; Decimals come in and go out.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from .model import LOAN_KINDS, BankTxn, DisbursementRow, MatchProposal, OpenItem
from .normalize import (
    bank_key,
    contract_key,
    contract_keys_in,
    is_latin,
    latin_variants,
    looks_like_bank,
    masked_keys,
    name_key,
    pinyin_of,
    unit_keys_in,
)

# log-odds evidence weights
W = {
    "contract_no": 9.0, "unit_full": 5.0, "unit": 3.5, "account": 7.0,
    "name": 6.0, "relative": 5.5, "pinyin": 4.5, "homophone": 3.0, "similar_name": 2.5,
    "exact": 4.0, "sum": 3.5, "over_small": 1.5, "partial": 0.8, "fifo": 0.3, "overpaid": -1.0,
    "due_near": 1.0, "due_month": 0.4,
}
NAME_FAMILY = ("name", "relative", "pinyin", "homophone", "similar_name")
S_NONE = 6.0
MAX_BUCKET = 60
AMOUNT_BUCKET = 25
DUP_DAYS = 3
MAX_FIT = W["exact"] + W["due_near"]
MAX_PLANNED = 12


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class _Contract:
    __slots__ = ("id", "no", "items", "names", "sorted")

    def __init__(self, item: OpenItem):
        self.id = item.contract_id
        self.no = item.contract_no
        self.items: list[OpenItem] = []
        self.names = list(item.party_names)
        self.sorted = True


class _Plan:
    __slots__ = ("allocs", "kind", "weight", "exception", "reason", "due")

    def __init__(self, allocs, kind, weight, exception=None, reason="", due=None):
        self.allocs: list[tuple[OpenItem, int]] = allocs
        self.kind = kind
        self.weight = weight
        self.exception = exception
        self.reason = reason
        self.due: date | None = due


class Matcher:
    """Index open items once; then match any number of transactions against them.

    ``remaining`` (cents per receivable) is tracked across the proposals of one run, so no
    transaction allocates more than it holds and no receivable receives more than it owes.
    """

    def __init__(self, items: Iterable[OpenItem], high: float = 0.9, medium: float = 0.6,
                 batch_window_days: int = 7, batch_max_items: int = 5):
        self.high = high
        self.medium = medium
        self.batch_window_days = batch_window_days
        self.batch_max_items = batch_max_items
        self.remaining: dict = {}
        self.original: dict = {}
        self.contracts: dict = {}
        self.by_contract_no: dict[str, list[_Contract]] = {}
        self.by_unit: dict[str, list[_Contract]] = {}
        self.by_name: dict[str, list[_Contract]] = {}
        self.by_pinyin: dict[str, list[_Contract]] = {}
        self.by_masked: dict[str, list[_Contract]] = {}
        self.by_relative: dict[str, list[_Contract]] = {}
        self.by_account: dict[str, list[_Contract]] = {}
        self.by_amount: dict[int, list[OpenItem]] = {}
        self._loans: dict[str, list[OpenItem]] = {}
        self._loan_days: dict[str, list[int]] = {}
        self._recent: dict[tuple[str, int], tuple[int, list]] = {}
        with _no_gc():  # millions of small containers: the cyclic GC would rescan them over and over
            for item in items:
                self._add(item)
            for bank, loans in self._loans.items():
                loans.sort(key=lambda it: it.due_date)
                self._loan_days[bank] = [it.due_date.toordinal() for it in loans]

    # ---- indexing -------------------------------------------------------------------------
    def _add(self, item: OpenItem) -> None:
        c = self.contracts.get(item.contract_id)
        if c is None:
            c = self.contracts[item.contract_id] = _Contract(item)
            self._index_contract(c, item)
        elif c.items and item.due_date < c.items[-1].due_date:
            c.sorted = False
        c.items.append(item)
        cents = _cents(item.outstanding)
        self.remaining[item.receivable_id] = cents
        self.original[item.receivable_id] = (
            _cents(item.original_amount) if item.original_amount is not None else cents
        )
        if cents > 0:
            self.by_amount.setdefault(cents, []).append(item)
        if item.kind in LOAN_KINDS and item.bank:
            self._loans.setdefault(bank_key(item.bank), []).append(item)

    def _index_contract(self, c: _Contract, item: OpenItem) -> None:
        key = contract_key(item.contract_no)
        if key:
            self.by_contract_no.setdefault(key, []).append(c)
        for label in item.unit_labels:
            for ukey, _full in unit_keys_in(label):
                bucket = self.by_unit.setdefault(ukey, [])
                if not bucket or bucket[-1] is not c:
                    bucket.append(c)
        for name in item.party_names:
            nk = name_key(name)
            if not nk:
                continue
            self.by_name.setdefault(nk, []).append(c)
            self.by_pinyin.setdefault(pinyin_of(nk), []).append(c)
            for mk in masked_keys(nk):
                self.by_masked.setdefault(mk, []).append(c)
        for name in item.known_payer_names:
            nk = name_key(name)
            if nk:
                self.by_relative.setdefault(nk, []).append(c)
        for acct in item.known_payer_accounts:
            a = _account_key(acct)
            if a:
                self.by_account.setdefault(a, []).append(c)

    # ---- matching -------------------------------------------------------------------------
    def match(self, txns: Iterable[BankTxn]) -> list[MatchProposal]:
        """Proposals for the transactions, processed in date order (so split payments add up)."""
        ordered = sorted(txns, key=lambda t: (t.date, t.key))
        with _no_gc():
            return [self.match_one(t) for t in ordered]

    def match_one(self, txn: BankTxn) -> MatchProposal:
        cents = _cents(txn.amount)
        if cents <= 0:
            return MatchProposal(
                txn.key, [], 1.0 if cents < 0 else 0.0, "low",
                ["money out: a refund, reversal or fee, not a receipt"] if cents < 0 else ["zero amount"],
                "reversal" if cents < 0 else "unidentified",
            )
        evidence: dict[int, tuple[_Contract, dict[str, tuple[float, str]]]] = {}

        def add(c: _Contract, kind: str, reason: str) -> None:
            entry = evidence.get(id(c))
            if entry is None:
                entry = evidence[id(c)] = (c, {})
            family = "name" if kind in NAME_FAMILY else "unit" if kind.startswith("unit") else kind
            current = entry[1].get(family)
            if current is None or W[kind] > current[0]:
                entry[1][family] = (W[kind], reason)

        memo = txn.memo or ""
        for key in contract_keys_in(memo):
            for c in self.by_contract_no.get(key, ()):
                add(c, "contract_no", f"contract number {c.no} in the memo")
        for ukey, full in unit_keys_in(memo):
            bucket = self.by_unit.get(ukey, ())
            if len(bucket) <= MAX_BUCKET * 4:
                for c in bucket:
                    add(c, "unit_full" if full else "unit", f"unit {ukey} in the memo")
        acct = _account_key(txn.counterparty_account)
        if acct:
            for c in self.by_account.get(acct, ()):
                add(c, "account", "payer account already seen for this customer")
        payer = txn.counterparty or ""
        nk = name_key(payer)
        is_bank = bool(payer) and looks_like_bank(payer) and not self.by_name.get(nk)
        if nk and not is_bank:
            self._name_evidence(nk, payer, add)
        strong = any(("contract_no" in ev or "unit" in ev or "account" in ev) for _, ev in evidence.values())
        if is_bank and not strong:
            batch = self.propose_batch(txn)
            if batch is not None:
                return batch
        if not evidence:
            bucket = self.by_amount.get(cents, ())
            if 0 < len(bucket) <= AMOUNT_BUCKET:
                for item in bucket:
                    c = self.contracts[item.contract_id]
                    evidence.setdefault(id(c), (c, {}))
                    if nk:
                        self._fuzzy_name(c, nk, add)
        if not evidence:
            return MatchProposal(txn.key, [], 0.0, "low", ["no contract, unit, account or name found"],
                                 "unidentified")
        return self._decide(txn, cents, payer, nk, list(evidence.values()))

    def _name_evidence(self, nk: str, payer: str, add) -> None:
        if is_latin(nk):
            for variant in latin_variants(payer):
                for c in self.by_pinyin.get(variant, ()):
                    add(c, "pinyin", f"payer {payer} is the pinyin of a contract party")
            return
        exact = self.by_name.get(nk, ())
        for c in exact if len(exact) <= MAX_BUCKET * 4 else ():
            add(c, "name", f"payer name {payer} is a contract party")
        relatives = self.by_relative.get(nk, ())
        for c in relatives:
            add(c, "relative", f"payer {payer} is a learnt relative/agent of the customer")
        if not exact and not relatives:
            py = pinyin_of(nk)
            bucket = self.by_pinyin.get(py, ())
            if len(bucket) <= MAX_BUCKET:
                for c in bucket:
                    add(c, "homophone", f"payer {payer} sounds like a contract party ({py})")
            for mk in masked_keys(nk):
                bucket = self.by_masked.get(mk, ())
                if len(bucket) <= MAX_BUCKET:
                    for c in bucket:
                        add(c, "similar_name", f"payer {payer} differs by one character from a contract party")

    def _fuzzy_name(self, c: _Contract, nk: str, add) -> None:
        from rapidfuzz import fuzz

        py = pinyin_of(nk)
        for name in c.names:
            other = name_key(name)
            score = max(fuzz.ratio(nk, other), fuzz.ratio(py, pinyin_of(other)))
            if score >= 80:
                add(c, "similar_name", f"payer name close to contract party {name} ({score:.0f}%)")
                return

    def _decide(self, txn: BankTxn, cents: int, payer: str, nk: str, cands) -> MatchProposal:
        day = txn.date.toordinal()
        ident = sorted(((sum(w for w, _ in ev.values()), c, ev) for c, ev in cands), key=lambda x: -x[0])
        cutoff = ident[0][0] - MAX_FIT
        scored = []
        bounds = []  # candidates not worth planning: counted at their best possible score
        for s_id, c, ev in ident:
            if s_id < cutoff or len(scored) >= MAX_PLANNED:
                bounds.append(s_id + MAX_FIT)
                continue
            plan = self._plan(c, cents, day)
            s = s_id + plan.weight
            if plan.due is not None:
                gap = abs(plan.due.toordinal() - day)
                s += W["due_near"] if gap <= 10 else W["due_month"] if gap <= 45 else 0.0
            scored.append((s, c, ev, plan))
        scored.sort(key=lambda x: -x[0])
        top = scored[0][0]
        denom = math.exp(S_NONE - top) + sum(math.exp(s - top) for s, *_ in scored)
        denom += sum(math.exp(b - top) for b in bounds)
        conf = 1.0 / denom
        s, c, ev, plan = scored[0]
        reasons = [r for _, r in sorted(ev.values(), key=lambda x: -x[0])]
        if plan.reason:
            reasons.append(plan.reason)
        if len(scored) > 1:
            reasons.append(f"{len(scored) - 1} other candidate contract(s)")
        candidates = [(x[1].id, round(math.exp(x[0] - top) / denom, 4)) for x in scored[:5]]
        exception = plan.exception
        # the same payer paying the same amount again within days, when it completes nothing
        payer_key = _account_key(txn.counterparty_account) or nk
        dup_key = (payer_key, cents)
        prior = self._recent.get(dup_key) if payer_key else None
        if prior and day - prior[0] <= DUP_DAYS and not self._legit_repeat(plan, day):
            exception = "duplicate_payment"
            plan = _Plan([], "duplicate", 0.0, "duplicate_payment")
            reasons.append("the same payer paid the same amount within the last days")
        level = "high" if conf >= self.high else "medium" if conf >= self.medium else "low"
        if level == "high" and (exception or plan.kind not in ("exact", "sum", "batch")):
            level = "medium"
        if level == "low" or not plan.allocs:
            if level == "low" and exception is None:
                exception = "unidentified"
            allocations: list = []
        else:
            allocations = []
            for item, amt in plan.allocs:
                self.remaining[item.receivable_id] -= amt
                allocations.append((item.receivable_id, _dec(amt)))
        if allocations and payer_key:
            self._recent[dup_key] = (day, allocations)
        return MatchProposal(txn.key, allocations, round(conf, 4), level, reasons, exception, c.id, candidates)

    def _legit_repeat(self, plan: _Plan, day: int) -> bool:
        if plan.kind not in ("exact", "sum"):
            return False
        item, _ = plan.allocs[0]
        if self.remaining[item.receivable_id] < self.original[item.receivable_id]:
            return True  # completes a partly paid receivable (a split payment)
        return abs(item.due_date.toordinal() - day) <= 20

    def _plan(self, c: _Contract, cents: int, day: int) -> _Plan:
        if not c.sorted:
            c.items.sort(key=lambda it: it.due_date)
            c.sorted = True
        rem = self.remaining
        open_items = [it for it in c.items if rem[it.receivable_id] > 0]
        if not open_items:
            if any(self.original[it.receivable_id] == cents for it in c.items):
                return _Plan([], "duplicate", 2.0, "duplicate_payment", "the receivable is already paid")
            return _Plan([], "paid", 0.0, "overpayment", "the contract has nothing outstanding")
        exact = [it for it in open_items if rem[it.receivable_id] == cents]
        if exact:
            best = min(exact, key=lambda it: (rem[it.receivable_id] == self.original[it.receivable_id],
                                               abs(it.due_date.toordinal() - day)))
            return _Plan([(best, cents)], "exact", W["exact"], None,
                         f"amount equals {best.kind} due {best.due_date}", best.due_date)
        # 1:N — the sum of consecutive (due order) or of any 2–3 open items of the contract
        total = 0
        for j, it in enumerate(open_items):
            total += rem[it.receivable_id]
            if total == cents and j >= 1:
                allocs = [(x, rem[x.receivable_id]) for x in open_items[: j + 1]]
                return _Plan(allocs, "sum", W["sum"], None,
                             f"amount equals the sum of {j + 1} receivables of the contract", it.due_date)
            if total > cents:
                break
        if 3 <= len(open_items) <= 12 and cents < total + sum(rem[it.receivable_id] for it in open_items[j + 1:]):
            combo = _small_subset([rem[it.receivable_id] for it in open_items], cents, 3)
            if combo:
                allocs = [(open_items[i], rem[open_items[i].receivable_id]) for i in combo]
                return _Plan(allocs, "sum", W["sum"] - 0.5, None,
                             f"amount equals the sum of {len(combo)} receivables of the contract",
                             open_items[combo[0]].due_date)
        if any(self.original[it.receivable_id] == cents and rem[it.receivable_id] == 0 for it in c.items):
            return _Plan([], "duplicate", 2.0, "duplicate_payment",
                         "a receivable of this amount is already paid")
        open_total = sum(rem[it.receivable_id] for it in open_items)
        # over-payment of one receivable by a small margin
        over = [it for it in open_items if rem[it.receivable_id] < cents <= rem[it.receivable_id] +
                max(rem[it.receivable_id] // 20, 200_00)]
        if over:
            it = min(over, key=lambda x: (cents - rem[x.receivable_id], abs(x.due_date.toordinal() - day)))
            r = rem[it.receivable_id]
            return _Plan([(it, r)], "over", W["over_small"], "overpayment",
                         f"overpayment of {_dec(cents - r)} on {it.kind} due {it.due_date}", it.due_date)
        # partial payment (or the first part of a split one)
        under = [it for it in open_items if rem[it.receivable_id] > cents]
        if under:
            it = max(under, key=lambda x: (rem[x.receivable_id] < self.original[x.receivable_id],
                                           cents / rem[x.receivable_id] - abs(x.due_date.toordinal() - day) / 3650))
            ratio = cents / rem[it.receivable_id]
            if ratio >= 0.3 or cents < open_items[0].outstanding:
                return _Plan([(it, cents)], "partial", W["partial"] if ratio >= 0.3 else 0.0, "underpayment",
                             f"partial payment: {_dec(cents)} of {_dec(rem[it.receivable_id])} outstanding on "
                             f"{it.kind} due {it.due_date}", it.due_date)
        if cents > open_total:
            allocs = [(it, rem[it.receivable_id]) for it in open_items]
            return _Plan(allocs, "overpaid", W["overpaid"], "overpayment",
                         f"pays {_dec(cents - open_total)} more than the contract owes", open_items[0].due_date)
        allocs = []
        left = cents
        for it in open_items:
            take = min(left, rem[it.receivable_id])
            allocs.append((it, take))
            left -= take
            if left == 0:
                break
        return _Plan(allocs, "fifo", W["fifo"], None, "allocated to the oldest receivables first",
                     open_items[0].due_date)

    # ---- batch mortgage disbursements ------------------------------------------------------
    def propose_batch(self, txn: BankTxn, loan_items: list[OpenItem] | None = None) -> MatchProposal | None:
        """One transfer from a lender covering several buyers: the subset of that bank's open loan
        receivables (due near the transfer date) whose outstanding amounts sum exactly to it."""
        cents = _cents(txn.amount)
        day = txn.date.toordinal()
        if loan_items is None:
            bank = bank_key(txn.counterparty)
            loans = self._loans.get(bank)
            if not loans:
                return None
            days = self._loan_days[bank]
            lo = bisect_left(days, day - self.batch_window_days)
            hi = bisect_right(days, day + self.batch_window_days)
            pool = loans[lo:hi]
        else:
            pool = [it for it in loan_items if abs(it.due_date.toordinal() - day) <= self.batch_window_days]
        pool = [it for it in pool if 0 < self.remaining.get(it.receivable_id, 0) <= cents]
        pool.sort(key=lambda it: abs(it.due_date.toordinal() - day))
        pool = pool[:40]
        values = [self.remaining[it.receivable_id] for it in pool]
        solutions = subset_sums(values, cents, self.batch_max_items, limit=3)
        if not solutions:
            return MatchProposal(txn.key, [], 0.0, "low",
                                 [f"transfer from {txn.counterparty}: no set of its open loan receivables sums to "
                                  f"{txn.amount}"], "unidentified")
        chosen = [pool[i] for i in solutions[0]]
        if len(solutions) == 1:
            conf = 0.97 if len(chosen) > 1 else 0.93
            reasons = [f"{len(chosen)} open loan receivable(s) of {txn.counterparty} sum exactly to the transfer"]
        else:
            conf = 0.65 if len(solutions) == 2 else 0.4
            reasons = [f"{len(solutions)}+ sets of open loan receivables sum to the transfer: ambiguous"]
        level = "high" if conf >= self.high else "medium" if conf >= self.medium else "low"
        if level == "low":
            return MatchProposal(txn.key, [], conf, level, reasons, "unidentified")
        allocations = []
        for it in chosen:
            amt = self.remaining[it.receivable_id]
            self.remaining[it.receivable_id] = 0
            allocations.append((it.receivable_id, _dec(amt)))
        return MatchProposal(txn.key, allocations, conf, level, reasons + ["batch mortgage disbursement"], None,
                             chosen[0].contract_id)

    def match_disbursement_list(self, txn: BankTxn, rows: Iterable[DisbursementRow]) -> MatchProposal:
        """Allocate one disbursement transfer over the rows of the bank's list (contract no / buyer / amount)."""
        cents = _cents(txn.amount)
        allocations = []
        reasons = []
        problems = []
        listed = 0
        for n, row in enumerate(rows, start=1):
            amt = _cents(row.amount)
            listed += amt
            contracts = list(self.by_contract_no.get(contract_key(row.contract_no), ())) if row.contract_no else []
            if not contracts and row.buyer_name:
                contracts = list(self.by_name.get(name_key(row.buyer_name), ()))
            loans = [it for c in contracts for it in c.items
                     if it.kind in LOAN_KINDS and self.remaining[it.receivable_id] > 0]
            fit = [it for it in loans if self.remaining[it.receivable_id] == amt]
            item = fit[0] if len(fit) == 1 else (loans[0] if len(loans) == 1 else None)
            if item is None:
                problems.append(f"row {n} ({row.contract_no or row.buyer_name} {row.amount}): "
                                f"{'no' if not loans else 'several'} open loan receivable(s) found")
                continue
            take = min(amt, self.remaining[item.receivable_id])
            if take != amt:
                problems.append(f"row {n}: lists {row.amount} but {_dec(take)} is outstanding")
            allocations.append((item, take))
            reasons.append(f"row {n}: {item.contract_no} {row.buyer_name} {_dec(take)}")
        exception = None
        if listed != cents:
            problems.append(f"the list totals {_dec(listed)} but the transfer is {txn.amount}")
            exception = "underpayment" if cents < listed else "overpayment"
        total = 0
        kept = []
        for item, amt in allocations:
            amt = min(amt, cents - total)
            if amt <= 0:
                break
            total += amt
            kept.append((item, amt))
        for item, amt in kept:
            self.remaining[item.receivable_id] -= amt
        conf = 0.98 if not problems else 0.7
        level = "high" if conf >= self.high else "medium" if conf >= self.medium else "low"
        return MatchProposal(txn.key, [(it.receivable_id, _dec(a)) for it, a in kept], conf, level,
                             reasons + problems, exception, kept[0][0].contract_id if kept else None)


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _account_key(account: str) -> str:
    return "".join(ch for ch in (account or "") if ch.isalnum()).upper()


def _small_subset(values: list[int], target: int, kmax: int) -> list[int] | None:
    sols = subset_sums(values, target, kmax, limit=1, kmin=2)
    return list(sols[0]) if sols else None


def subset_sums(values: list[int], target: int, kmax: int = 5, limit: int = 3, kmin: int = 1) -> list[tuple]:
    """Index tuples (ascending) of up to ``kmax`` values summing exactly to ``target``; at most
    ``limit`` of them. Meet in the middle: singles, pair and triple sums in dictionaries, so the cost
    is O(n²)–O(n³) for n ≤ 40 instead of 2ⁿ."""
    n = len(values)
    sols: list[tuple] = []
    if kmin <= 1:
        sols += [(i,) for i, v in enumerate(values) if v == target]
    if kmax < 2 or len(sols) >= limit:
        return sols[:limit]
    pairs: dict[int, list[tuple[int, int]]] = {}
    for i in range(n):
        vi = values[i]
        for j in range(i + 1, n):
            pairs.setdefault(vi + values[j], []).append((i, j))
    sols += pairs.get(target, [])
    if kmax >= 3 and len(sols) < limit:
        for i, v in enumerate(values):
            for a, b in pairs.get(target - v, ()):
                if i < a:
                    sols.append((i, a, b))
    if kmax >= 4 and len(sols) < limit:
        for s, plist in pairs.items():
            other = pairs.get(target - s)
            if not other:
                continue
            for a, b in plist:
                for c, d in other:
                    if b < c:
                        sols.append((a, b, c, d))
            if len(sols) >= limit:
                break
    if kmax >= 5 and len(sols) < limit and n <= 40:
        for i, v in enumerate(values):
            rest = target - v
            for s, plist in pairs.items():
                other = pairs.get(rest - s)
                if not other:
                    continue
                for a, b in plist:
                    if a <= i:
                        continue
                    for c, d in other:
                        if b < c:
                            sols.append((i, a, b, c, d))
            if len(sols) >= limit:
                break
    return sols[:limit]


def match_transactions(txns: Iterable[BankTxn], items: Iterable[OpenItem], **options) -> list[MatchProposal]:
    return Matcher(items, **options).match(txns)


def propose_batch(txn: BankTxn, open_loan_items: list[OpenItem], **options) -> MatchProposal | None:
    return Matcher(open_loan_items, **options).propose_batch(txn, open_loan_items)


def match_disbursement_list(txn: BankTxn, list_rows: Iterable[DisbursementRow],
                            open_items: Iterable[OpenItem], **options) -> MatchProposal:
    return Matcher(open_items, **options).match_disbursement_list(txn, list_rows)
