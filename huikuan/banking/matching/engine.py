"""The matching engine: bank transactions × open receivables → proposals with confidence and reasons.

Candidates come only from dictionary lookups (contract number, unit, payer account, name, pinyin,
one-typo name keys, learnt relatives, amount), never from a scan over all items. Each candidate
contract gets log-odds evidence; the confidence is its share against the other candidates and a
"none of these" prior. Money inside the engine is integer cents; Decimals come in and go out.

Indexing is per contract, not per item (a contract's names, units, accounts are read once), and
names are normalised once per distinct name. The pinyin and one-typo indexes are built in bulk over
the distinct name keys, lazily (only a run that needs them pays for them). The amount index is a
sorted numpy array, not a million small lists.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

import numpy as np

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
    "name": 6.0, "relative": 5.5, "pinyin": 4.5, "homophone": 3.0, "similar_name": 2.5, "fuzzy_name": 2.0,
    # the same, when the payer's name is itself a known party name: a typo is then much less likely
    "homophone_alt": 0.0, "similar_alt": -0.5,
    "exact": 4.0, "sum": 3.5, "over_small": 1.5, "partial": 0.8, "fifo": 0.3, "overpaid": -1.0,
    "due_near": 1.0, "due_month": 0.4, "due_late": -0.8, "due_far": -2.0,
}
NAME_FAMILY = ("name", "relative", "pinyin", "homophone", "similar_name", "fuzzy_name", "homophone_alt", "similar_alt")
FUZZY_WITH_EXACT = False  # True: homophones/typos compete even with an exact name (costs recall)
S_NONE = 6.0
MAX_BUCKET = 60
AMOUNT_BUCKET = 50
DUP_DAYS = 3
MAX_FIT = W["exact"] + W["due_near"]
MAX_PLANNED = 6
# an exact amount is weaker evidence when many open items share it (standard deposits: 20,000 / 50,000):
# the weight falls by RARITY_SLOPE per e-fold of items with that amount, down to EXACT_MIN
RARITY_SLOPE = 0.0  # > 0 lowers the score itself; measured: costs recall, the auto gate below suffices
EXACT_MIN = 1.5
STRONG = ("contract_no", "unit", "account")  # identity evidence families that do not depend on the name
COMMON_AMOUNT = 20  # more open items than this with one amount: that amount does not identify anyone
N1_DAYS = 15  # N:1 — payments of one payer summed to one receivable within this many days
N1_MAX_PARTS = 4
N1_NEAR_DAYS, N1_CLEAR_DAYS = 10, 30  # ties broken only by a due date this near and this much nearer than the next
N1_CONFIDENCE = 0.8  # a suggestion: never auto-confirmed
BATCH_TAU = 3.0  # days: likelihood of a disbursement falls by e per BATCH_TAU days of |due − transfer| gap
BATCH_STAGES = (2, 4)  # days: the due-date windows searched before the full batch_window_days
BATCH_NEAR_ONLY = 0.75  # confidence of a set that is unique only among the loans due nearest (a suggestion)
BATCH_POOL = (200, 200, 200, 40)  # pool sizes searched for subsets of 2, 3, 4, 5 items (nearest due first)


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@lru_cache(maxsize=65536)
def _unit_index_keys(label: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k, _full in unit_keys_in(label)))


class _Contract:
    __slots__ = ("id", "no", "items", "names", "sorted", "keys")

    def __init__(self, item: OpenItem):
        self.id = item.contract_id
        self.no = item.contract_no
        self.items: list[OpenItem] = []
        self.names = list(item.party_names)
        self.sorted = True
        self.keys: tuple[str, ...] = ()


class _Plan:
    __slots__ = ("allocs", "kind", "weight", "exception", "reason", "due")

    def __init__(self, allocs: list[tuple[OpenItem, int]], kind: str, weight: float,
                 exception: str | None = None, reason: str = "", due: date | None = None):
        self.allocs = allocs
        self.kind = kind
        self.weight = weight
        self.exception = exception
        self.reason = reason
        self.due = due


Evidence = dict[str, tuple[float, str]]
AddFn = Callable[[_Contract, str, str], None]


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
        self.original: dict = {}  # receivable id → original cents, where it differs from the outstanding
        self.contracts: dict = {}
        self.by_contract_no: dict[str, list[_Contract]] = {}
        self.by_unit: dict[str, list[_Contract]] = {}
        self.by_name: dict[str, list[_Contract]] = {}
        self.by_relative: dict[str, list[_Contract]] = {}
        self.by_account: dict[str, list[_Contract]] = {}
        self._by_pinyin: dict[str, list[str]] | None = None  # pinyin → distinct name keys (lazy)
        self._by_masked: dict[str, list[str]] | None = None  # one-typo key → distinct name keys (lazy)
        self._name_keys: dict[str, str] = {}
        self._loans: dict[str, list[OpenItem]] = {}
        self._loan_days: dict[str, list[int]] = {}
        self._recent: dict[tuple[str, int], tuple[int, list]] = {}
        self._partials: dict[str, list[tuple[int, OpenItem]]] = {}  # payer → receivables it part-paid (N:1)
        self._last_candidates: list[_Contract] = []
        self._items: list[OpenItem] = []
        with _no_gc():  # millions of small containers: the cyclic GC would rescan them over and over
            amounts = self._index(items)
            for bank, loans in self._loans.items():
                loans.sort(key=lambda it: it.due_date)
                self._loan_days[bank] = [it.due_date.toordinal() for it in loans]
        arr = np.fromiter(amounts, dtype=np.int64, count=len(amounts))
        self._amt_order = np.argsort(arr, kind="stable")
        self._amt_sorted = arr[self._amt_order]

    # ---- indexing -------------------------------------------------------------------------
    def _index(self, items: Iterable[OpenItem]) -> list[int]:
        contracts = self.contracts
        remaining = self.remaining
        original = self.original
        all_items = self._items
        amounts: list[int] = []
        loans = self._loans
        bank_keys: dict[str, str] = {}
        for item in items:
            c = contracts.get(item.contract_id)
            if c is None:
                c = contracts[item.contract_id] = _Contract(item)
                self._index_contract(c, item)
            elif item.due_date < c.items[-1].due_date:
                c.sorted = False
            c.items.append(item)
            cents = _cents(item.outstanding)
            remaining[item.receivable_id] = cents
            if item.original_amount is not None:
                original[item.receivable_id] = _cents(item.original_amount)
            all_items.append(item)
            amounts.append(cents)
            if item.bank and item.kind in LOAN_KINDS:
                bk = bank_keys.get(item.bank)
                if bk is None:
                    bk = bank_keys[item.bank] = bank_key(item.bank)
                loans.setdefault(bk, []).append(item)
        return amounts

    def _nk(self, name: str) -> str:
        nk = self._name_keys.get(name)
        if nk is None:
            nk = self._name_keys[name] = name_key(name)
        return nk

    def _index_contract(self, c: _Contract, item: OpenItem) -> None:
        key = contract_key(item.contract_no)
        if key:
            self.by_contract_no.setdefault(key, []).append(c)
        for label in item.unit_labels:
            for ukey in _unit_index_keys(label):
                bucket = self.by_unit.setdefault(ukey, [])
                if not bucket or bucket[-1] is not c:
                    bucket.append(c)
        keys = []
        for name in item.party_names:
            nk = self._nk(name)
            if nk:
                self.by_name.setdefault(nk, []).append(c)
                keys.append(nk)
        c.keys = tuple(keys)
        for name in item.known_payer_names:
            nk = self._nk(name)
            if nk:
                self.by_relative.setdefault(nk, []).append(c)
        for acct in item.known_payer_accounts:
            a = _account_key(acct)
            if a:
                self.by_account.setdefault(a, []).append(c)

    def _fuzzy_indexes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Pinyin and one-typo keys of every distinct party name, built once, in bulk, on first use."""
        if self._by_pinyin is None or self._by_masked is None:
            by_pinyin: dict[str, list[str]] = {}
            by_masked: dict[str, list[str]] = {}
            with _no_gc():
                for nk in self.by_name:
                    by_pinyin.setdefault(pinyin_of(nk), []).append(nk)
                    for mk in masked_keys(nk):
                        by_masked.setdefault(mk, []).append(nk)
            self._by_pinyin, self._by_masked = by_pinyin, by_masked
        return self._by_pinyin, self._by_masked

    @property
    def by_pinyin(self) -> dict[str, list[str]]:
        return self._fuzzy_indexes()[0]

    @property
    def by_masked(self) -> dict[str, list[str]]:
        return self._fuzzy_indexes()[1]

    def _contracts_of(self, name_keys: Iterable[str], limit: int) -> list[_Contract]:
        out: list[_Contract] = []
        for nk in name_keys:
            out.extend(self.by_name.get(nk, ()))
            if len(out) > limit:
                return []
        return out

    def _amount_range(self, cents: int) -> tuple[int, int]:
        lo, hi = np.searchsorted(self._amt_sorted, (cents, cents + 1))
        return int(lo), int(hi)

    def items_with_amount(self, cents: int) -> list[OpenItem]:
        """Open items whose outstanding amount at indexing time was exactly ``cents``."""
        lo, hi = self._amount_range(cents)
        return [self._items[i] for i in self._amt_order[lo:hi].tolist()]

    def amount_count(self, cents: int) -> int:
        lo, hi = self._amount_range(cents)
        return hi - lo

    @property
    def by_amount(self) -> Mapping[int, list[OpenItem]]:
        """Cents → open items of that amount at indexing time (read-only view kept for older callers)."""
        return _AmountView(self)

    def _original(self, item: OpenItem) -> int:
        cents = self.original.get(item.receivable_id)
        return _cents(item.outstanding) if cents is None else cents

    # ---- matching -------------------------------------------------------------------------
    def match(self, txns: Iterable[BankTxn]) -> list[MatchProposal]:
        """Proposals for the transactions, processed in date order (so split payments add up); then
        an N:1 pass sums the still unidentified payments of one payer to one receivable."""
        proposals: list[MatchProposal] = []
        deferred: list[tuple[int, BankTxn, list[_Contract]]] = []
        with _no_gc():
            ordered = sorted(txns, key=lambda t: (t.date, t.key))
            for t in ordered:
                p = self.match_one(t)
                if (p.level == "low" and not p.allocations and self._last_candidates
                        and p.exception in ("unidentified", "underpayment")):
                    deferred.append((len(proposals), t, self._last_candidates))
                proposals.append(p)
            if deferred:
                self._many_to_one(deferred, proposals)
        return proposals

    def match_one(self, txn: BankTxn) -> MatchProposal:
        self._last_candidates = []
        cents = _cents(txn.amount)
        if cents <= 0:
            return MatchProposal(
                txn.key, [], 1.0 if cents < 0 else 0.0, "low",
                ["money out: a refund, reversal or fee, not a receipt"] if cents < 0 else ["zero amount"],
                "reversal" if cents < 0 else "unidentified",
            )
        evidence: dict[int, tuple[_Contract, Evidence]] = {}

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
        unit_full = False
        for ukey, full in unit_keys_in(memo):
            if unit_full and not full:
                continue  # 3栋1单元1202 found: its short form 3-1202 adds only other units' contracts
            unit_full = unit_full or (full and ukey in self.by_unit)
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
        name_hit = False
        if nk and not is_bank:
            name_hit = self._name_evidence(nk, payer, add)
        strong = any(("contract_no" in ev or "unit" in ev or "account" in ev) for _, ev in evidence.values())
        if is_bank and not strong:
            batch = self.propose_batch(txn)
            if batch is not None:
                return batch
        if not strong and not name_hit:
            # no reliable identity: the open items of exactly this amount, names compared on each
            self._amount_block(cents, nk, add, evidence)
        if not evidence:
            return MatchProposal(txn.key, [], 0.0, "low", ["no contract, unit, account or name found"],
                                 "unidentified")
        self._last_candidates = [c for c, _ in evidence.values()]
        return self._decide(txn, cents, nk, list(evidence.values()))

    def _name_evidence(self, nk: str, payer: str, add: AddFn) -> bool:
        """Name signals; True when the payer's name (or its pinyin, or a learnt relative) is known exactly."""
        by_pinyin, by_masked = self._fuzzy_indexes()
        if is_latin(nk):
            hit = False
            for variant in latin_variants(payer):
                for c in self._contracts_of(by_pinyin.get(variant, ()), MAX_BUCKET * 4):
                    add(c, "pinyin", f"payer {payer} is the pinyin of a contract party")
                    hit = True
            for c in self.by_name.get(nk, ()):  # a latin company or person name written the same way
                add(c, "name", f"payer name {payer} is a contract party")
                hit = True
            return hit
        exact = self.by_name.get(nk, ())
        for c in exact if len(exact) <= MAX_BUCKET * 4 else ():
            add(c, "name", f"payer name {payer} is a contract party")
        relatives = self.by_relative.get(nk, ())
        for c in relatives:
            add(c, "relative", f"payer {payer} is a learnt relative/agent of the customer")
        # homophones and one-character typos are looked up even when the name exists: a typo can turn
        # one customer's name into another's, and then both must compete on amount and date
        known = bool(exact) or bool(relatives)
        if known and not FUZZY_WITH_EXACT:
            return True
        sounds, similar = ("homophone_alt", "similar_alt") if known else ("homophone", "similar_name")
        py = pinyin_of(nk)
        for c in self._contracts_of((k for k in by_pinyin.get(py, ()) if k != nk), MAX_BUCKET):
            add(c, sounds, f"payer {payer} sounds like a contract party ({py})")
        for mk in masked_keys(nk):
            for c in self._contracts_of((k for k in by_masked.get(mk, ()) if k != nk), MAX_BUCKET):
                add(c, similar, f"payer {payer} differs by one character from a contract party")
        return known

    def _amount_block(self, cents: int, nk: str, add: AddFn, evidence: dict) -> None:
        """Blocked fuzzy retrieval: the open items of exactly this amount (at most AMOUNT_BUCKET of them),
        each contract's parties compared with the payer (rapidfuzz on characters and on pinyin)."""
        if self.amount_count(cents) > AMOUNT_BUCKET:
            return
        from rapidfuzz import fuzz

        py = pinyin_of(nk) if nk else ""
        for item in self.items_with_amount(cents):
            if self.remaining.get(item.receivable_id) != cents:
                continue
            c = self.contracts[item.contract_id]
            evidence.setdefault(id(c), (c, {}))
            if not nk:
                continue
            for other in c.keys:
                if len(other) == len(nk) and sum(a != b for a, b in zip(other, nk, strict=True)) == 1:
                    add(c, "similar_name", f"payer name differs by one character from contract party {other}")
                    break
                score = max(fuzz.ratio(nk, other), fuzz.ratio(py, pinyin_of(other)))
                if score >= 80:
                    add(c, "fuzzy_name", f"payer name close to contract party {other} ({score:.0f}%)")
                    break

    def _decide(self, txn: BankTxn, cents: int, nk: str, cands: list[tuple[_Contract, Evidence]]) -> MatchProposal:
        day = txn.date.toordinal()
        # every candidate gets a cheap upper bound of its score; the best MAX_PLANNED are planned for real,
        # the others count at their bound (so the confidence is never overstated)
        by_id = [(sum(w for w, _ in ev.values()), c, ev) for c, ev in cands]
        top_id = max(x[0] for x in by_id)
        bounds = []  # candidates not planned: counted at an upper bound of their score
        ident = []
        for s_id, c, ev in by_id:
            if s_id < top_id - MAX_FIT:  # cannot come near the best on identity alone: no need to look closer
                bounds.append(s_id + MAX_FIT)
            else:
                ident.append((s_id + self._fit_bound(c, cents, day), s_id, c, ev))
        ident.sort(key=lambda x: -x[0])
        cutoff = ident[0][0] - 12.0
        scored: list[tuple[float, _Contract, Evidence, _Plan]] = []
        for bound, s_id, c, ev in ident:
            if len(scored) >= MAX_PLANNED or bound < cutoff:
                bounds.append(bound)
                continue
            plan = self._plan(c, cents, day)
            s = s_id + plan.weight
            if plan.due is not None:
                s += _due_weight(abs(plan.due.toordinal() - day))
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
        if (level == "high" and plan.kind == "exact" and not any(f in ev for f in STRONG)
                and self.amount_count(cents) > COMMON_AMOUNT):
            # a name alone and an amount many open items share (a standard deposit): a typo or a namesake
            # would look the same, so a person confirms it
            level = "medium"
            reasons.append(f"not auto-confirmed: only the name identifies the payer and {self.amount_count(cents)} "
                           f"open receivables share this amount")
        allocations: list[tuple[str | int, Decimal]] = []
        if level == "low" or not plan.allocs:
            if level == "low" and exception is None:
                exception = "unidentified"
        else:
            for item, amt in plan.allocs:
                self.remaining[item.receivable_id] -= amt
                allocations.append((item.receivable_id, _dec(amt)))
        if allocations and payer_key:
            self._recent[dup_key] = (day, allocations)
        if allocations and plan.kind == "partial":
            group_key = _payer_key(txn.counterparty_account, nk)
            if group_key:
                self._partials.setdefault(group_key, []).append((day, plan.allocs[0][0]))
        return MatchProposal(txn.key, allocations, round(conf, 4), level, reasons, exception, c.id, candidates)

    def _fit_bound(self, c: _Contract, cents: int, day: int) -> float:
        """An upper bound of what planning the contract could add, cheaper than planning it: the exact
        receivables with their due-date weights, else the best plan kind the amounts allow at the due-date
        weight of the nearest open receivable."""
        rem = self.remaining
        best = -99.0
        rems = []
        gap = 1 << 30
        for it in c.items:
            r = rem[it.receivable_id]
            if r <= 0:
                continue
            g = abs(it.due_date.toordinal() - day)
            if r == cents:
                w = W["exact"] + _due_weight(g)
                if w > best:
                    best = w
            else:
                rems.append(r)
                if g < gap:
                    gap = g
        if best > -99.0:
            return best
        if not rems:
            return 2.0
        due = _due_weight(gap)
        rems.sort()
        if len(rems) >= 2 and rems[0] + rems[1] <= cents <= sum(rems):
            return W["sum"] + due
        if any(r < cents <= r + max(r // 20, 200_00) for r in rems):
            return W["over_small"] + due
        if rems[-1] > cents:
            return W["partial"] + due
        return max(W["fifo"], W["overpaid"]) + due

    def _legit_repeat(self, plan: _Plan, day: int) -> bool:
        if plan.kind not in ("exact", "sum"):
            return False
        item, _ = plan.allocs[0]
        if self.remaining[item.receivable_id] < self._original(item):
            return True  # completes a partly paid receivable (a split payment)
        return abs(item.due_date.toordinal() - day) <= 20

    def _exact_weight(self, item: OpenItem, cents: int) -> float:
        """An exact amount counts less when many open items share it (log of how many)."""
        if not RARITY_SLOPE:
            return W["exact"]
        n = self.amount_count(cents)
        if n <= 1:
            return W["exact"]
        return max(EXACT_MIN, W["exact"] - RARITY_SLOPE * math.log(n))

    def _plan(self, c: _Contract, cents: int, day: int) -> _Plan:  # noqa: C901 - one branch per plan kind
        if not c.sorted:
            c.items.sort(key=lambda it: it.due_date)
            c.sorted = True
        rem = self.remaining
        open_items = [it for it in c.items if rem[it.receivable_id] > 0]
        if not open_items:
            if any(self._original(it) == cents for it in c.items):
                return _Plan([], "duplicate", 2.0, "duplicate_payment", "the receivable is already paid")
            return _Plan([], "paid", 0.0, "overpayment", "the contract has nothing outstanding")
        exact = [it for it in open_items if rem[it.receivable_id] == cents]
        if exact:
            best = min(exact, key=lambda it: (rem[it.receivable_id] == self._original(it),
                                               abs(it.due_date.toordinal() - day)))
            return _Plan([(best, cents)], "exact", self._exact_weight(best, cents), None,
                         f"amount equals {best.kind} due {best.due_date}", best.due_date)
        # 1:N — the sum of consecutive (due order) or of any 2–3 open items of the contract
        total = 0
        j = 0
        for j, it in enumerate(open_items):
            total += rem[it.receivable_id]
            if total == cents and j >= 1:
                allocs = [(x, rem[x.receivable_id]) for x in open_items[: j + 1]]
                return _Plan(allocs, "sum", W["sum"], None,
                             f"amount equals the sum of {j + 1} receivables of the contract", it.due_date)
            if total > cents:
                break
        if 3 <= len(open_items) <= 12 and total > cents:
            combo = _small_subset([rem[it.receivable_id] for it in open_items], cents, 3)
            if combo:
                allocs = [(open_items[i], rem[open_items[i].receivable_id]) for i in combo]
                return _Plan(allocs, "sum", W["sum"] - 0.5, None,
                             f"amount equals the sum of {len(combo)} receivables of the contract",
                             open_items[combo[0]].due_date)
        if any(rem[it.receivable_id] == 0 and self._original(it) == cents for it in c.items):
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
            it = max(under, key=lambda x: (rem[x.receivable_id] < self._original(x),
                                           cents / rem[x.receivable_id] - abs(x.due_date.toordinal() - day) / 3650))
            ratio = cents / rem[it.receivable_id]
            if ratio >= 0.3 or cents < rem[open_items[0].receivable_id]:
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

    # ---- N:1 split payments ----------------------------------------------------------------
    def _many_to_one(self, deferred: list[tuple[int, BankTxn, list[_Contract]]],
                     proposals: list[MatchProposal]) -> None:
        """Unidentified payments of one payer (same account, else same name) within N1_DAYS whose sum is
        exactly what one receivable still owes — a receivable of a contract they point to, or one the same
        payer part-paid in the window: allocated part by part, as a suggestion (medium, never auto).
        Several fitting receivables: only the one clearly nearest its due date, else left alone."""
        if self.medium > N1_CONFIDENCE:
            return
        groups: dict[str, list[tuple[int, BankTxn, list[_Contract]]]] = {}
        for entry in deferred:
            key = _payer_key(entry[1].counterparty_account, name_key(entry[1].counterparty or ""))
            if key:
                groups.setdefault(key, []).append(entry)
        for key, group in groups.items():
            partials = self._partials.get(key, [])
            if len(group) < 2 and not partials:
                continue
            used: set[int] = set()
            for start, first in enumerate(group):
                if first[0] in used:
                    continue
                d0 = first[1].date.toordinal()
                window = [e for e in group[start + 1:]
                          if e[0] not in used and e[1].date.toordinal() - d0 <= N1_DAYS][: 2 * N1_MAX_PARTS]
                paid_before = [it for day, it in partials if abs(day - d0) <= N1_DAYS]
                fits = self._sum_fits(first, window, paid_before)
                if not fits:
                    continue
                if len(fits) > 1:
                    # several receivables fit the sum: take one only when its due date is clearly the nearest
                    def gap(fit: tuple) -> int:
                        return abs(fit[1].due_date.toordinal() - fit[0][-1][1].date.toordinal())

                    fits.sort(key=gap)
                    if id(fits[0][1]) == id(fits[1][1]) or gap(fits[0]) > N1_NEAR_DAYS or \
                            gap(fits[1]) < gap(fits[0]) + N1_CLEAR_DAYS:
                        continue
                parts, it, c = fits[0]
                n = len(parts)
                total = self.remaining[it.receivable_id]
                before = "" if total == self._original(it) else " (completing a receivable the payer part-paid)"
                for idx, t, _ in parts:
                    amt = _cents(t.amount)
                    self.remaining[it.receivable_id] -= amt
                    used.add(idx)
                    proposals[idx] = MatchProposal(
                        t.key, [(it.receivable_id, _dec(amt))], N1_CONFIDENCE, "medium",
                        [f"N:1 split payment: {n} payment(s) of the same payer within {N1_DAYS} days sum to "
                         f"{_dec(total)}, the outstanding {it.kind} due {it.due_date} of contract {c.no}{before}"],
                        None, c.id, [(c.id, N1_CONFIDENCE)])

    def _sum_fits(self, first: tuple, window: list, paid_before: list[OpenItem]) -> list[tuple]:
        """(parts, item, contract) where the parts (``first`` and up to N1_MAX_PARTS − 1 of ``window``) sum to
        what the item still owes; the fewest parts that fit anything."""
        fits: list[tuple] = []
        rem = self.remaining
        for k in range(0, min(N1_MAX_PARTS - 1, len(window)) + 1):
            for rest in combinations(window, k):
                parts = (first, *rest)
                total = sum(_cents(e[1].amount) for e in parts)
                seen: set[int] = set()
                for it in paid_before:
                    if rem[it.receivable_id] == total and id(it) not in seen:
                        seen.add(id(it))
                        fits.append((parts, it, self.contracts[it.contract_id]))
                if k == 0:
                    continue  # one payment alone fits only a receivable the same payer part-paid
                cands = {id(c): c for e in parts for c in e[2]}
                for c in cands.values():
                    for it in c.items:
                        if rem[it.receivable_id] == total and id(it) not in seen:
                            seen.add(id(it))
                            fits.append((parts, it, c))
            if fits:
                break
        return fits

    # ---- batch mortgage disbursements ------------------------------------------------------
    def propose_batch(self, txn: BankTxn, loan_items: list[OpenItem] | None = None) -> MatchProposal | None:
        """One transfer from a lender covering several buyers: the subset of that bank's open loan
        receivables (due within the window around the transfer date) whose amounts sum exactly to it.
        One subset → high; several → the one due nearest the transfer date, suggested (never auto)."""
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
        gaps = [abs(it.due_date.toordinal() - day) for it in pool]
        order_ = sorted(range(len(pool)), key=gaps.__getitem__)
        pool = [pool[i] for i in order_]
        gaps = [gaps[i] for i in order_]
        values = [self.remaining[it.receivable_id] for it in pool]
        # search the loans due nearest first, widening the window only when nothing sums up
        solutions: list[tuple] = []
        stage = self.batch_window_days
        for stage in sorted({*(d for d in BATCH_STAGES if d < self.batch_window_days), self.batch_window_days}):
            n = bisect_right(gaps, stage)
            solutions = _pooled_subsets(values[:n], cents, self.batch_max_items, limit=12)
            if solutions:
                break
        if not solutions:
            return MatchProposal(txn.key, [], 0.0, "low",
                                 [f"transfer from {txn.counterparty}: no set of its open loan receivables sums to "
                                  f"{txn.amount}"], "unidentified")
        candidates: list[tuple[str | int, float]] = []
        if len(solutions) == 1:
            chosen = [pool[i] for i in solutions[0]]
            wider = (_pooled_subsets(values, cents, self.batch_max_items, limit=2)
                     if stage < self.batch_window_days else solutions)
            if len(wider) == 1:
                conf = 0.97 if len(chosen) > 1 else 0.93
                reasons = [f"{len(chosen)} open loan receivable(s) of {txn.counterparty} sum exactly to the transfer"]
            else:
                conf = BATCH_NEAR_ONLY
                reasons = [f"{len(chosen)} open loan receivable(s) of {txn.counterparty} due within {stage} days sum "
                           f"exactly to the transfer; other sets due further away do too: suggested"]
        else:
            # several exact subsets: weigh each by how near its items fall due to the transfer date
            def gap(sol: tuple) -> float:
                return sum(gaps[i] for i in sol) / len(sol)

            weights = [math.exp(-gap(sol) / BATCH_TAU) for sol in solutions]
            order = sorted(range(len(solutions)), key=lambda k: -weights[k])
            share = weights[order[0]] / sum(weights)
            chosen = [pool[i] for i in solutions[order[0]]]
            conf = min(BATCH_NEAR_ONLY, share)
            more = "+" if len(solutions) >= 12 else ""
            reasons = [f"{len(solutions)}{more} sets of open loan receivables of {txn.counterparty} due within {stage} "
                       f"days sum to the transfer: ambiguous, the set due nearest the transfer date is suggested"]
            candidates = [(pool[solutions[k][0]].contract_id, round(weights[k] / sum(weights), 4)) for k in order[:5]]
        level = "high" if conf >= self.high else "medium" if conf >= self.medium else "low"
        if len(solutions) > 1 and level == "high":
            level = "medium"
        if level == "low":
            return MatchProposal(txn.key, [], round(conf, 4), level, reasons, "unidentified", None, candidates)
        allocations = []
        for it in chosen:
            amt = self.remaining[it.receivable_id]
            self.remaining[it.receivable_id] = 0
            allocations.append((it.receivable_id, _dec(amt)))
        return MatchProposal(txn.key, allocations, round(conf, 4), level, reasons + ["batch mortgage disbursement"],
                             None, chosen[0].contract_id, candidates)

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


class _AmountView(Mapping):
    def __init__(self, matcher: Matcher):
        self._m = matcher

    def __getitem__(self, cents: int) -> list[OpenItem]:
        found = self._m.items_with_amount(cents)
        if not found:
            raise KeyError(cents)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(np.unique(self._m._amt_sorted).tolist())

    def __len__(self) -> int:
        return len(np.unique(self._m._amt_sorted))


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _due_weight(gap: int) -> float:
    """Evidence from the distance (days) between the payment and the planned receivable's due date."""
    if gap <= 10:
        return W["due_near"]
    if gap <= 45:
        return W["due_month"]
    return W["due_far"] if gap > 180 else W["due_late"]


def _payer_key(account: str, nk: str) -> str:
    """Who paid, for grouping a payer's payments: the account, else the normalised name."""
    acct = _account_key(account)
    return acct or (f"n:{nk}" if nk else "")


def _account_key(account: str) -> str:
    if not account:
        return ""
    if account.isalnum():
        return account.upper()
    return "".join(ch for ch in account if ch.isalnum()).upper()


def _small_subset(values: list[int], target: int, kmax: int) -> list[int] | None:
    """The first 2..kmax values (by index) summing exactly to target; a handful of values only."""
    idx = range(len(values))
    for k in range(2, kmax + 1):
        for combo in combinations(idx, k):
            if sum(values[i] for i in combo) == target:
                return list(combo)
    return None


@lru_cache(maxsize=512)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(n, 1)
    return a.astype(np.int64), b.astype(np.int64)


def _pooled_subsets(values: list[int], target: int, kmax: int, limit: int) -> list[tuple]:
    """Subsets of a batch pool (sorted nearest due first): up to four values over the first BATCH_POOL[0]
    values (one pass over their pair sums), five over the first BATCH_POOL[3]; each subset once."""
    sols = subset_sums(values[: BATCH_POOL[0]], target, kmax=min(kmax, 4), limit=limit)
    if kmax >= 5 and len(sols) < limit:
        sols += subset_sums(values[: BATCH_POOL[3]], target, kmax=5, kmin=5, limit=limit - len(sols))
    return sols


def subset_sums(values: list[int], target: int, kmax: int = 5, limit: int = 3, kmin: int = 1) -> list[tuple]:
    """Index tuples (ascending) of kmin..kmax values summing exactly to ``target``, each subset once; at
    most ``limit`` of them. Meet in the middle over a sorted array of pair sums (numpy searchsorted):
    about O(n² log n) for up to four values, O(n³ log n) for five."""
    n = len(values)
    sols: list[tuple] = []
    if n == 0 or kmax < 1:
        return sols
    v = np.asarray(values, dtype=np.int64)
    if kmin <= 1:
        sols += [(int(i),) for i in np.flatnonzero(v == target)]
    if kmax < 2 or len(sols) >= limit or n < 2:
        return sols[:limit]
    a, b = _pairs(n)
    ps = v[a] + v[b]
    order = np.argsort(ps, kind="stable")
    pss = ps[order]
    if kmin <= 2:
        sols += [(int(a[p]), int(b[p])) for p in np.flatnonzero(ps == target)]
    if kmax >= 3 and kmin <= 3 and len(sols) < limit:
        lo = np.searchsorted(pss, target - v, "left")
        hi = np.searchsorted(pss, target - v, "right")
        for i in np.flatnonzero(hi > lo).tolist():
            for p in order[lo[i]:hi[i]].tolist():
                if i < a[p]:
                    sols.append((i, int(a[p]), int(b[p])))
            if len(sols) >= limit:
                break
    if kmax >= 4 and kmin <= 4 and len(sols) < limit:
        lo = np.searchsorted(pss, target - pss, "left")
        hi = np.searchsorted(pss, target - pss, "right")
        for q in np.flatnonzero(hi > lo).tolist():
            p1 = order[q]
            for p2 in order[lo[q]:hi[q]].tolist():
                if b[p1] < a[p2]:
                    sols.append((int(a[p1]), int(b[p1]), int(a[p2]), int(b[p2])))
            if len(sols) >= limit:
                break
    if kmax >= 5 and kmin <= 5 and len(sols) < limit:
        for i in range(n):
            rest = target - v[i] - pss
            lo = np.searchsorted(pss, rest, "left")
            hi = np.searchsorted(pss, rest, "right")
            for q in np.flatnonzero(hi > lo).tolist():
                p1 = order[q]
                if a[p1] <= i:
                    continue
                for p2 in order[lo[q]:hi[q]].tolist():
                    if b[p1] < a[p2]:
                        sols.append((i, int(a[p1]), int(b[p1]), int(a[p2]), int(b[p2])))
            if len(sols) >= limit:
                break
    sols.sort(key=len)
    return sols[:limit]


def match_transactions(txns: Iterable[BankTxn], items: Iterable[OpenItem], **options) -> list[MatchProposal]:
    return Matcher(items, **options).match(txns)


def propose_batch(txn: BankTxn, open_loan_items: list[OpenItem], **options) -> MatchProposal | None:
    return Matcher(open_loan_items, **options).propose_batch(txn, open_loan_items)


def match_disbursement_list(txn: BankTxn, list_rows: Iterable[DisbursementRow],
                            open_items: Iterable[OpenItem], **options) -> MatchProposal:
    return Matcher(open_items, **options).match_disbursement_list(txn, list_rows)
