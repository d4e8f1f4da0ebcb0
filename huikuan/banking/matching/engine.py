"""The matching engine: bank transactions × open receivables → proposals with confidence and reasons.

Candidates come only from dictionary lookups (contract number, unit, payer account, name, pinyin,
one-typo name keys, learnt relatives, amount), never from a scan over all items. Each candidate
contract gets log-odds evidence; the confidence is its share against the other candidates and a
"none of these" prior. Money inside the engine is integer cents; Decimals come in and go out.

A transaction that arrived on an account tied to a project (an escrow account, ``BankTxn.project``)
can only pay that project's receivables: every lookup is narrowed to the project.

Indexing is per contract, not per item (a contract's numbers, units, names, accounts are read once), in
bulk (`_Groups`: keys numbered in C, owners sorted with numpy, a key's contracts sorted by project so a
lookup in a project is two binary searches); each distinct name is normalised once. The pinyin and
one-typo indexes are built over the distinct name keys, lazily (only a run that needs them pays for them).
Amounts are sorted numpy arrays (by amount, and by project and amount) with the due dates alongside, so
"the open items of exactly this amount in scope, due within these days" is a binary search and a mask.
The index is frozen for the cyclic garbage collector while the matcher lives (see `_no_gc`).
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
from itertools import chain, combinations, groupby
from operator import attrgetter

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
    # found by the amount alone while the payer's name is given and is nothing like a party's: most people pay
    # from their own account, so this is evidence against (a relative or agent not yet learnt)
    "other_name": -2.0,
    "exact": 4.0, "sum": 3.5, "over_small": 1.5, "partial": 0.8, "fifo": 0.3, "overpaid": -1.0,
    "due_near": 1.0, "due_month": 0.4, "due_late": -0.8, "due_far": -2.0,
}
NAME_FAMILY = ("name", "relative", "pinyin", "homophone", "similar_name", "fuzzy_name", "other_name")
S_NONE = 6.0
MAX_BUCKET = 60
AMOUNT_BUCKET = 50  # at most this many open items of one amount: each is a candidate even with no name
BLOCK_DAYS = 45  # more: only the items of that amount due within this many days of the payment ...
BLOCK_MAX = 400  # ... and at most this many of them, each contract's parties compared with the payer
UNIT_NARROW = 8  # more contracts with the unit of the memo (other projects): only the payer's own are planned
DUP_DAYS = 3
MAX_FIT = W["exact"] + W["due_near"]
MAX_PLANNED = 6
# an exact amount is weaker evidence when many open items share it (standard deposits: 20,000 / 50,000):
# the weight falls by RARITY_SLOPE per e-fold of items with that amount, down to EXACT_MIN
RARITY_SLOPE = 0.0  # > 0 lowers the score itself; measured: costs recall, the auto gate below suffices
EXACT_MIN = 1.5
STRONG = ("contract_no", "unit", "account")  # identity evidence families that do not depend on the name
COMMON_AMOUNT = 20  # more open items than this with one amount (in scope): that amount does not identify anyone
N1_DAYS = 15  # N:1 — payments of one payer summed to one receivable within this many days
N1_MAX_PARTS = 4
N1_NEAR_DAYS, N1_CLEAR_DAYS = 10, 30  # ties broken only by a due date this near and this much nearer than the next
N1_CONFIDENCE = 0.8  # a suggestion: never auto-confirmed
BATCH_TAU = 3.0  # days: likelihood of a disbursement falls by e per BATCH_TAU days of |due − transfer| gap
BATCH_STAGES = (2, 4)  # days: the due-date windows searched before the full batch_window_days
BATCH_NEAR_ONLY = 0.75  # confidence of a set that is unique only among the loans due nearest (a suggestion)
BATCH_POOL = (200, 200, 200, 40)  # pool sizes searched for subsets of 2, 3, 4, 5 items (nearest due first)
BATCH_ALL = 40  # sets found over the whole window at once; as many: each window is searched on its own
_KEY_SHIFT = 41  # project code and cents in one int64: cents below 2**41 (about 22 billion yuan)
_contract_id = attrgetter("contract_id")
_due_date = attrgetter("due_date")
_outstanding = attrgetter("outstanding")
_receivable_id = attrgetter("receivable_id")
_contract_no = attrgetter("contract_no")
_original_amount = attrgetter("original_amount")
_unit_labels = attrgetter("unit_labels")
_party_names = attrgetter("party_names")
_known_names = attrgetter("known_payer_names")
_known_accounts = attrgetter("known_payer_accounts")


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@lru_cache(maxsize=65536)
def _unit_index_keys(label: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k, _full in unit_keys_in(label)))


def _one_off(a: str, b: str) -> bool:
    """Same length, exactly one character different."""
    if len(a) != len(b) or a == b:
        return False
    diff = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            diff += 1
            if diff > 1:
                return False
    return True


class _Contract:
    """One contract: its open items (sorted by due date before they are planned), party name keys, learnt
    relatives' name keys, project (and the project's small code)."""

    __slots__ = ("id", "no", "items", "sorted", "project", "code", "_first", "_keys", "_relatives", "_cache")

    def __init__(self, item: OpenItem, items: list[OpenItem], cache: dict[str, str] | None = None):
        self.id = item.contract_id
        self.no = item.contract_no
        self.items = items
        self.sorted = len(items) < 2
        self.project = item.project
        self.code = 0
        self._first = item
        self._keys: tuple[str, ...] | None = None
        self._relatives: tuple[str, ...] | None = None
        self._cache = {} if cache is None else cache  # name → name key, shared by the matcher's contracts

    @property
    def keys(self) -> tuple[str, ...]:
        """The parties' name keys (normalised on first use)."""
        if self._keys is None:
            self._keys = _keys_of(self._first.party_names, self._cache)
        return self._keys

    @property
    def relatives(self) -> tuple[str, ...]:
        """Learnt relatives' and agents' name keys."""
        if self._relatives is None:
            self._relatives = _keys_of(self._first.known_payer_names, self._cache) if \
                self._first.known_payer_names else ()
        return self._relatives


def _keys_of(names: Iterable[str], cache: dict[str, str]) -> tuple[str, ...]:
    out = []
    for name in names:
        nk = cache.get(name)
        if nk is None:
            nk = cache[name] = name_key(name)
        if nk:
            out.append(nk)
    return tuple(out)


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


class _Groups(Mapping):
    """key → values (contracts, or name keys), built in bulk over millions of entries: each distinct key is
    numbered once (a dict), the owners (positions in ``values``) sorted by that number with numpy, and a lookup
    slices a plain list. Reads like a dict of lists (``get``, ``in``, iteration over the keys); a lookup
    returns a new list. With ``codes`` (a project code per entry), a key's entries are sorted by code too, and
    ``get(key, code)`` returns those of that project and of no known project (code 0) only."""

    def __init__(self, keys: list, owners: list[int], values: list, codes: list[int] | None = None):
        # number the distinct keys in order of first appearance, in C (dict.fromkeys, zip, map)
        distinct = dict.fromkeys(keys)
        ids: dict = dict(zip(distinct, range(len(distinct)), strict=True))
        self._ids = ids
        self._values = values
        self._codes: list[int] | None = None
        self._owners: list[int] = []
        self._start: list[int] = [0]
        if len(ids) == len(keys) and codes is None:  # every key once (contract numbers): nothing to sort
            self._owners, self._start = list(owners), list(range(len(keys) + 1))
            return
        numbers = list(map(ids.__getitem__, keys))
        if numbers:
            num = np.array(numbers, dtype=np.int64)
            if codes is None:
                order = np.argsort(num, kind="stable")  # stable: a key's values in the order they came
            else:
                code = np.array(codes, dtype=np.int64)
                order = np.argsort(num * (int(code.max()) + 1) + code, kind="stable")
                self._codes = code[order].tolist()
            start = np.zeros(len(ids) + 1, dtype=np.int64)
            np.cumsum(np.bincount(num, minlength=len(ids)), out=start[1:])
            self._owners = np.asarray(owners, dtype=np.int64)[order].tolist()
            self._start = start.tolist()

    @classmethod
    def numbered(cls, keys: list, numbers: np.ndarray, owners: np.ndarray, values: list, codes: np.ndarray,
                 drop: object = None) -> _Groups:
        """From keys already numbered: ``numbers[i]`` is the position in ``keys`` of entry i's key (``drop``, if
        among the keys, has no entries and is left out of the lookups)."""
        self = cls.__new__(cls)
        self._ids = {k: i for i, k in enumerate(keys) if k != drop} if drop in keys else \
            dict(zip(keys, range(len(keys)), strict=True))
        self._values = values
        order = np.argsort(numbers * (int(codes.max(initial=0)) + 1) + codes, kind="stable")
        start = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(numbers, minlength=len(keys)), out=start[1:])
        self._owners = owners[order].tolist()
        self._start = start.tolist()
        self._codes = codes[order].tolist()
        return self

    def _span(self, i: int, code: int | None) -> list[int]:
        lo, hi = self._start[i], self._start[i + 1]
        if code is None or self._codes is None:
            return self._owners[lo:hi]
        codes = self._codes
        if codes[lo] == codes[hi - 1]:  # one project only (the usual case)
            return self._owners[lo:hi] if codes[lo] in (code, 0) else []
        out = []
        for c in (0, code) if code > 0 else (0,):
            a = bisect_left(codes, c, lo, hi)
            b = bisect_right(codes, c, a, hi)
            out += self._owners[a:b]
        return out

    def get(self, key: object, default: object = (), code: int | None = None) -> list:  # type: ignore[override]
        i = self._ids.get(key)
        if i is None:
            return default  # type: ignore[return-value]
        values = self._values
        return [values[j] for j in self._span(i, code)]

    def count(self, key: object, code: int | None = None) -> int:
        i = self._ids.get(key)
        if i is None:
            return 0
        lo, hi = self._start[i], self._start[i + 1]
        codes = self._codes
        if code is None or codes is None:
            return hi - lo
        if codes[lo] == codes[hi - 1]:
            return hi - lo if codes[lo] in (code, 0) else 0
        n = 0
        for c in (0, code) if code > 0 else (0,):
            a = bisect_left(codes, c, lo, hi)
            n += bisect_right(codes, c, a, hi) - a
        return n

    def __getitem__(self, key: object) -> list:
        if key not in self._ids:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __iter__(self) -> Iterator:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


Evidence = dict[str, tuple[float, str]]
AddFn = Callable[[_Contract, str, str], bool]


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
        self.original: dict = {}  # receivable id → its original amount (cents) if given, else its outstanding
        self.contracts: dict = {}
        # contract number, unit key, party name key, (project code, name key), relative's name key, payer account
        # → contracts (built in bulk by _index)
        self.by_contract_no = self.by_unit = self.by_name = self.by_relative = self.by_account = _Groups([], [], [])
        self._by_pinyin: _Groups | None = None  # pinyin → distinct name keys (lazy)
        self._by_masked: _Groups | None = None  # one-typo key → distinct name keys (lazy)
        self._name_keys: dict[str, str] = {}
        self._pinyins: dict[str, str] = {}
        self._codes: dict = {None: 0}  # project → small int (0: not known)
        self._loans: dict[str, list[OpenItem]] = {}
        self._loan_days: dict[str, list[int]] = {}
        self._recent: dict[tuple[str, int], tuple[int, list]] = {}
        self._partials: dict[str, list[tuple[int, OpenItem]]] = {}  # payer → receivables it part-paid (N:1)
        self._last_candidates: list[_Contract] = []
        self._frozen = True  # set first: even an index that fails half-way is frozen, and unfrozen by __del__
        with _no_gc(freeze=True):  # millions of small containers: the cyclic GC would rescan them over and over
            self._items: list[OpenItem] = list(items)
            cents, codes = self._index(self._items)
            days = np.fromiter(map(date.toordinal, self._dues), dtype=np.int64, count=len(self._items))
            del self._dues
        # by amount; and by project and amount (one int64 key: the project code above the cents)
        self._amt_order = np.argsort(cents, kind="stable")
        self._amt_sorted = cents[self._amt_order]
        self._amt_days = days[self._amt_order]
        self._scoped = bool(len(cents)) and int(cents.max()) < (1 << _KEY_SHIFT) and int(cents.min()) >= 0
        if self._scoped:
            key = (codes << _KEY_SHIFT) | cents
            self._pk_order = np.argsort(key, kind="stable")
            self._pk_sorted = key[self._pk_order]
            self._pk_days = days[self._pk_order]

    def __del__(self) -> None:
        if getattr(self, "_frozen", False):
            gc.unfreeze()  # objects frozen with the index (the caller's too) are collectable again

    # ---- indexing -------------------------------------------------------------------------
    def _index(self, items: list[OpenItem]) -> tuple[np.ndarray, np.ndarray]:  # noqa: C901 - one pass per index
        """Every index in bulk, one tight pass each: amounts and what remains per receivable; the contracts (the
        items of a contract usually come together); contract numbers, units, names, relatives and accounts per
        contract; the lenders' loans. Returns the cents and the project code of each item."""
        rids = list(map(_receivable_id, items))
        outstanding = list(map(_outstanding, items))
        originals = list(map(_original_amount, items))
        self._dues = list(map(_due_date, items))
        cents = [int(x * 100) for x in outstanding]  # amounts have two decimal places
        self.remaining = dict(zip(rids, cents, strict=True))
        self.original = self.remaining.copy()  # what each receivable owed before this run …
        for n in [n for n, x in enumerate(originals) if x is not None]:
            if originals[n] != outstanding[n]:
                self.original[rids[n]] = _cents(originals[n])  # … or in all, when given
        contracts = self.contracts
        project_codes = self._codes
        new: list[_Contract] = []
        firsts: list[OpenItem] = []
        group_codes: list[int] = []
        group_sizes: list[int] = []
        for cid, group in groupby(items, key=_contract_id):
            members = list(group)
            c = contracts.get(cid)
            if c is None:
                first = members[0]
                c = contracts[cid] = _Contract(first, members, self._name_keys)
                code = project_codes.get(first.project)
                if code is None:
                    code = project_codes[first.project] = len(project_codes)
                c.code = code
                new.append(c)
                firsts.append(first)
            else:
                c.items.extend(members)
                c.sorted = False
            group_codes.append(c.code)
            group_sizes.append(len(members))
        contract_codes = np.array([c.code for c in new], dtype=np.int64)
        numbers = list(map(_contract_no, firsts))
        labels = list(map(_unit_labels, firsts))
        party_names = list(map(_party_names, firsts))
        known_names = list(map(_known_names, firsts))
        known_accounts = list(map(_known_accounts, firsts))
        # contract numbers
        self.by_contract_no = self._grouped([(k,) if k else () for k in map(contract_key, numbers)], new)
        # units, each label under its full and its short key
        per_contract = [_unit_index_keys(ls[0]) if len(ls) == 1 else
                        tuple(dict.fromkeys(k for label in ls for k in _unit_index_keys(label))) for ls in labels]
        self.by_unit = self._grouped(per_contract, new, contract_codes)
        # party names: each distinct name normalised once; by name key, sorted by project within one
        self.by_name = self._name_groups(party_names, new, contract_codes)
        # learnt relatives and payer accounts (a minority of contracts)
        cache = self._name_keys
        relatives = [_keys_of(names, cache) if names else () for names in known_names]
        accounts = [tuple(a for a in map(_account_key, accts) if a) if accts else () for accts in known_accounts]
        self.by_relative = self._grouped(relatives, new)
        self.by_account = self._grouped(accounts, new)
        # loans by lender, sorted by due date
        bank_keys: dict[str, str] = {}
        for it in [it for it in items if it.bank]:
            if it.kind in LOAN_KINDS:
                bk = bank_keys.get(it.bank)
                if bk is None:
                    bk = bank_keys[it.bank] = bank_key(it.bank)
                self._loans.setdefault(bk, []).append(it)
        for bank, loans in self._loans.items():
            loans.sort(key=_due_date)
            self._loan_days[bank] = [it.due_date.toordinal() for it in loans]
        return (np.array(cents, dtype=np.int64),
                np.repeat(np.array(group_codes, dtype=np.int64), np.array(group_sizes, dtype=np.int64)))

    @staticmethod
    def _grouped(per_contract: list[tuple], contracts: list[_Contract], codes: np.ndarray | None = None) -> _Groups:
        """A _Groups of the keys of each contract (flattened in C), with the contracts' project codes if given."""
        counts = np.fromiter(map(len, per_contract), dtype=np.int64, count=len(per_contract))
        owners = np.repeat(np.arange(len(per_contract), dtype=np.int64), counts)
        keys = list(chain.from_iterable(per_contract))
        return _Groups(keys, owners.tolist(), contracts, None if codes is None else codes[owners].tolist())

    def _name_groups(self, party_names: list, contracts: list[_Contract], codes: np.ndarray) -> _Groups:
        """By name key: the names numbered once (a dict over the flattened names, in C), each distinct name
        normalised once, the numbers mapped to name keys with numpy."""
        counts = np.fromiter(map(len, party_names), dtype=np.int64, count=len(party_names))
        flat = list(chain.from_iterable(party_names))
        distinct = dict.fromkeys(flat)
        cache = self._name_keys
        for name in distinct.keys() - cache.keys():
            cache[name] = name_key(name)
        keys = [cache[name] for name in distinct]
        key_ids = dict.fromkeys(keys)
        key_list = list(key_ids)
        key_ids = dict(zip(key_list, range(len(key_list)), strict=True))
        to_key = np.array([key_ids[k] for k in keys], dtype=np.int64)  # distinct name → its key's number
        name_ids = dict(zip(distinct, range(len(distinct)), strict=True))
        numbers = to_key[np.fromiter(map(name_ids.__getitem__, flat), dtype=np.int64, count=len(flat))]
        owners = np.repeat(np.arange(len(party_names), dtype=np.int64), counts)
        if "" in key_ids:  # a name that normalises to nothing (punctuation only) is no name
            keep = numbers != key_ids[""]
            numbers, owners = numbers[keep], owners[keep]
        return _Groups.numbered(key_list, numbers, owners, contracts, codes[owners], drop="")

    def _nk(self, name: str) -> str:
        nk = self._name_keys.get(name)
        if nk is None:
            nk = self._name_keys[name] = name_key(name)
        return nk

    def _py(self, key: str) -> str:
        py = self._pinyins.get(key)
        if py is None:
            py = self._pinyins[key] = pinyin_of(key)
        return py

    def _fuzzy_indexes(self) -> tuple[_Groups, _Groups]:
        """Pinyin and one-typo keys (张?丰) of every distinct party name, built once, in bulk, on first use."""
        if self._by_pinyin is None or self._by_masked is None:
            with _no_gc():
                names = list(self.by_name)
                pinyins = [pinyin_of(k) for k in names]
                self._pinyins.update(zip(names, pinyins, strict=True))
                self._by_pinyin = _Groups(pinyins, list(range(len(names))), names)
                masks = [(k[:i] + "?" + k[i + 1:], n) for n, k in enumerate(names)
                         if len(k) >= 3 and not is_latin(k) for i in range(len(k))]
                self._by_masked = _Groups([m for m, _ in masks], [n for _, n in masks], names)
        return self._by_pinyin, self._by_masked

    @property
    def by_pinyin(self) -> Mapping[str, list[str]]:
        return self._fuzzy_indexes()[0]

    @property
    def by_masked(self) -> Mapping[str, list[str]]:
        return self._fuzzy_indexes()[1]

    def _contracts_of(self, name_keys: Iterable[str], limit: int, scope: object = None) -> list[_Contract]:
        """The contracts of these name keys (in scope); none at all when there are more than ``limit``."""
        out: list[_Contract] = []
        for nk in name_keys:
            out.extend(self._named(nk, scope))
            if len(out) > limit:
                return []
        return out

    def _named(self, nk: str, scope: object) -> list[_Contract] | tuple[()]:
        """The contracts with a party of this name key, of the project ``scope`` (or of no known project)."""
        return self.by_name.get(nk, (), self._code(scope))

    def _code(self, scope: object) -> int | None:
        """The project code of a scope for the indexes: None for any project, -1 for one with no open items."""
        return None if scope is None else self._codes.get(scope, -1)

    def _amount_range(self, cents: int) -> tuple[int, int]:
        lo, hi = np.searchsorted(self._amt_sorted, (cents, cents + 1))
        return int(lo), int(hi)

    def items_with_amount(self, cents: int) -> list[OpenItem]:
        """Open items whose outstanding amount at indexing time was exactly ``cents``."""
        lo, hi = self._amount_range(cents)
        return [self._items[i] for i in self._amt_order[lo:hi].tolist()]

    def amount_count(self, cents: int, scope: object = None) -> int:
        """How many open items (of the project ``scope``, or of no known project) had exactly this amount."""
        return sum(hi - lo for _, lo, hi in self._amount_ranges(cents, scope))

    def _amount_ranges(self, cents: int, scope: object) -> list[tuple[np.ndarray, int, int]]:
        """(due days array, lo, hi) slices of the sorted indexes holding the items of this amount in scope."""
        if scope is None or not self._scoped:
            lo, hi = self._amount_range(cents)
            return [(self._amt_days, lo, hi)] if hi > lo else []
        out = []
        for code in {self._codes.get(scope, -1), 0}:
            if code < 0:
                continue
            key = (code << _KEY_SHIFT) | cents
            lo, hi = (int(x) for x in np.searchsorted(self._pk_sorted, (key, key + 1)))
            if hi > lo:
                out.append((self._pk_days, lo, hi))
        return out

    def _block(self, cents: int, day: int, scope: object) -> list[OpenItem] | None:
        """The open items of exactly this amount in scope: all of them when they are at most AMOUNT_BUCKET,
        else those due within BLOCK_DAYS of ``day``; None when even those are more than BLOCK_MAX."""
        ranges = self._amount_ranges(cents, scope)
        total = sum(hi - lo for _, lo, hi in ranges)
        near = total > AMOUNT_BUCKET
        if near and total > 50 * BLOCK_MAX:
            return None  # a standard amount in a wide scope: too many even within the days
        picked: list[np.ndarray] = []
        for days, lo, hi in ranges:
            order = (self._amt_order if days is self._amt_days else self._pk_order)[lo:hi]
            if near:
                order = order[np.abs(days[lo:hi] - day) <= BLOCK_DAYS]
            picked.append(order)
        if near and sum(len(p) for p in picked) > BLOCK_MAX:
            return None
        items = self._items
        return [items[i] for p in picked for i in p.tolist()]

    @property
    def by_amount(self) -> Mapping[int, list[OpenItem]]:
        """Cents → open items of that amount at indexing time (read-only view kept for older callers)."""
        return _AmountView(self)

    def _original(self, item: OpenItem) -> int:
        return self.original[item.receivable_id]

    # ---- matching -------------------------------------------------------------------------
    def match(self, txns: Iterable[BankTxn]) -> list[MatchProposal]:
        """Proposals for the transactions, processed in date order (so split payments add up); then
        an N:1 pass sums the still unidentified payments of one payer to one receivable."""
        proposals: list[MatchProposal] = []
        deferred: list[tuple[int, BankTxn, list[_Contract]]] = []
        with _no_gc(freeze=True):  # the proposals and the run's bookkeeping: made once, acyclic
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

    def match_one(self, txn: BankTxn) -> MatchProposal:  # noqa: C901 - one step per signal
        self._last_candidates = []
        cents = _cents(txn.amount)
        if cents <= 0:
            return MatchProposal(
                txn.key, [], 1.0 if cents < 0 else 0.0, "low",
                ["money out: a refund, reversal or fee, not a receipt"] if cents < 0 else ["zero amount"],
                "reversal" if cents < 0 else "unidentified",
            )
        scope = txn.project
        evidence: dict[int, tuple[_Contract, Evidence]] = {}
        extra: list[tuple[float, int]] = []  # (upper bound of a score, how many candidates) not looked at closer

        def add(c: _Contract, kind: str, reason: str) -> bool:
            if scope is not None and c.project is not None and c.project != scope:
                return False
            entry = evidence.get(id(c))
            if entry is None:
                entry = evidence[id(c)] = (c, {})
            family = "name" if kind in NAME_FAMILY else "unit" if kind.startswith("unit") else kind
            current = entry[1].get(family)
            if current is None or W[kind] > current[0]:
                entry[1][family] = (W[kind], reason)
            return True

        payer = txn.counterparty or ""
        nk = self._nk(payer)
        memo = txn.memo or ""
        if memo:
            for key in contract_keys_in(memo):
                for c in self.by_contract_no.get(key, ()):
                    add(c, "contract_no", f"contract number {c.no} in the memo")
            unit_full = False
            for ukey, full in unit_keys_in(memo):
                if unit_full and not full:
                    continue  # 3栋1单元1202 found: its short form 3-1202 adds only other units' contracts
                bucket = self.by_unit.get(ukey, (), self._code(scope))
                unit_full = unit_full or (full and bool(bucket))
                if len(bucket) > MAX_BUCKET * 4:
                    continue
                kind = "unit_full" if full else "unit"
                if len(bucket) > UNIT_NARROW and nk:
                    # the same unit label in many projects: the payer's own contracts among them are planned,
                    # the others (no name, far below on identity) only count at an upper bound of their score
                    mine = {id(c) for c in self._named(nk, scope)} | {id(c) for c in self.by_relative.get(nk, ())}
                    named = [c for c in bucket if id(c) in mine]
                    if named:
                        extra.append((W[kind] + MAX_FIT, len(bucket) - len(named)))
                        bucket = named
                reason = f"unit {ukey} in the memo"
                for c in bucket:
                    add(c, kind, reason)
        acct = _account_key(txn.counterparty_account)
        if acct:
            for c in self.by_account.get(acct, ()):
                add(c, "account", "payer account already seen for this customer")
        strong = bool(evidence)
        is_bank = bool(payer) and looks_like_bank(payer) and nk not in self.by_name
        if strong:
            if nk and not is_bank:
                self._name_on_candidates(nk, payer, scope, evidence, add, extra)
        else:
            if is_bank:
                batch = self.propose_batch(txn)
                if batch is not None:
                    return batch
            fit = bool(nk) and not is_bank and self._name_evidence(nk, payer, cents, scope, add)
            if not fit:
                # no identity, or no one of that name owes this amount: the open items of exactly this amount,
                # their contracts' parties compared with the payer (homophones, typos)
                self._amount_block(cents, txn.date.toordinal(), scope, "" if is_bank else nk, payer, add, evidence)
        if not evidence:
            return MatchProposal(txn.key, [], 0.0, "low", ["no contract, unit, account or name found"],
                                 "unidentified")
        self._last_candidates = [c for c, _ in evidence.values()]
        return self._decide(txn, cents, nk, list(evidence.values()), extra)

    def _name_on_candidates(self, nk: str, payer: str, scope: object, evidence: dict, add: AddFn,
                            extra: list[tuple[float, int]]) -> None:
        """The payer's name compared with the parties of the candidates a contract number, unit or account
        found; the payer's namesakes elsewhere (no such signal) only count, at an upper bound of their score."""
        latin = is_latin(nk)
        sounds: set[str] = set()
        for c, _ in list(evidence.values()):
            if nk in c.keys:
                add(c, "name", f"payer name {payer} is a contract party")
                continue
            if nk in c.relatives:
                add(c, "relative", f"payer {payer} is a learnt relative/agent of the customer")
                continue
            if not sounds:
                sounds = set(latin_variants(payer)) if latin else {self._py(nk)}
            if any(self._py(k) in sounds for k in c.keys):
                add(c, "pinyin" if latin else "homophone", f"payer {payer} sounds like a contract party")
            elif not latin and any(_one_off(nk, k) for k in c.keys):
                add(c, "similar_name", f"payer {payer} differs by one character from a contract party")
        top_id = max(sum(w for w, _ in ev.values()) for _, ev in evidence.values())
        for kind in ("name", "relative"):
            if W[kind] >= top_id - MAX_FIT:
                # a namesake could come near the best (the payer is not its party): each one is planned
                bucket = self._named(nk, scope) if kind == "name" else self.by_relative.get(nk, ())
                reason = f"payer name {payer} is a contract party" if kind == "name" else \
                    f"payer {payer} is a learnt relative/agent of the customer"
                for c in bucket if len(bucket) <= MAX_BUCKET * 4 else ():
                    add(c, kind, reason)
                continue
            # as in _decide: a candidate this far below the best on identity counts at its upper bound
            if kind == "name":
                n = self.by_name.count(nk, self._code(scope)) - sum(1 for c, _ in evidence.values() if nk in c.keys)
            elif nk in self.by_relative:
                n = sum(1 for c in self.by_relative.get(nk, ()) if id(c) not in evidence and _in_scope(c, scope))
            else:
                n = 0
            if n:
                extra.append((W[kind] + MAX_FIT, n))

    def _name_evidence(self, nk: str, payer: str, cents: int, scope: object, add: AddFn) -> bool:
        """Name signals with no contract, unit or account: the payer's name, a learnt relative's, the pinyin
        of a party (a latin payer). True when a contract found so owes exactly this amount."""
        found: list[_Contract] = []
        if is_latin(nk):
            by_pinyin = self._fuzzy_indexes()[0]
            reason = f"payer {payer} is the pinyin of a contract party"
            for variant in latin_variants(payer):
                found += [c for c in self._contracts_of(by_pinyin.get(variant, ()), MAX_BUCKET * 4, scope)
                          if add(c, "pinyin", reason)]
            reason = f"payer name {payer} is a contract party"  # a latin company or person name written the same
            found += [c for c in self._named(nk, scope) if add(c, "name", reason)]
            return self._owes(found, cents)
        reason = f"payer name {payer} is a contract party"
        found += [c for c in self._contracts_of((nk,), MAX_BUCKET * 4, scope) if add(c, "name", reason)]
        reason = f"payer {payer} is a learnt relative/agent of the customer"
        found += [c for c in self.by_relative.get(nk, ()) if add(c, "relative", reason)]
        return self._owes(found, cents)

    def _owes(self, contracts: Iterable[_Contract], cents: int) -> bool:
        rem = self.remaining
        return any(rem[it.receivable_id] == cents for c in contracts for it in c.items)

    def _amount_block(self, cents: int, day: int, scope: object, nk: str, payer: str, add: AddFn,
                      evidence: dict) -> None:
        """The contracts that owe exactly this amount, their parties compared with the payer: a homophone (same
        pinyin) +3.0, one character different (any length, e.g. 王芳/王兵) +2.5, rapidfuzz ratio ≥ 80 on
        characters or pinyin +2.0. They are the open items of this amount in scope — all of them up to
        AMOUNT_BUCKET (each then a candidate even with no name evidence), else those due within BLOCK_DAYS, up
        to BLOCK_MAX; more than that (a standard amount in a wide scope): the name's homophones and one-character
        variants from the name indexes, kept when they owe exactly this amount."""
        block = self._block(cents, day, scope)
        if block is None:
            if nk and not is_latin(nk):
                self._fuzzy_by_name(nk, payer, cents, scope, add)
            return
        if not block:
            return
        from rapidfuzz import fuzz

        alone = len(block) <= AMOUNT_BUCKET
        py = self._py(nk) if nk else ""
        sounds = set(latin_variants(payer)) if nk and is_latin(nk) else {py}
        rem = self.remaining
        for item in block:
            if rem.get(item.receivable_id) != cents:
                continue
            c = self.contracts[item.contract_id]
            if id(c) in evidence and len(evidence[id(c)][1]):
                continue
            if not nk:
                if alone:
                    evidence.setdefault(id(c), (c, {}))
                continue
            for other in c.keys:
                if self._py(other) in sounds:
                    add(c, "homophone", f"payer {payer} sounds like contract party {other}")
                    break
                if _one_off(nk, other):
                    add(c, "similar_name", f"payer name differs by one character from contract party {other}")
                    break
                score = max(fuzz.ratio(nk, other), fuzz.ratio(py, self._py(other)))
                if score >= 80:
                    add(c, "fuzzy_name", f"payer name close to contract party {other} ({score:.0f}%)")
                    break
            else:
                if alone:
                    add(c, "other_name", f"amount only: payer {payer} is not a party of contract {c.no}")

    def _fuzzy_by_name(self, nk: str, payer: str, cents: int, scope: object, add: AddFn) -> None:
        by_pinyin, by_masked = self._fuzzy_indexes()
        py = self._py(nk)
        reason = f"payer {payer} sounds like a contract party ({py})"
        for c in self._contracts_of((k for k in by_pinyin.get(py, ()) if k != nk), MAX_BUCKET, scope):
            if self._owes((c,), cents):
                add(c, "homophone", reason)
        reason = f"payer {payer} differs by one character from a contract party"
        for mk in masked_keys(nk):
            for c in self._contracts_of((k for k in by_masked.get(mk, ()) if k != nk), MAX_BUCKET, scope):
                if self._owes((c,), cents):
                    add(c, "similar_name", reason)

    def _decide(self, txn: BankTxn, cents: int, nk: str, cands: list[tuple[_Contract, Evidence]],
                extra: list[tuple[float, int]] | None = None) -> MatchProposal:
        day = txn.date.toordinal()
        # every candidate gets a cheap upper bound of its score; the best MAX_PLANNED are planned for real,
        # the others count at their bound (so the confidence is never overstated)
        by_id = [(sum(w for w, _ in ev.values()), c, ev) for c, ev in cands]
        bounds = []  # candidates not planned: counted at an upper bound of their score
        if len(by_id) == 1:
            ident = [(0.0, *by_id[0])]
            cutoff = -math.inf
        else:
            top_id = max(x[0] for x in by_id)
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
        if len(scored) > 1:
            scored.sort(key=lambda x: -x[0])
        top = scored[0][0]
        denom = math.exp(S_NONE - top) + sum(math.exp(s - top) for s, *_ in scored)
        if bounds:
            denom += sum(math.exp(b - top) for b in bounds)
        if extra:
            denom += sum(n * math.exp(b - top) for b, n in extra)
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
        if level == "high" and plan.kind == "exact" and not any(f in ev for f in STRONG):
            shared = self.amount_count(cents, txn.project)
            if shared > COMMON_AMOUNT:
                # a name alone and an amount many open items share (a standard deposit): a typo or a namesake
                # would look the same, so a person confirms it
                level = "medium"
                reasons.append(f"not auto-confirmed: only the name identifies the payer and {shared} "
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
            c.items.sort(key=_due_date)
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
            # the receivable due nearest the payment (equal installments: the one due now, not a later one)
            it = min(over, key=lambda x: (abs(x.due_date.toordinal() - day), cents - rem[x.receivable_id]))
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
            if txn.project is not None:
                pool = [it for it in pool if it.project is None or it.project == txn.project]
        else:
            pool = [it for it in loan_items if abs(it.due_date.toordinal() - day) <= self.batch_window_days]
        pool = [it for it in pool if 0 < self.remaining.get(it.receivable_id, 0) <= cents]
        gaps = [abs(it.due_date.toordinal() - day) for it in pool]
        order_ = sorted(range(len(pool)), key=gaps.__getitem__)
        pool = [pool[i] for i in order_]
        gaps = [gaps[i] for i in order_]
        values = [self.remaining[it.receivable_id] for it in pool]
        index = _SubsetIndex(values[: BATCH_POOL[0]])
        stages = sorted({*(d for d in BATCH_STAGES if d < self.batch_window_days), self.batch_window_days})
        # the sets of the loans due nearest first, widening the window only when nothing sums up: one search
        # over the whole window, each set then in the narrowest window that holds all its loans
        everything = _pooled_subsets(index, len(values), cents, self.batch_max_items, limit=BATCH_ALL)
        solutions: list[tuple] = []
        stage = self.batch_window_days
        for stage in stages:
            if len(everything) < BATCH_ALL:
                solutions = [sol for sol in everything if max(gaps[i] for i in sol) <= stage][:12]
            else:  # very many sets: search each window on its own
                solutions = _pooled_subsets(index, bisect_right(gaps, stage), cents, self.batch_max_items, limit=12)
            if solutions:
                break
        if not solutions:
            return MatchProposal(txn.key, [], 0.0, "low",
                                 [f"transfer from {txn.counterparty}: no set of its open loan receivables sums to "
                                  f"{txn.amount}"], "unidentified")
        candidates: list[tuple[str | int, float]] = []
        if len(solutions) == 1:
            chosen = [pool[i] for i in solutions[0]]
            wider = everything if stage < self.batch_window_days else solutions
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
def _no_gc(freeze: bool = False):
    """The cyclic GC off while millions of small containers are made. With ``freeze``, what exists at the end
    (the indexes, all acyclic) is moved to the permanent generation, so later collections do not traverse it
    again (a full one over a million-item index costs seconds); `Matcher.__del__` unfreezes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def _due_weight(gap: int) -> float:
    """Evidence from the distance (days) between the payment and the planned receivable's due date."""
    if gap <= 10:
        return W["due_near"]
    if gap <= 45:
        return W["due_month"]
    return W["due_far"] if gap > 180 else W["due_late"]


def _in_scope(c: _Contract, scope: object) -> bool:
    return scope is None or c.project is None or c.project == scope


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


class _SubsetIndex:
    """The pair sums of a list of values, sorted once: subsets of the list, or of any prefix of it (a batch
    pool is sorted nearest due first and searched in widening windows), without sorting again."""

    def __init__(self, values: list[int]):
        self.v = np.asarray(values, dtype=np.int64)
        a, b = _pairs(len(values))
        ps = self.v[a] + self.v[b]
        if len(ps) and len(ps) < (1 << 16) and int(ps.min()) >= 0 and int(ps.max()) < (1 << 46):
            # sort the sums with their pair number in the low bits: a plain sort, faster than an argsort
            packed = (ps << 16) | np.arange(len(ps), dtype=np.int64)
            packed.sort()
            order = packed & 0xFFFF
            ps = packed >> 16
        else:
            order = np.argsort(ps, kind="stable")
            ps = ps[order]
        self.a, self.b, self.ps = a[order], b[order], ps

    def find(self, n: int, target: int, kmax: int, limit: int, kmin: int = 1) -> list[tuple]:
        """Index tuples (ascending) of kmin..kmax of the first ``n`` values summing to ``target``; at most ``limit``."""
        n = min(n, len(self.v))
        if n == len(self.v):
            a, b, ps = self.a, self.b, self.ps
        else:
            keep = self.b < n
            a, b, ps = self.a[keep], self.b[keep], self.ps[keep]
        return _subsets(self.v[:n], a, b, ps, target, kmax, limit, kmin)


def _pooled_subsets(index: _SubsetIndex, n: int, target: int, kmax: int, limit: int) -> list[tuple]:
    """Subsets of the first ``n`` values of a batch pool (sorted nearest due first): up to four values over the
    first BATCH_POOL[0] of them (one pass over their pair sums), five over the first BATCH_POOL[3]."""
    sols = index.find(min(n, BATCH_POOL[0]), target, min(kmax, 4), limit)
    if kmax >= 5 and len(sols) < limit:
        sols += index.find(min(n, BATCH_POOL[3]), target, 5, limit - len(sols), kmin=5)
    return sols


def subset_sums(values: list[int], target: int, kmax: int = 5, limit: int = 3, kmin: int = 1) -> list[tuple]:
    """Index tuples (ascending) of kmin..kmax values summing exactly to ``target``, each subset once; at
    most ``limit`` of them. Meet in the middle over a sorted array of pair sums (numpy searchsorted):
    about O(n² log n) for up to four values, O(n³ log n) for five."""
    if not values or kmax < 1:
        return []
    return _SubsetIndex(values).find(len(values), target, kmax, limit, kmin)


def _subsets(v: np.ndarray, a: np.ndarray, b: np.ndarray, pss: np.ndarray, target: int, kmax: int, limit: int,
             kmin: int) -> list[tuple]:
    """The search behind subset_sums: ``a[p] < b[p]`` index the pairs of ``v``, sorted by their sums ``pss``."""
    n = len(v)
    sols: list[tuple] = []
    if n == 0 or kmax < 1:
        return sols
    if kmin <= 1:
        sols += [(int(i),) for i in np.flatnonzero(v == target)]
    if kmax < 2 or len(sols) >= limit or n < 2:
        return sols[:limit]
    if kmin <= 2:
        first, last = (int(x) for x in np.searchsorted(pss, (target, target + 1)))
        sols += [(int(a[p]), int(b[p])) for p in range(first, last)]
    if kmax >= 3 and kmin <= 3 and len(sols) < limit:
        rest = target - v
        lo, hi = np.searchsorted(pss, rest, "left"), np.searchsorted(pss, rest, "right")
        for i in np.flatnonzero(hi > lo).tolist():
            sols += [(i, int(a[p]), int(b[p])) for p in range(lo[i], hi[i]) if i < a[p]]
            if len(sols) >= limit:
                break
    if kmax >= 4 and kmin <= 4 and len(sols) < limit:
        rest = target - pss
        lo, hi = np.searchsorted(pss, rest, "left"), np.searchsorted(pss, rest, "right")
        for q in np.flatnonzero(hi > lo).tolist():
            bq = b[q]
            sols += [(int(a[q]), int(bq), int(a[p]), int(b[p])) for p in range(lo[q], hi[q]) if bq < a[p]]
            if len(sols) >= limit:
                break
    if kmax >= 5 and kmin <= 5 and len(sols) < limit:
        # v[i] + pair q + pair p: every (i, q) at once
        rest = ((target - v)[:, None] - pss[None, :]).ravel()
        lo, hi = np.searchsorted(pss, rest, "left"), np.searchsorted(pss, rest, "right")
        width = len(pss)
        for flat in np.flatnonzero(hi > lo).tolist():
            i, q = divmod(flat, width)
            if a[q] <= i:
                continue
            bq = b[q]
            sols += [(i, int(a[q]), int(bq), int(a[p]), int(b[p])) for p in range(lo[flat], hi[flat]) if bq < a[p]]
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
