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

Both cores, on a large input (never on one core): the units and names are indexed in a helper process started
afresh while this one indexes the rest (`keys_helper`; started, not forked, so that neither copies the other's
pages); the transactions are matched in two processes (os.fork; never with other Python threads running),
speculatively, and merged so that the proposals are exactly those of a run in one process
(`Matcher._match_in_two`, `_Speculation`, `_Merge`).
"""

from __future__ import annotations

import gc
import math
import os
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from itertools import chain, combinations, compress, islice, repeat
from operator import attrgetter, itemgetter, ne
from typing import IO, Any, Protocol

import numpy as np

from huikuan.core.forking import can_fork as _can_fork
from huikuan.core.forking import cores as _cores
from huikuan.core.forking import reap as _reap
from huikuan.core.forking import receive as _receive
from huikuan.core.forking import send as _send

from .keys_helper import KeysHelper
from .model import LOAN_KINDS, BankTxn, DisbursementRow, MatchProposal, OpenItem
from .normalize import (
    bank_key,
    contract_keys_and_codes,
    contract_keys_in,
    contract_lookup_key,
    is_latin,
    latin_variants,
    load_tables,
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
# each kind of evidence by its family (a contract keeps the strongest of each family)
_FAMILY = {k: "name" if k in NAME_FAMILY else "unit" if k.startswith("unit") else k for k in W}
S_NONE = 6.0
MAX_BUCKET = 60
AMOUNT_BUCKET = 50  # at most this many open items of one amount: each is a candidate even with no name
BLOCK_DAYS = 45  # more: only the items of that amount due within this many days of the payment ...
BLOCK_MAX = 400  # ... and at most this many of them, each contract's parties compared with the payer
UNIT_NARROW = 8  # more contracts with the unit of the memo (other projects): only the payer's own are planned
DUP_DAYS = 3
PARALLEL_FROM = 5_000  # transactions: fewer are matched in one process (a fork costs more than it saves)
PARALLEL_INDEX_FROM = 200_000  # open items: more are indexed with a helper process (units, names, loans)
PARALLEL_SHARE = 0.5  # of the transactions matched in this process, the rest in the child (at 0.46 this one waited)
PARALLEL_WINDOW = 500  # transactions at least in a window of the date order (two processes; at most 200 windows)
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
_contract_no = attrgetter("contract_no")
_original_amount = attrgetter("original_amount")
_unit_labels = attrgetter("unit_labels")
_party_names = attrgetter("party_names")
_known_names = attrgetter("known_payer_names")
_known_accounts = attrgetter("known_payer_accounts")
_project = attrgetter("project")
_bank = attrgetter("bank")
_kind = attrgetter("kind")
_date_and_key = attrgetter("date", "key")
_weight = itemgetter(0)  # of a piece of evidence (weight, reason)


def _ints(values: np.ndarray) -> array[int]:
    """A numpy array of integers as a flat array of machine integers (sliced and bisected like a list)."""
    return array("q", np.ascontiguousarray(values, dtype=np.int64).tobytes())


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
    """One contract: its open items (sorted by due date before they are planned) and their positions among the
    matcher's items (``at``: what remains of each, its due day, are read by position), party name keys, learnt
    relatives' name keys, project (and the project's small code)."""

    __slots__ = ("id", "no", "items", "at", "sorted", "project", "code", "_first", "_keys", "_relatives", "_cache")

    def __init__(self, item: OpenItem, items: list[OpenItem], at: Sequence[int],
                 cache: dict[str, str] | None = None, in_order: bool = False):
        self.id = item.contract_id
        self.no = item.contract_no
        self.items = items
        self.at = at
        self.sorted = in_order or len(items) < 2
        self.project = item.project
        self.code = 0
        self._first = item
        self._keys: tuple[str, ...] | None = None
        self._relatives: tuple[str, ...] | None = None
        self._cache = {} if cache is None else cache  # name → name key, shared by the matcher's contracts

    def sort(self, days: Sequence[int]) -> None:
        """The items (and their positions) in due-date order, equal dates as they came (sorted once, on first
        need; ``days``: the due day of each receivable by position)."""
        if not self.sorted:
            items, at = self.items, self.at
            order = sorted(range(len(items)), key=lambda k: days[at[k]])
            self.items = [items[k] for k in order]
            self.at = [at[k] for k in order]
            self.sorted = True

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
    """How a payment would be allocated over one contract: (position of a receivable, cents) each, with the kind
    of plan, its weight, the exception it raises and the due date it is weighed by."""

    __slots__ = ("allocs", "kind", "weight", "exception", "reason", "due")

    def __init__(self, allocs: list[tuple[int, int]], kind: str, weight: float,
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
    slices a flat array of them. Reads like a dict of lists (``get``, ``in``, iteration over the keys); a lookup
    returns a new list. With ``codes`` (a project code per entry), a key's entries are sorted by code too, and
    ``get(key, code)`` returns those of that project and of no known project (code 0) only."""

    def __init__(self, keys: Iterable, owners: Iterable[int], values: list, codes: Iterable[int] | None = None):
        self._set(_group_parts(list(keys), np.fromiter(owners, dtype=np.int64),
                               None if codes is None else np.fromiter(codes, dtype=np.int64)), values)

    def _set(self, parts: _Parts, values: list) -> None:
        """Owners, starts and codes as flat machine-integer arrays: a lookup slices them without touching one
        Python int object per entry (cheaper, and a forked process shares them untouched)."""
        keys, owners, start, codes, drop = parts
        self._ids: dict = dict(zip(keys, range(len(keys)), strict=True))
        if drop is not None:
            self._ids.pop(drop, None)
        self._values = values
        self._owners = _ints(owners)
        self._start = _ints(start)
        self._codes = None if codes is None else _ints(codes)

    @classmethod
    def unique(cls, keys: list, values: list) -> _Groups:
        """Value i under ``keys[i]`` (an empty key: under none), when most keys are distinct (contract numbers)."""
        ids = dict(zip(keys, range(len(keys)), strict=True))
        ids.pop("", None)
        if len(ids) != len(keys) - keys.count(""):  # some key twice after all
            owners = [i for i, k in enumerate(keys) if k]
            return cls([keys[i] for i in owners], owners, values)
        self = cls.__new__(cls)
        self._ids, self._values, self._codes = ids, values, None
        self._owners = _ints(np.arange(len(keys), dtype=np.int64))
        self._start = _ints(np.arange(len(keys) + 1, dtype=np.int64))
        return self

    @classmethod
    def of(cls, parts: _Parts, values: list) -> _Groups:
        """From the parts `_group_parts` and the like work out (in this process or in a helper)."""
        self = cls.__new__(cls)
        self._set(parts, values)
        return self

    def _span(self, i: int, code: int | None) -> Sequence[int]:
        lo, hi = self._start[i], self._start[i + 1]
        if code is None or self._codes is None:
            return self._owners[lo:hi]
        codes = self._codes
        if codes[lo] == codes[hi - 1]:  # one project only (the usual case)
            return self._owners[lo:hi] if codes[lo] in (code, 0) else []
        out: list[int] = []
        for c in (0, code) if code > 0 else (0,):
            a = bisect_left(codes, c, lo, hi)
            b = bisect_right(codes, c, a, hi)
            out += self._owners[a:b]
        return out

    def get(self, key: object, default: object = (), code: int | None = None) -> list:  # type: ignore[override]
        i = self._ids.get(key)
        if i is None:
            return default  # type: ignore[return-value]
        return list(map(self._values.__getitem__, self._span(i, code)))

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


class _Owed(Protocol):
    """Cents per receivable position: the matcher's array, or a speculative run's view of it (`_reading`)."""

    def __getitem__(self, position: int, /) -> int: ...

    def __setitem__(self, position: int, cents: int, /) -> None: ...


Evidence = dict[str, tuple[float, str]]
AddFn = Callable[[_Contract, str, str], bool]


class Matcher:
    """Index open items once; then match any number of transactions against them.

    ``remaining`` (cents per receivable, by its position among the items; `owed` by receivable id) is tracked
    across the proposals of one run, so no transaction allocates more than it holds and no receivable receives
    more than it owes.
    """

    def __init__(self, items: Iterable[OpenItem], high: float = 0.9, medium: float = 0.6,
                 batch_window_days: int = 7, batch_max_items: int = 5):
        self.high = high
        self.medium = medium
        self.batch_window_days = batch_window_days
        self.batch_max_items = batch_max_items
        # by position among the items, machine integers (read without touching an item or a Python int object):
        self.remaining: _Owed = array("q")  # cents each receivable still owes in this run
        self.original = array("q")  # cents each owed before: its original amount if given, else its outstanding
        self._days = array("q")  # each receivable's due date (ordinal)
        self._positions: dict[int, int] | None = None  # id(item) → position (lazy: `_position`)
        self.contracts: dict = {}  # contract id → contract
        self._in_order: list[_Contract] = []  # the contracts in order of first appearance ...
        self._owner = array("q")  # ... and the number among them of each receivable's contract, by its position
        # contract number, unit key, party name key, (project code, name key), relative's name key, payer account
        # → contracts (built in bulk by _index)
        self.by_contract_no = self.by_unit = self.by_name = self.by_relative = self.by_account = _Groups([], [], [])
        self._by_pinyin: _Groups | None = None  # pinyin → distinct name keys (lazy)
        self._by_masked: _Groups | None = None  # one-typo key → distinct name keys (lazy)
        self._masked_from: tuple[int, IO[bytes]] | None = None  # (pipe, spool) it comes from, in a run in two
        self._helper: KeysHelper | None = None  # the keys helper, while it works out the two above (`_fuzzy_taken`)
        self._name_keys: dict[str, str] = {}
        self._pinyins: dict[str, str] = {}
        self._codes: dict = {None: 0}  # project → small int (0: not known)
        self._loans: dict[str, list[int]] = {}  # lender → positions of its loans (in due order)
        self._loan_days: dict[str, np.ndarray] = {}  # lender → its loans' due days (ascending)
        self._loan_codes: dict[str, np.ndarray] = {}  # lender → its loans' project codes
        self._recent: dict[tuple[str, int], int] = {}  # (payer, cents) → the day of its last allocated payment
        self._partials: dict[str, list[tuple[int, int]]] = {}  # payer → (day, position) of receivables it part-paid
        self._last_candidates: list[_Contract] = []
        self.rematched = 0  # transactions of the last run in two processes matched again (see _Merge)
        self._frozen = True  # set first: even an index that fails half-way is frozen, and unfrozen by __del__
        with _no_gc(freeze=True):  # millions of small containers: the cyclic GC would rescan them over and over
            self._items: list[OpenItem] = list(items)
            self._index(self._items)

    def __del__(self) -> None:
        helper = getattr(self, "_helper", None)
        if helper is not None:
            helper.close()
        if getattr(self, "_frozen", False):
            gc.unfreeze()  # objects frozen with the index (the caller's too) are collectable again

    # ---- indexing -------------------------------------------------------------------------
    def _index(self, items: list[OpenItem]) -> None:
        """Every index in bulk, each a few passes in C (map, zip, dict, numpy) rather than a Python loop per item:
        amounts and what remains per receivable; the contracts (runs of items of one contract); contract numbers,
        units, names, relatives and accounts per contract; the lenders' loans; the amounts, sorted. With many
        items, the units and names are worked out meanwhile in a helper process started afresh (`KeysHelper`:
        sent the contracts' names and labels once they are known, it answers with plain arrays)."""
        n = len(items)
        helper = KeysHelper() if n >= PARALLEL_INDEX_FROM and _cores() >= 2 else None
        if helper is not None and helper.process is None:
            helper = None  # it could not start: all here, as on one core
        try:
            runs = _runs(items)
            firsts = _firsts(items, runs)
            contract_codes = _project_codes(firsts, self._codes)
            if helper is not None:
                helper.send(_keys_request(firsts, contract_codes))  # as early as it can be
            days = np.fromiter(map(date.toordinal, map(_due_date, items)), dtype=np.int64, count=n)
            self._days = array("q", days.tobytes())
            new, sizes = self._contracts_of_runs(items, runs, days)
            outstanding = list(map(_outstanding, items))
            cents = [int(x * 100) for x in outstanding]  # amounts have two decimal places
            self.remaining = array("q", cents)
            self.original = array("q", cents)  # what each receivable owed before this run …
            originals = list(map(_original_amount, items))
            if originals.count(None) != n:
                for i in [i for i, x in enumerate(originals) if x is not None and x != outstanding[i]]:
                    self.original[i] = _cents(originals[i])  # … or in all, when given
            del outstanding, originals
            for c, code in zip(new, contract_codes.tolist(), strict=True):
                c.code = code
            self.by_contract_no = _contract_numbers(list(map(_contract_no, firsts)), new)
            known = (firsts, contract_codes, days)
            if len(sizes) == len(new):  # one run per contract
                owner = np.repeat(np.arange(len(new), dtype=np.int64), sizes)
            else:
                number = dict(zip(self.contracts, range(len(new)), strict=True))
                owner = np.fromiter(map(number.__getitem__, map(_contract_id, items)), dtype=np.int64, count=n)
            self._owner, self._in_order = _ints(owner), new
            item_codes = contract_codes[owner]
            self._keyed(items, new, _keyed(items, self._name_keys, _ALL_PARTS - _HELPER_PARTS if helper else
                                           _ALL_PARTS, known), item_codes)
            self._amounts(np.array(cents, dtype=np.int64), item_codes, days)
        finally:
            keyed = helper.result() if helper is not None else None
        if helper is not None:
            self._keyed(items, new, keyed if keyed is not None else
                        _keyed(items, self._name_keys, _HELPER_PARTS, known), item_codes)
            if keyed is not None:
                self._helper = helper  # at work on the pinyin and one-typo indexes meanwhile

    def _keyed(self, items: list[OpenItem], contracts: list[_Contract], parts: dict, item_codes: np.ndarray) -> None:
        """The key indexes from their parts (see `_keyed`); ``item_codes``: each item's project code."""
        for name, attr in (("unit", "by_unit"), ("name", "by_name"), ("relative", "by_relative"),
                           ("account", "by_account")):
            if name in parts:
                setattr(self, attr, _Groups.of(parts[name], contracts))
        for bank, positions, due in parts.get("loans", ()):
            self._loans[bank] = positions.tolist()
            self._loan_days[bank] = due
            self._loan_codes[bank] = item_codes[positions]

    def _amounts(self, cents: np.ndarray, codes: np.ndarray, days: np.ndarray) -> None:
        """By amount; and by project and amount (one int64 key: the project code above the cents)."""
        self._amt_order = np.argsort(cents, kind="stable")
        self._amt_sorted = cents[self._amt_order]
        self._amt_keys = array("q", self._amt_sorted.tobytes())  # for bisect: faster than numpy for one value
        self._amt_days = days[self._amt_order]
        self._scoped = bool(len(cents)) and int(cents.max()) < (1 << _KEY_SHIFT) and int(cents.min()) >= 0
        if self._scoped:
            key = (codes << _KEY_SHIFT) | cents
            self._pk_order = np.argsort(key, kind="stable")
            self._pk_keys = array("q", key[self._pk_order].tobytes())
            self._pk_days = days[self._pk_order]

    def _contracts_of_runs(self, items: list[OpenItem], runs: _Runs,
                           days: np.ndarray) -> tuple[list[_Contract], np.ndarray]:
        """The contracts, in order of first appearance, from the runs of items of one contract id (`_runs`: a
        contract's items usually come together; one whose items come in several runs gets them all, in their
        order). Also the size of each run, when each contract is one run. ``days``: each item's due day (a
        contract whose items come in due order, the usual case, never needs sorting)."""
        run_ids, starts, ends, one_each = runs
        of_runs = list(map(items.__getitem__, map(slice, starts, ends)))
        cache = self._name_keys
        if one_each:  # one run per contract (the usual case)
            new = list(map(_Contract, map(itemgetter(0), of_runs), of_runs, map(range, starts, ends), repeat(cache),
                           _in_due_order(days, starts)))
            self.contracts = dict(zip(run_ids, new, strict=True))
            return new, np.fromiter(map(len, of_runs), dtype=np.int64, count=len(of_runs))
        contracts = self.contracts
        new = []
        for cid, members, start, end in zip(run_ids, of_runs, starts, ends, strict=True):
            c = contracts.get(cid)
            if c is None:
                c = contracts[cid] = _Contract(members[0], members, list(range(start, end)), cache)
                new.append(c)
            else:
                c.items.extend(members)
                c.at.extend(range(start, end))
                c.sorted = False
        return new, np.zeros(0, dtype=np.int64)

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
        """Pinyin and one-typo keys (张?丰) of every distinct party name, each built once, in bulk, on first use (in
        a run in two processes, each builds one and hands it to the other: see `_match_in_two`)."""
        return self._pinyin_index(), self._masked_index()

    def _fuzzy_taken(self) -> None:
        """The pinyin and one-typo indexes from the keys helper, if it is at work on them (waits for them)."""
        helper, self._helper = self._helper, None
        answer = helper.fuzzy() if helper is not None else None
        if answer is None:
            return
        pinyins, pinyin_parts, masked_parts = answer
        with _no_gc():
            names = list(self.by_name)
            if len(pinyins) == len(names):  # the helper's names are those of this index (always: it made them)
                self._pinyins.update(zip(names, pinyins, strict=True))
                self._by_pinyin = _Groups.of(pinyin_parts, names)
                self._by_masked = _Groups.of(masked_parts, names)

    def _pinyin_index(self) -> _Groups:
        if self._helper is not None:
            self._fuzzy_taken()
        if self._by_pinyin is None:
            with _no_gc():
                names = list(self.by_name)
                self._by_pinyin = _Groups.of(self._pinyin_parts(names), names)
        return self._by_pinyin

    def _masked_index(self) -> _Groups:
        if self._helper is not None:
            self._fuzzy_taken()
        if self._by_masked is None:
            with _no_gc():
                parts = None
                if self._masked_from is not None:  # being built by the other process
                    parts = _receive(*self._masked_from)
                    self._masked_from = None
                names = list(self.by_name)
                self._by_masked = _Groups.of(parts if parts is not None else _masked_parts(names), names)
        return self._by_masked

    def _pinyin_parts(self, names: list[str]) -> _Parts:
        """The parts of the pinyin index over these name keys (their pinyins noted for `_py` meanwhile)."""
        pinyins = [pinyin_of(k) for k in names]
        self._pinyins.update(zip(names, pinyins, strict=True))
        return _group_parts(pinyins, np.arange(len(names), dtype=np.int64))

    @property
    def by_pinyin(self) -> Mapping[str, list[str]]:
        return self._pinyin_index()

    @property
    def by_masked(self) -> Mapping[str, list[str]]:
        return self._masked_index()

    def _contracts_of(self, name_keys: Iterable[str], limit: int, scope: object = None) -> list[_Contract]:
        """The contracts of these name keys (in scope); none at all when there are more than ``limit``."""
        out: list[_Contract] = []
        code = self._code(scope)
        for nk in name_keys:
            if len(out) + self.by_name.count(nk, code) > limit:
                return []
            out += self.by_name.get(nk, (), code)
        return out

    def _named(self, nk: str, scope: object) -> list[_Contract] | tuple[()]:
        """The contracts with a party of this name key, of the project ``scope`` (or of no known project)."""
        return self.by_name.get(nk, (), self._code(scope))

    def _code(self, scope: object) -> int | None:
        """The project code of a scope for the indexes: None for any project, -1 for one with no open items."""
        return None if scope is None else self._codes.get(scope, -1)

    def _amount_range(self, cents: int) -> tuple[int, int]:
        keys = self._amt_keys
        lo = bisect_left(keys, cents)
        return lo, bisect_left(keys, cents + 1, lo)

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
            lo = bisect_left(self._pk_keys, key)
            hi = bisect_left(self._pk_keys, key + 1, lo)
            if hi > lo:
                out.append((self._pk_days, lo, hi))
        return out

    def _block(self, cents: int, day: int, scope: object) -> list[int] | None:
        """The positions of the open items of exactly this amount in scope: all of them when they are at most
        AMOUNT_BUCKET, else those due within BLOCK_DAYS of ``day``; None when even those are more than BLOCK_MAX."""
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
        return [i for p in picked for i in p.tolist()]

    @property
    def by_amount(self) -> Mapping[int, list[OpenItem]]:
        """Cents → open items of that amount at indexing time (read-only view kept for older callers)."""
        return _AmountView(self)

    def owed(self, receivable_id: str | int) -> int:
        """What the receivable still owes in this run (cents); found by a scan of the items (an occasional read, not
        for a loop: the engine itself reads ``remaining`` by position)."""
        return self.remaining[next(p for p, it in enumerate(self._items) if it.receivable_id == receivable_id)]

    def _position(self, item: OpenItem) -> int | None:
        """The position of one of the matcher's items, None for another (a map by identity, made on first need)."""
        if self._positions is None:
            self._positions = {id(it): p for p, it in enumerate(self._items)}
        return self._positions.get(id(item))

    # ---- matching -------------------------------------------------------------------------
    def match(self, txns: Iterable[BankTxn], processes: int | None = None) -> list[MatchProposal]:
        """Proposals for the transactions, processed in date order (so split payments add up); then
        an N:1 pass sums the still unidentified payments of one payer to one receivable.

        ``processes``: 2 matches the transactions in two processes (see `_match_in_two`), 1 in this one; None
        (the default) in two when there are at least PARALLEL_FROM of them, a second core, ``os.fork`` and no
        other Python thread in this process (`_can_fork`). The proposals are the same either way."""
        with _no_gc(freeze=True):  # the proposals and the run's bookkeeping: made once, acyclic
            ordered = sorted(txns, key=_date_and_key)
            if processes is None:
                processes = 2 if len(ordered) >= PARALLEL_FROM and _can_fork() else 1
            proposals, deferred = self._match_in_two(ordered) if processes > 1 and hasattr(os, "fork") else \
                self._match_here(ordered)
            if deferred:
                self._many_to_one(deferred, proposals)
        return proposals

    def match_windows(self, txns: Iterable[BankTxn], size: int,
                      first: int | None = None) -> Iterator[list[MatchProposal]]:
        """The proposals of `match` (in one process), a window of ``size`` transactions of the date order at a
        time, each as soon as it is matched: all but those the N:1 pass may still place, which come last, after
        that pass. A caller may store one window while the next is matched (see `matching.stream`). With
        ``first``, the windows start at that size and double up to ``size`` (a caller waiting for the first starts
        sooner, and has the second by the time it is done with the first)."""
        with _no_gc(freeze=True):
            ordered = sorted(txns, key=_date_and_key)
            proposals: list[MatchProposal] = []
            deferred: list[_Deferred] = []
            for start, end in _window_bounds(len(ordered), size, first or size):
                final = []
                for t in ordered[start:end]:
                    p = self.match_one(t)
                    if _unplaced(p) and self._last_candidates:
                        deferred.append((len(proposals), t, self._last_candidates))
                    else:
                        final.append(p)
                    proposals.append(p)
                yield final
            if deferred:
                self._many_to_one(deferred, proposals)
                yield [proposals[n] for n, _, _ in deferred]

    def _match_here(self, ordered: list[BankTxn]) -> tuple[list[MatchProposal], list[_Deferred]]:
        proposals: list[MatchProposal] = []
        deferred: list[_Deferred] = []
        for t in ordered:
            p = self.match_one(t)
            if _unplaced(p) and self._last_candidates:
                deferred.append((len(proposals), t, self._last_candidates))
            proposals.append(p)
        return proposals, deferred

    # ---- two processes ----------------------------------------------------------------------
    def _match_in_two(self, ordered: list[BankTxn]) -> tuple[list[MatchProposal], list[_Deferred]]:
        """Both cores at work. The transactions are split in two halves (`_halves`), one matched here, one in a
        forked child sharing the index copy-on-write, each speculatively (`_Speculation`: against the state its
        half and what it has heard of the other's leave, noting what each transaction read and wrote). They go
        window by window through the date order, telling each other after each window what their transactions
        wrote (heard one window later, so that neither waits for the other unless it is a window ahead); and
        after each window this process keeps, in date order, each result of the window before whose reads still
        hold and matches the others again (`_Merge`): the proposals, and the state after them, are those of a run
        in one process. Should the child fail, the rest is matched here."""
        halves = self._halves(ordered)
        # a run this large needs the pinyin and one-typo indexes: this process builds the one, the child the other
        # (unless the keys helper has worked them out)
        if self._helper is not None:
            self._fuzzy_taken()
        fuzzy = self._by_pinyin is None or self._by_masked is None
        names = list(self.by_name) if fuzzy else []
        load_tables()  # both processes use them: loaded once, here
        cuts = _windows(len(ordered))
        parts = [_cut(half, cuts) for half in halves]
        merge = _Merge(self, ordered, halves)
        with tempfile.TemporaryFile() as down, tempfile.TemporaryFile() as up:  # parent → child, child → parent
            down_r, down_w = os.pipe()
            up_r, up_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: its half, window by window; never returns
                status = 1
                try:
                    os.close(down_w)
                    os.close(up_r)
                    if fuzzy:
                        self._by_masked = None
                        masked = _masked_parts(names)
                        _send(up_w, up, masked)
                        self._by_masked = _Groups.of(masked, names)
                        pinyin = _receive(down_r, down)
                        self._by_pinyin = _Groups.of(pinyin if pinyin is not None else self._pinyin_parts(names),
                                                     names)
                    spec = _Speculation(self, portable=True)
                    for n, window in enumerate(parts[1]):
                        spec.run([ordered[i] for i in window])
                        _send(up_w, up, spec.take())
                        if 0 < n < len(parts[1]) - 1:  # the parent's writes of the window before this one
                            heard = _receive(down_r, down)
                            if heard is None:
                                break  # the parent gave up
                            spec.absorb(heard)
                    status = 0
                finally:
                    os._exit(status)
            os.close(down_r)
            os.close(up_w)
            try:
                if fuzzy:
                    self._by_pinyin = None
                    pinyin = self._pinyin_parts(names)
                    _send(down_w, down, pinyin)
                    self._by_pinyin = _Groups.of(pinyin, names)
                    self._masked_from = (up_r, up)  # received on first use (below at the latest)
                spec = _Speculation(self, portable=False)
                done: list[_Record] = []  # this half's records of the window before, to be merged
                windows: list[list[int] | None] = [*parts[0], None]
                for n, part in enumerate(windows):
                    if part is not None:
                        spec.run([ordered[i] for i in part])
                        mine = spec.take()[0]
                        if n < len(parts[0]) - 2:
                            _send(down_w, down, [(r[2], r[4]) for r in mine])
                    if n == 0:
                        done = mine
                        continue
                    self._masked_index()  # the child's one-typo index first, if not yet taken (same pipe)
                    heard = _receive(up_r, up)  # the child's window before this one
                    if heard is None:
                        break  # the child failed: the rest is matched here, below
                    spec.absorb([(r[2], r[4]) for r in heard[0]])
                    merge.window(done, heard[0], heard[1])
                    done = mine
            except BrokenPipeError:
                pass  # the child is gone
            finally:
                if self._masked_from is not None:  # never taken (an error here): built here when needed
                    self._masked_from = None
                    self._by_masked = None
                os.close(down_w)
                os.close(up_r)
                _reap(pid)
        return merge.finish()

    def _halves(self, ordered: list[BankTxn]) -> tuple[list[int], list[int]]:
        """Positions of the transactions in two halves, this process's about PARALLEL_SHARE of them (it also merges
        the results), all those of one payer's name (else account) in one half: the contracts looked up by a name
        are the same for each of its payments, and a payer's duplicates and N:1 parts are grouped by account or
        name. No name nor account: where it evens the count."""
        halves: tuple[list[int], list[int]] = ([], [])
        side: dict[str, int] = {}
        share = PARALLEL_SHARE
        for n, t in enumerate(ordered):
            key = self._nk(t.counterparty or "") or _account_key(t.counterparty_account)
            h = side.get(key) if key else None
            if h is None:
                h = 0 if len(halves[0]) * (1 - share) <= len(halves[1]) * share else 1
                if key:
                    side[key] = h
            halves[h].append(n)
        return halves

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
            family = _FAMILY[kind]
            weight = W[kind]
            current = entry[1].get(family)
            if current is None or weight > current[0]:
                entry[1][family] = (weight, reason)
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
                size = self.by_unit.count(ukey, self._code(scope))
                unit_full = unit_full or (full and size > 0)
                if size > MAX_BUCKET * 4 or not size:
                    continue
                bucket = self.by_unit.get(ukey, (), self._code(scope))
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
        parties = 0  # candidates the payer is a party of
        for c, _ in list(evidence.values()):
            if nk in c.keys:
                add(c, "name", f"payer name {payer} is a contract party")
                parties += 1
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
        top_id = max(sum(map(_weight, ev.values())) for _, ev in evidence.values())
        for kind in ("name", "relative"):
            if W[kind] >= top_id - MAX_FIT:
                # a namesake could come near the best (the payer is not its party): each one is planned
                groups, code = (self.by_name, self._code(scope)) if kind == "name" else (self.by_relative, None)
                if not 0 < groups.count(nk, code) <= MAX_BUCKET * 4:
                    continue
                reason = f"payer name {payer} is a contract party" if kind == "name" else \
                    f"payer {payer} is a learnt relative/agent of the customer"
                for c in groups.get(nk, (), code):
                    add(c, kind, reason)
                continue
            # as in _decide: a candidate this far below the best on identity counts at its upper bound
            if kind == "name":
                n = self.by_name.count(nk, self._code(scope)) - parties
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
            by_pinyin = self._pinyin_index()
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
        return any(rem[p] == cents for c in contracts for p in c.at)

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
        rem = self.remaining  # read only for an item that would get evidence (a speculative run reads less)
        in_order, owner = self._in_order, self._owner
        for p in block:
            c = in_order[owner[p]]  # (not through the item: a process forked to match writes no item's page)
            if id(c) in evidence and len(evidence[id(c)][1]):
                continue
            if not nk:
                if alone and rem[p] == cents:
                    evidence.setdefault(id(c), (c, {}))
                continue
            kind = ""
            for other in c.keys:
                if self._py(other) in sounds:
                    kind, reason = "homophone", f"payer {payer} sounds like contract party {other}"
                    break
                if _one_off(nk, other):
                    kind, reason = "similar_name", f"payer name differs by one character from contract party {other}"
                    break
                score = max(fuzz.ratio(nk, other), fuzz.ratio(py, self._py(other)))
                if score >= 80:
                    kind, reason = "fuzzy_name", f"payer name close to contract party {other} ({score:.0f}%)"
                    break
            else:
                if alone:
                    kind, reason = "other_name", f"amount only: payer {payer} is not a party of contract {c.no}"
            if kind and rem[p] == cents:
                add(c, kind, reason)

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
        by_id = [(sum(map(_weight, ev.values())), c, ev) for c, ev in cands]
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
        if prior is not None and day - prior <= DUP_DAYS and not self._legit_repeat(plan, day):
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
            rem, items = self.remaining, self._items
            for p, amt in plan.allocs:
                rem[p] -= amt
                allocations.append((items[p].receivable_id, _dec(amt)))
        if allocations and payer_key:
            self._recent[dup_key] = day
        if allocations and plan.kind == "partial":
            group_key = _payer_key(txn.counterparty_account, nk)
            if group_key:
                self._partials.setdefault(group_key, []).append((day, plan.allocs[0][0]))
        return MatchProposal(txn.key, allocations, round(conf, 4), level, reasons, exception, c.id, candidates)

    def _fit_bound(self, c: _Contract, cents: int, day: int) -> float:
        """An upper bound of what planning the contract could add, cheaper than planning it: the exact
        receivables with their due-date weights, else the best plan kind the amounts allow at the due-date
        weight of the nearest open receivable."""
        rem, days = self.remaining, self._days
        best = -99.0
        rems = []
        gap = 1 << 30
        for p in c.at:
            r = rem[p]
            if r <= 0:
                continue
            g = abs(days[p] - day)
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
        below = bisect_left(rems, cents)  # the largest receivable below the amount is the one a small margin reaches
        if below and cents <= rems[below - 1] + max(rems[below - 1] // 20, 200_00):
            return W["over_small"] + due
        if rems[-1] > cents:
            return W["partial"] + due
        return max(W["fifo"], W["overpaid"]) + due

    def _legit_repeat(self, plan: _Plan, day: int) -> bool:
        if plan.kind not in ("exact", "sum"):
            return False
        p, _ = plan.allocs[0]
        if self.remaining[p] < self.original[p]:
            return True  # completes a partly paid receivable (a split payment)
        return abs(self._days[p] - day) <= 20

    def _exact_weight(self, cents: int) -> float:
        """An exact amount counts less when many open items share it (log of how many)."""
        if not RARITY_SLOPE:
            return W["exact"]
        n = self.amount_count(cents)
        if n <= 1:
            return W["exact"]
        return max(EXACT_MIN, W["exact"] - RARITY_SLOPE * math.log(n))

    def _plan(self, c: _Contract, cents: int, day: int) -> _Plan:  # noqa: C901 - one branch per plan kind
        c.sort(self._days)
        rem, orig, days, items = self.remaining, self.original, self._days, self._items
        open_at = [p for p in c.at if rem[p] > 0]
        if not open_at:
            if any(orig[p] == cents for p in c.at):
                return _Plan([], "duplicate", 2.0, "duplicate_payment", "the receivable is already paid")
            return _Plan([], "paid", 0.0, "overpayment", "the contract has nothing outstanding")
        exact = [p for p in open_at if rem[p] == cents]
        if exact:
            best = exact[0] if len(exact) == 1 else \
                min(exact, key=lambda p: (rem[p] == orig[p], abs(days[p] - day)))
            it = items[best]
            return _Plan([(best, cents)], "exact", self._exact_weight(cents), None,
                         f"amount equals {it.kind} due {it.due_date}", it.due_date)
        # 1:N — the sum of consecutive (due order) or of any 2–3 open items of the contract
        total = 0
        j = 0
        for j, p in enumerate(open_at):
            total += rem[p]
            if total == cents and j >= 1:
                allocs = [(x, rem[x]) for x in open_at[: j + 1]]
                return _Plan(allocs, "sum", W["sum"], None,
                             f"amount equals the sum of {j + 1} receivables of the contract", items[p].due_date)
            if total > cents:
                break
        if 3 <= len(open_at) <= 12 and total > cents:
            combo = _small_subset([rem[p] for p in open_at], cents, 3)
            if combo:
                allocs = [(open_at[i], rem[open_at[i]]) for i in combo]
                return _Plan(allocs, "sum", W["sum"] - 0.5, None,
                             f"amount equals the sum of {len(combo)} receivables of the contract",
                             items[open_at[combo[0]]].due_date)
        if any(rem[p] == 0 and orig[p] == cents for p in c.at):
            return _Plan([], "duplicate", 2.0, "duplicate_payment",
                         "a receivable of this amount is already paid")
        open_total = sum(rem[p] for p in open_at)
        # over-payment of one receivable by a small margin
        over = [p for p in open_at if rem[p] < cents <= rem[p] + max(rem[p] // 20, 200_00)]
        if over:
            # the receivable due nearest the payment (equal installments: the one due now, not a later one)
            p = min(over, key=lambda x: (abs(days[x] - day), cents - rem[x]))
            r, it = rem[p], items[p]
            return _Plan([(p, r)], "over", W["over_small"], "overpayment",
                         f"overpayment of {_dec(cents - r)} on {it.kind} due {it.due_date}", it.due_date)
        # partial payment (or the first part of a split one)
        under = [p for p in open_at if rem[p] > cents]
        if under:
            p = max(under, key=lambda x: (rem[x] < orig[x], cents / rem[x] - abs(days[x] - day) / 3650))
            ratio = cents / rem[p]
            if ratio >= 0.3 or cents < rem[open_at[0]]:
                it = items[p]
                return _Plan([(p, cents)], "partial", W["partial"] if ratio >= 0.3 else 0.0, "underpayment",
                             f"partial payment: {_dec(cents)} of {_dec(rem[p])} outstanding on "
                             f"{it.kind} due {it.due_date}", it.due_date)
        first_due = items[open_at[0]].due_date
        if cents > open_total:
            allocs = [(p, rem[p]) for p in open_at]
            return _Plan(allocs, "overpaid", W["overpaid"], "overpayment",
                         f"pays {_dec(cents - open_total)} more than the contract owes", first_due)
        allocs = []
        left = cents
        for p in open_at:
            take = min(left, rem[p])
            allocs.append((p, take))
            left -= take
            if left == 0:
                break
        return _Plan(allocs, "fifo", W["fifo"], None, "allocated to the oldest receivables first", first_due)

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
                paid_before = [p for day, p in partials if abs(day - d0) <= N1_DAYS]
                fits = self._sum_fits(first, window, paid_before)
                if not fits:
                    continue
                if len(fits) > 1:
                    # several receivables fit the sum: take one only when its due date is clearly the nearest
                    def gap(fit: tuple) -> int:
                        return abs(self._days[fit[1]] - fit[0][-1][1].date.toordinal())

                    fits.sort(key=gap)
                    if fits[0][1] == fits[1][1] or gap(fits[0]) > N1_NEAR_DAYS or \
                            gap(fits[1]) < gap(fits[0]) + N1_CLEAR_DAYS:
                        continue
                parts, p, c = fits[0]
                it = self._items[p]
                n = len(parts)
                total = self.remaining[p]
                before = "" if total == self.original[p] else " (completing a receivable the payer part-paid)"
                for idx, t, _ in parts:
                    amt = _cents(t.amount)
                    self.remaining[p] -= amt
                    used.add(idx)
                    proposals[idx] = MatchProposal(
                        t.key, [(it.receivable_id, _dec(amt))], N1_CONFIDENCE, "medium",
                        [f"N:1 split payment: {n} payment(s) of the same payer within {N1_DAYS} days sum to "
                         f"{_dec(total)}, the outstanding {it.kind} due {it.due_date} of contract {c.no}{before}"],
                        None, c.id, [(c.id, N1_CONFIDENCE)])

    def _sum_fits(self, first: tuple, window: list, paid_before: list[int]) -> list[tuple]:
        """(parts, position, contract) where the parts (``first`` and up to N1_MAX_PARTS − 1 of ``window``) sum to
        what the receivable at that position still owes; the fewest parts that fit anything."""
        fits: list[tuple] = []
        rem = self.remaining
        for k in range(0, min(N1_MAX_PARTS - 1, len(window)) + 1):
            for rest in combinations(window, k):
                parts = (first, *rest)
                total = sum(_cents(e[1].amount) for e in parts)
                seen: set[int] = set()
                for p in paid_before:
                    if rem[p] == total and p not in seen:
                        seen.add(p)
                        fits.append((parts, p, self._in_order[self._owner[p]]))
                if k == 0:
                    continue  # one payment alone fits only a receivable the same payer part-paid
                cands = {id(c): c for e in parts for c in e[2]}
                for c in cands.values():
                    c.sort(self._days)  # due-date order, however far the run has planned the contract
                    for p in c.at:
                        if rem[p] == total and p not in seen:
                            seen.add(p)
                            fits.append((parts, p, c))
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
            pool, gaps, values = self._loan_pool(txn, cents, day)
            if pool is None:
                return None
        else:
            at = [p for p in map(self._position, loan_items) if p is not None]  # another's item owes nothing here
            near = sorted((abs(self._days[p] - day), n) for n, p in enumerate(at))
            near = [x for x in near if x[0] <= self.batch_window_days]
            pool, gaps, values = self._nearest_open([at[n] for _, n in near], [g for g, _ in near], cents)
        index = _SubsetIndex(values)
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
            candidates = [(self._items[pool[solutions[k][0]]].contract_id, round(weights[k] / sum(weights), 4))
                          for k in order[:5]]
        level = "high" if conf >= self.high else "medium" if conf >= self.medium else "low"
        if len(solutions) > 1 and level == "high":
            level = "medium"
        if level == "low":
            return MatchProposal(txn.key, [], round(conf, 4), level, reasons, "unidentified", None, candidates)
        allocations = []
        rem, items = self.remaining, self._items
        for p in chosen:
            amt = rem[p]
            rem[p] = 0
            allocations.append((items[p].receivable_id, _dec(amt)))
        return MatchProposal(txn.key, allocations, round(conf, 4), level, reasons + ["batch mortgage disbursement"],
                             None, items[chosen[0]].contract_id, candidates)

    def _loan_pool(self, txn: BankTxn, cents: int, day: int) -> tuple:
        """The lender's open loan receivables a transfer may cover: due within the batch window around its date,
        of its account's project (or of none), owing something and no more than the transfer; nearest due first
        (then in due order), the first BATCH_POOL[0] of them (all a search looks at). (None, …) when the payer
        lends nothing."""
        bank = bank_key(txn.counterparty)
        loans = self._loans.get(bank)
        if not loans:
            return None, None, None
        days = self._loan_days[bank]
        lo, hi = np.searchsorted(days, (day - self.batch_window_days, day + self.batch_window_days + 1)).tolist()
        at = np.arange(lo, hi)
        if txn.project is not None:
            codes = self._loan_codes[bank][lo:hi]
            at = at[(codes == 0) | (codes == self._codes.get(txn.project, -1))]
        gap = np.abs(days[at] - day)
        order = np.argsort(gap, kind="stable")  # stable: equally near, in due order
        return self._nearest_open(list(map(loans.__getitem__, at[order].tolist())), gap[order].tolist(), cents)

    def _nearest_open(self, pool: list[int], gaps: list[int], cents: int) -> tuple:
        """Of a pool (positions) sorted nearest due first, the first BATCH_POOL[0] receivables owing something and
        no more than ``cents``: (their positions, their gaps in days, what each owes). Reads no further than it
        keeps (a speculative run then depends on no more)."""
        rem = self.remaining
        kept: list[int] = []
        kept_gaps: list[int] = []
        values: list[int] = []
        for p, gap in zip(pool, gaps, strict=True):
            owed = rem[p]
            if 0 < owed <= cents:
                kept.append(p)
                kept_gaps.append(gap)
                values.append(owed)
                if len(kept) == BATCH_POOL[0]:
                    break
        return kept, kept_gaps, values

    def match_disbursement_list(self, txn: BankTxn, rows: Iterable[DisbursementRow]) -> MatchProposal:
        """Allocate one disbursement transfer over the rows of the bank's list (contract no / buyer / amount)."""
        cents = _cents(txn.amount)
        rem = self.remaining
        allocations = []
        reasons = []
        problems = []
        listed = 0
        for n, row in enumerate(rows, start=1):
            amt = _cents(row.amount)
            listed += amt
            contracts = list(self.by_contract_no.get(contract_lookup_key(row.contract_no), ())) \
                if row.contract_no else []
            if not contracts and row.buyer_name:
                contracts = list(self.by_name.get(name_key(row.buyer_name), ()))
            loans = [p for c in contracts for p, it in zip(c.at, c.items, strict=True)
                     if it.kind in LOAN_KINDS and rem[p] > 0]
            fit = [p for p in loans if rem[p] == amt]
            at = fit[0] if len(fit) == 1 else (loans[0] if len(loans) == 1 else None)
            if at is None:
                problems.append(f"row {n} ({row.contract_no or row.buyer_name} {row.amount}): "
                                f"{'no' if not loans else 'several'} open loan receivable(s) found")
                continue
            take = min(amt, rem[at])
            if take != amt:
                problems.append(f"row {n}: lists {row.amount} but {_dec(take)} is outstanding")
            allocations.append((at, take))
            reasons.append(f"row {n}: {self._items[at].contract_no} {row.buyer_name} {_dec(take)}")
        exception = None
        if listed != cents:
            problems.append(f"the list totals {_dec(listed)} but the transfer is {txn.amount}")
            exception = "underpayment" if cents < listed else "overpayment"
        total = 0
        kept = []
        for at, amt in allocations:
            amt = min(amt, cents - total)
            if amt <= 0:
                break
            total += amt
            kept.append((self._items[at], amt))
            rem[at] -= amt
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


_ABSENT = object()
_Deferred = tuple[int, BankTxn, list[_Contract]]
# (proposal, what it read, receivables written, recent payments read, written, N:1 parts noted, candidates):
# see _Speculation (portable records carry a tuple for the proposal and a count for what was read)
_Record = tuple[Any, Any, dict, list, dict, list, "list | None"]


def _unplaced(p: MatchProposal) -> bool:
    """A proposal the N:1 pass may still place (with the transaction's candidate contracts)."""
    return p.level == "low" and not p.allocations and p.exception in ("unidentified", "underpayment")


def _reading(base: Any, writes: dict) -> tuple[type[dict], list]:
    """A class of dicts, each one transaction's view of some state (``base``, a dict or the matcher's array of what
    remains by position, with ``writes`` over it) in a speculative run: a key it reads is copied in on first use
    and noted, then its value, in the log (None: not there); what it writes stays in it. The log is shared: the
    caller takes and clears it after each transaction."""
    log: list = []  # key, value, key, value, …
    note = log.extend

    class View(dict):
        __slots__ = ()

        def __missing__(self, key: object) -> object:
            value = writes[key] if key in writes else base[key]
            note((key, value))
            self[key] = value
            return value

        def get(self, key: object, default: object = None) -> object:
            try:
                return self[key]
            except KeyError:
                note((key, None))
                return default

    return View, log


def _portable(p: MatchProposal) -> tuple:
    """A proposal as plain values (amounts in cents, no transaction key), cheap to pickle."""
    return ([(rid, _cents(a)) for rid, a in p.allocations], p.confidence, p.level, p.reasons, p.exception,
            p.contract_id, p.candidates)


def _proposal(key: str, values: tuple) -> MatchProposal:
    allocations, confidence, level, reasons, exception, contract_id, candidates = values
    return MatchProposal(key, [(rid, _dec(c)) for rid, c in allocations], confidence, level, reasons, exception,
                         contract_id, candidates)


class _Merge:
    """The records of the two halves of `Matcher._match_in_two`, window by window, in date order: each kept
    when what it read still holds after the transactions before it (its writes then applied to the matcher's
    state), else the transaction is matched again. Only reads the other process may have seen otherwise are
    compared: receivables the other half wrote in the same window or the one before (not heard of yet), and
    those a transaction matched again wrote, or had written in its speculative run. The payers' recent payments
    are few: each read is compared."""

    def __init__(self, matcher: Matcher, ordered: list[BankTxn], halves: tuple[list[int], list[int]]):
        self.matcher, self.ordered = matcher, ordered
        self.which = bytearray(len(ordered))
        for i in halves[1]:
            self.which[i] = 1
        self.view, self.log = _reading(matcher.remaining, {})
        self.dirty: set = set()
        self.wrote: tuple[set, set] = (set(), set())  # what each half wrote in the window before
        self.proposals: list[MatchProposal] = []
        self.deferred: list[_Deferred] = []
        matcher.rematched = 0

    def window(self, mine: list[_Record], theirs: list[_Record], read: list) -> None:
        """The next window: this half's records, the other's (portable) and what those read."""
        m, ordered, which, dirty = self.matcher, self.ordered, self.which, self.dirty
        remaining, recent, partials = m.remaining, m._recent, m._partials
        get, recent_get = remaining.__getitem__, recent.get
        wrote = (set().union(*(r[2] for r in mine)), set().union(*(r[2] for r in theirs)))
        # what the other half wrote in this window and the one before: not heard of when this one ran
        unseen = (wrote[1] | self.wrote[1], wrote[0] | self.wrote[0])
        self.wrote = wrote
        records = (iter(mine), iter(theirs))
        start = 0
        for _ in range(len(mine) + len(theirs)):
            n = len(self.proposals)
            t = ordered[n]
            half = which[n]
            p, rem_before, rem_after, recent_before, recent_after, noted, cands = next(records[half])
            if half:
                count: int = rem_before
                rem_before = read[start:start + count]
                start += count
            keys = rem_before[::2]
            if (unseen[half].isdisjoint(keys) and dirty.isdisjoint(keys)
                    or list(map(get, keys)) == rem_before[1::2]) and \
                    (not recent_before or list(map(recent_get, recent_before[::2])) == recent_before[1::2]):
                if rem_after:
                    for k, v in rem_after.items():
                        remaining[k] = v
                if recent_after:
                    recent.update(recent_after)
                if half:
                    p = _proposal(t.key, p)
                    if cands is not None:
                        cands = [m.contracts[cid] for cid in cands]
                if noted:
                    for key, day, it in noted:
                        partials.setdefault(key, []).append((day, it))
                if cands is not None:
                    self.deferred.append((n, t, cands))
                self.proposals.append(p)
            else:  # it read something the other half (or a transaction matched again) changed before it
                m.rematched += 1
                dirty.update(rem_after)
                self._again(t)

    def _again(self, t: BankTxn) -> None:
        """``t`` matched here, against the true state; what it writes is noted as dirty."""
        m, remaining = self.matcher, self.matcher.remaining
        rem = m.remaining = self.view()
        try:
            p = m.match_one(t)
        finally:
            m.remaining = remaining
            self.log.clear()
        wrote = {k: v for k, v in rem.items() if v != remaining[k]}
        for k, v in wrote.items():
            remaining[k] = v
        self.dirty.update(wrote)
        if _unplaced(p) and m._last_candidates:
            self.deferred.append((len(self.proposals), t, m._last_candidates))
        self.proposals.append(p)

    def finish(self) -> tuple[list[MatchProposal], list[_Deferred]]:
        """The proposals and deferred transactions of the whole run; what no window covered (the child failed)
        matched here, in order."""
        for t in self.ordered[len(self.proposals):]:
            self._again(t)
        return self.proposals, self.deferred


class _Speculation:
    """One half's transactions matched speculatively (see `Matcher._match_in_two`): against the matcher's
    receivables and payers' recent payments as they were, with this half's writes and those heard of from the
    other half over them, the matcher's own state left untouched. Per transaction a record: (proposal,
    [receivable, remaining it read first, …], {receivable: remaining written}, the same two for the payers'
    recent payments, [(payer, day, receivable)] part payments noted for the N:1 pass, its candidate contracts if
    that pass may place it); receivables by position. ``portable``: a compact form to pickle to the other process
    (amounts in cents, contracts by id, the remaining read by all the records in one flat list, each record
    holding its count)."""

    def __init__(self, matcher: Matcher, portable: bool):
        self.matcher, self.portable = matcher, portable
        self.rem_writes: dict = {}
        self.recent_writes: dict = {}
        self.rem_view, self.rem_log = _reading(matcher.remaining, self.rem_writes)
        self.recent_view, self.recent_log = _reading(matcher._recent, self.recent_writes)
        self.records: list[_Record] = []
        self.read: list = []

    def run(self, txns: list[BankTxn]) -> None:
        m = self.matcher
        remaining, recent, partials = m.remaining, m._recent, m._partials
        rem_view, recent_view, rem_log, recent_log = self.rem_view, self.recent_view, self.rem_log, self.recent_log
        rem_writes, recent_writes, records, portable = self.rem_writes, self.recent_writes, self.records, self.portable
        noted: dict[str, list[tuple[int, int]]] = {}
        try:
            m._partials = noted
            for t in txns:
                rem = m.remaining = rem_view()
                rec = m._recent = recent_view()
                p = m.match_one(t)
                before = dict(zip(rem_log[::2], rem_log[1::2], strict=True))
                rem_after = {k: v for k, v in rem.items() if before.get(k) != v}
                if rec:  # every write follows a read of the same key (noted in the log)
                    seen = dict(zip(recent_log[::2], recent_log[1::2], strict=True))
                    recent_after = {k: v for k, v in rec.items() if seen.get(k, _ABSENT) != v}
                else:
                    recent_after = {}
                rem_writes.update(rem_after)
                recent_writes.update(recent_after)
                cands: list | None = m._last_candidates if _unplaced(p) and m._last_candidates else None
                parts = [(key, day, p) for key, entries in noted.items() for day, p in entries] if noted else []
                noted.clear()
                if portable:
                    self.read += rem_log
                    records.append((_portable(p), len(rem_log), rem_after, recent_log.copy(), recent_after,
                                    parts,
                                    None if cands is None else [c.id for c in cands]))
                else:
                    records.append((p, rem_log.copy(), rem_after, recent_log.copy(), recent_after, parts, cands))
                rem_log.clear()
                recent_log.clear()
        finally:
            m.remaining, m._recent, m._partials = remaining, recent, partials

    def take(self) -> tuple[list[_Record], list]:
        """The records (and what they read, if portable) since the last take."""
        taken = self.records, self.read
        self.records, self.read = [], []
        return taken

    def absorb(self, writes: list[tuple[dict, dict]]) -> None:
        """What the other half's transactions wrote (remaining, recent payments), as the state to go on from."""
        for rem_after, recent_after in writes:
            self.rem_writes.update(rem_after)
            self.recent_writes.update(recent_after)


def _window_bounds(n: int, size: int, first: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive windows over n positions: ``first`` long, then each twice the one before, up to
    ``size``; at least one (empty, when n is 0)."""
    bounds: list[tuple[int, int]] = []
    start, step = 0, max(1, min(first, size))
    while start < n or not bounds:
        bounds.append((start, min(start + step, n)))
        start, step = start + step, min(2 * step, size)
    return bounds


def _windows(n: int) -> list[int]:
    """Where the windows of the date order end: the halves hear of each other's writes after each one."""
    size = max(PARALLEL_WINDOW, -(-n // 200))
    return [*range(size, n, size), n]


def _cut(positions: list[int], cuts: list[int]) -> list[list[int]]:
    """The (ascending) positions of one half, window by window."""
    out = []
    lo = 0
    for cut in cuts:
        hi = bisect_left(positions, cut, lo)
        out.append(positions[lo:hi])
        lo = hi
    return out


# ---- the indexes by key, in bulk: computed as plain arrays (in a helper process when large), then made _Groups

_Parts = tuple[list, np.ndarray, np.ndarray, "np.ndarray | None", object]  # keys, owners, start, codes, drop


def _contract_numbers(numbers: list[str], contracts: list[_Contract]) -> _Groups:
    """Contracts by the digits of their numbers and, where its letters tell a number apart (a project's code), by
    that code too (`contract_code`): JJXF-2025-0003 under 20250003 and JJXF20250003."""
    digits, codes = contract_keys_and_codes(numbers)
    coded = [(i, code) for i, code in enumerate(codes) if code]
    if not coded:
        return _Groups.unique(digits, contracts)
    plain = [i for i, k in enumerate(digits) if k]
    return _Groups([digits[i] for i in plain] + [code for _, code in coded], plain + [i for i, _ in coded], contracts)


def _group_parts(keys: list, owners: np.ndarray, codes: np.ndarray | None = None) -> _Parts:
    """The parts of a `_Groups` of ``owners[i]`` under ``keys[i]``: the distinct keys numbered in order of
    first appearance, the owners sorted by that number (then by code, if given; stable), where each key's
    start."""
    key_list = list(dict.fromkeys(keys))
    if len(key_list) == len(keys) and codes is None:  # every key once: nothing to sort
        return key_list, owners, np.arange(len(keys) + 1, dtype=np.int64), None, None
    ids = dict(zip(key_list, range(len(key_list)), strict=True))
    numbers = np.fromiter(map(ids.__getitem__, keys), dtype=np.int64, count=len(keys))
    return _numbered_parts(key_list, numbers, owners, codes)


def _numbered_parts(key_list: list, numbers: np.ndarray, owners: np.ndarray, codes: np.ndarray | None,
                    drop: object = None) -> _Parts:
    """As `_group_parts`, from keys already numbered: ``numbers[i]`` is the position in ``key_list`` of entry
    i's key (``drop``, if among the keys, has no entries and is left out of the lookups)."""
    if codes is None:
        order = np.argsort(numbers, kind="stable")  # stable: a key's values in the order they came
    else:
        order = np.argsort(numbers * (int(codes.max(initial=0)) + 1) + codes, kind="stable")
    start = np.zeros(len(key_list) + 1, dtype=np.int64)
    np.cumsum(np.bincount(numbers, minlength=len(key_list)), out=start[1:])
    return key_list, owners[order], start, None if codes is None else codes[order], drop


def _masked_parts(names: list[str]) -> _Parts:
    """The parts of the one-typo index over these name keys: those of three characters or more, not latin, by
    length, each position masked in turn (a mask has its "?" at one position of one length: its names come in
    their order all the same). The masks of one length and position are made at once, as a numpy array of
    fixed-width strings (a name with a NUL in it, which that would cut, is masked one by one)."""
    by_length: dict[int, list[int]] = {}
    for n, k in enumerate(names):
        if len(k) >= 3 and not is_latin(k):
            by_length.setdefault(len(k), []).append(n)
    masks: list[str] = []
    owners: list[int] = []
    for length, positions in by_length.items():
        keys = list(map(names.__getitem__, positions))
        chars = np.array(keys, dtype=f"U{length}").view(np.uint32).reshape(len(keys), length) \
            if "\0" not in "".join(keys) else None
        for i in range(length):
            if chars is None:
                masks += [k[:i] + "?" + k[i + 1:] for k in keys]
            else:
                masked = chars.copy()
                masked[:, i] = ord("?")
                masks += masked.view(f"U{length}").ravel().tolist()
            owners += positions
    return _group_parts(masks, np.array(owners, dtype=np.int64))


def _flat_parts(per_contract: list[tuple], codes: np.ndarray | None = None) -> _Parts:
    """The parts of the keys of each contract (flattened in C), with the contracts' project codes if given."""
    counts = np.fromiter(map(len, per_contract), dtype=np.int64, count=len(per_contract))
    owners = np.repeat(np.arange(len(per_contract), dtype=np.int64), counts)
    return _group_parts(list(chain.from_iterable(per_contract)), owners, None if codes is None else codes[owners])


def _name_parts(flat: list[str], counts: np.ndarray, codes: np.ndarray, cache: dict[str, str]) -> _Parts:
    """By name key, from the contracts' party names flattened (``counts``: how many each contract has): the names
    numbered once (a dict, in C), each distinct name normalised once (into ``cache``), the numbers mapped to name
    keys with numpy; sorted by project within a key. A name that normalises to nothing (punctuation only) is no
    name."""
    distinct = dict.fromkeys(flat)
    keys = _name_keys_of(list(distinct), cache)
    key_list = list(dict.fromkeys(keys))
    key_ids = dict(zip(key_list, range(len(key_list)), strict=True))
    to_key = np.fromiter(map(key_ids.__getitem__, keys), dtype=np.int64, count=len(keys))  # name → key number
    name_ids = dict(zip(distinct, range(len(distinct)), strict=True))
    numbers = to_key[np.fromiter(map(name_ids.__getitem__, flat), dtype=np.int64, count=len(flat))]
    owners = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    if "" in key_ids:
        keep = numbers != key_ids[""]
        numbers, owners = numbers[keep], owners[keep]
    return _numbered_parts(key_list, numbers, owners, codes[owners], drop="")


def _unit_parts(labels: list[str], counts: np.ndarray, codes: np.ndarray) -> _Parts:
    """By unit key (each label under its full and its short key), from the contracts' unit labels flattened
    (``counts``: how many each contract has): each distinct label read once, expanded to the contracts with numpy;
    sorted by project within a key."""
    if not len(counts) or (counts != 1).any():  # no label, or several, on some contract: one by one
        ends = np.cumsum(counts).tolist()
        return _flat_parts([tuple(dict.fromkeys(k for label in labels[a:b] for k in _unit_index_keys(label)))
                            for a, b in zip([0, *ends][:-1], ends, strict=True)], codes)
    label_of = labels  # one label each
    distinct = list(dict.fromkeys(label_of))
    keys_of = list(map(_unit_index_keys, distinct))
    key_list = list(dict.fromkeys(chain.from_iterable(keys_of)))
    key_no = dict(zip(key_list, range(len(key_list)), strict=True))
    per_label = np.fromiter(map(len, keys_of), dtype=np.int64, count=len(keys_of))
    flat = np.fromiter(map(key_no.__getitem__, chain.from_iterable(keys_of)), dtype=np.int64,
                       count=int(per_label.sum()))
    first = np.cumsum(per_label) - per_label  # where each distinct label's key numbers start in ``flat``
    label_no = dict(zip(distinct, range(len(distinct)), strict=True))
    lab = np.fromiter(map(label_no.__getitem__, label_of), dtype=np.int64, count=len(label_of))
    count = per_label[lab]
    owners = np.repeat(np.arange(len(label_of), dtype=np.int64), count)
    within = np.arange(len(owners), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return _numbered_parts(key_list, flat[np.repeat(first[lab], count) + within], owners, codes[owners])


def _loan_parts(items: list[OpenItem], days: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The open loan receivables by lender: (lender, positions of its items, their due days), sorted by due
    date (stable)."""
    banks = list(map(_bank, items))
    if banks.count("") + banks.count(None) == len(banks):
        return []
    at = list(compress(range(len(items)), banks))
    at = list(compress(at, map(LOAN_KINDS.__contains__, map(_kind, map(items.__getitem__, at)))))
    if not at:
        return []
    names = list(map(banks.__getitem__, at))
    key_of = {name: bank_key(name) for name in dict.fromkeys(names)}
    lenders = list(dict.fromkeys(key_of.values()))
    lender_no = {bank: n for n, bank in enumerate(lenders)}
    name_no = {name: lender_no[key] for name, key in key_of.items()}
    lender = np.fromiter(map(name_no.__getitem__, names), dtype=np.int64, count=len(names))
    pos = np.asarray(at, dtype=np.int64)
    due = days[pos]
    order = np.lexsort((due, lender))  # by lender, then due date, then position (lexsort is stable)
    lender, due, pos = lender[order], due[order], pos[order]
    bounds = np.searchsorted(lender, np.arange(len(lenders) + 1)).tolist()
    return [(bank, pos[bounds[k]:bounds[k + 1]], due[bounds[k]:bounds[k + 1]]) for k, bank in enumerate(lenders)]


_Runs = tuple[list, list[int], list[int], bool]


def _in_due_order(days: np.ndarray, starts: list[int]) -> list[bool]:
    """Whether the items of each run (from each start to the next) come in due-date order."""
    back = np.flatnonzero(np.diff(days) < 0) + 1  # positions due before the item just before them
    first = np.asarray(starts, dtype=np.int64)
    run = np.searchsorted(first, back, side="right") - 1
    flags = np.ones(len(starts), dtype=bool)
    flags[run[first[run] != back]] = False  # a step back inside a run, not at its start
    return flags.tolist()


def _runs(items: list[OpenItem]) -> _Runs:
    """The contract id of each run of items of one contract, where each run starts and ends, and whether each
    contract is one run (the usual case)."""
    n = len(items)
    cids = list(map(_contract_id, items))
    starts = [0, *compress(range(1, n), map(ne, islice(cids, 1, None), cids))] if n else []
    run_ids = list(map(cids.__getitem__, starts))
    return run_ids, starts, [*starts[1:], n], len(dict.fromkeys(run_ids)) == len(run_ids)


def _firsts(items: list[OpenItem], runs: _Runs) -> list[OpenItem]:
    """The first item of each contract, in order of first appearance (as `Matcher._contracts_of_runs` makes the
    contracts), from the runs of items of one contract id (`_runs`)."""
    run_ids, starts, _, one_each = runs
    if one_each:
        return list(map(items.__getitem__, starts))
    first: dict = {}
    for cid, at in zip(run_ids, starts, strict=True):
        first.setdefault(cid, at)
    return list(map(items.__getitem__, first.values()))


def _project_codes(firsts: list[OpenItem], codes: dict) -> np.ndarray:
    """The project code of each contract, new projects numbered in order of first appearance into ``codes``."""
    projects = list(map(_project, firsts))
    for project in dict.fromkeys(projects):
        if project not in codes:
            codes[project] = len(codes)
    return np.fromiter(map(codes.__getitem__, projects), dtype=np.int64, count=len(projects))


_ALL_PARTS = frozenset({"unit", "name", "relative", "account", "loans"})
_HELPER_PARTS = frozenset({"unit", "name"})  # about half the work, the helper's share (`_keys_answer`)


def _keyed(items: list[OpenItem], cache: dict[str, str], which: frozenset[str],
           known: tuple[list[OpenItem], np.ndarray, np.ndarray]) -> dict:
    """What the key indexes ``which`` are made of, as plain lists and numpy arrays: by unit, name, relative and
    account, the lenders' loans. ``cache``: name → name key. ``known``: the contracts' first items, their project
    codes and the items' due days."""
    firsts, codes, days = known
    out: dict = {}
    if "unit" in which or "name" in which:
        names, name_counts, labels, label_counts = _names_and_labels(firsts)
        if "unit" in which:
            out["unit"] = _unit_parts(labels, label_counts, codes)
        if "name" in which:
            out["name"] = _name_parts(names, name_counts, codes, cache)
    if "relative" in which:
        out["relative"] = _keys_parts(list(map(_known_names, firsts)), partial(_name_keys_of, cache=cache))
    if "account" in which:
        out["account"] = _keys_parts(list(map(_known_accounts, firsts)), _account_keys)
    if "loans" in which:
        out["loans"] = _loan_parts(items, days)
    return out


def _names_and_labels(firsts: list[OpenItem]) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """The contracts' party names, flattened, and how many each contract has; their unit labels likewise."""
    names = list(map(_party_names, firsts))
    labels = list(map(_unit_labels, firsts))
    return list(chain.from_iterable(names)), _lengths(names), list(chain.from_iterable(labels)), _lengths(labels)


def _lengths(lists: list) -> np.ndarray:
    return np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))


def _keys_request(firsts: list[OpenItem], codes: np.ndarray) -> tuple:
    """What the keys helper is sent (`keys_helper`): the contracts' names and labels (`_names_and_labels`), packed,
    and their project codes."""
    names, name_counts, labels, label_counts = _names_and_labels(firsts)
    return _packed(names), name_counts, _packed(labels), label_counts, codes


def _keys_answer(request: tuple) -> dict:
    """The keys helper's answer to `_keys_request`: the parts of the unit and name indexes."""
    names, name_counts, labels, label_counts, codes = request
    return {"unit": _unit_parts(_unpacked(labels), label_counts, codes),
            "name": _name_parts(_unpacked(names), name_counts, codes, {})}


def _fuzzy_answer(name_parts: _Parts) -> tuple[list[str], _Parts, _Parts]:
    """The keys helper's second answer, from the name index's parts (its first): the pinyin of each distinct name
    key (in the order the name index iterates them) and the parts of the pinyin and one-typo indexes over them."""
    keys, drop = name_parts[0], name_parts[4]
    names = [k for k in keys if k != drop] if drop in keys else keys
    pinyins = list(map(pinyin_of, names))
    return pinyins, _group_parts(pinyins, np.arange(len(names), dtype=np.int64)), _masked_parts(names)


def _packed(strings: list[str]) -> str | list[str]:
    """Strings joined by NUL (one object: pickled in one piece, not one by one with a memo each); as they are
    if there are none, or one holds a NUL or is not a string."""
    try:
        joined = "\0".join(strings)
    except TypeError:
        return strings
    return joined if strings and joined.count("\0") == len(strings) - 1 else strings


def _unpacked(packed: str | list[str]) -> list[str]:
    return packed.split("\0") if isinstance(packed, str) else packed


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


def _keys_parts(per_contract: list, keys_of: Callable[[list], list[str]]) -> _Parts:
    """The parts of a `_Groups` of each contract under the keys of its values (names, accounts): the values
    flattened in C, their keys worked out all at once (``keys_of``), an empty key under none."""
    counts = np.fromiter(map(len, per_contract), dtype=np.int64, count=len(per_contract))
    keys = keys_of(list(chain.from_iterable(per_contract)))
    owners = np.repeat(np.arange(len(per_contract), dtype=np.int64), counts)
    if "" in keys:
        keep = np.fromiter(map(bool, keys), dtype=bool, count=len(keys))
        keys, owners = list(compress(keys, keep)), owners[keep]
    return _group_parts(keys, owners)


def _name_keys_of(names: list[str], cache: dict[str, str]) -> list[str]:
    """The name key of each name, each distinct one normalised once (into ``cache``)."""
    for name in dict.fromkeys(names).keys() - cache.keys():
        cache[name] = name_key(name)
    return list(map(cache.__getitem__, names))


def _account_keys(accounts: list[str]) -> list[str]:
    """``_account_key`` of each account: plain account numbers (the usual case) upper-cased all at once."""
    joined = "\n".join(accounts) if all(isinstance(a, str) and a for a in accounts) else ""
    if joined.replace("\n", "").isalnum() and joined.count("\n") == len(accounts) - 1:
        return joined.upper().split("\n")
    return list(map(_account_key, accounts))


def _account_key(account: str) -> str:
    if not account:
        return ""
    if account.isalnum():
        return account.upper()
    return "".join(ch for ch in account if ch.isalnum()).upper()


def _small_subset(values: list[int], target: int, kmax: int) -> list[int] | None:
    """The first 2..kmax values (by index) summing exactly to target, in the order of `itertools.combinations`
    (fewer values first); a handful of values only. The last value of each set is looked up by the value it needs
    rather than tried in turn."""
    n = len(values)
    at: dict[int, list[int]] = {}
    for i, v in enumerate(values):
        at.setdefault(v, []).append(i)
    for k in range(2, kmax + 1):
        for head in combinations(range(n - 1), k - 1):
            need = target - sum(values[i] for i in head)
            last = head[-1]
            for j in at.get(need, ()):
                if j > last:
                    return [*head, j]
    return None


@lru_cache(maxsize=512)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(n, 1)
    return a.astype(np.int64), b.astype(np.int64)


_FILTER_BITS = 20  # a bit table of 2**20 entries (1 MiB): few false positives for the ≈ 20,000 pair sums of a pool
_FILTER_MULT = np.uint64(0x9E3779B97F4A7C15)  # multiplicative hashing (Fibonacci): amounts are round numbers
_filter_tables = threading.local()  # one table per thread, cleared after each use


class _MaybeIn:
    """Which int64 values may be among a set: no false negatives, few false positives (one table entry per hash of
    a member). A search over pair sums keeps only the pairs that may take part before it sorts them, so it sorts a
    few hundred instead of tens of thousands; exact comparisons follow, so a false positive costs nothing but time."""

    def __init__(self, members: np.ndarray):
        table = getattr(_filter_tables, "table", None)
        if table is None or len(table) != 1 << _FILTER_BITS:
            table = _filter_tables.table = np.zeros(1 << _FILTER_BITS, dtype=bool)
        self.table, self.shift = table, np.uint64(64 - _FILTER_BITS)
        self.slots = self._slots(members)
        table[self.slots] = True

    def _slots(self, values: np.ndarray) -> np.ndarray:
        return (values.view(np.uint64) * _FILTER_MULT) >> self.shift

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return self.table[self._slots(values)]

    def __enter__(self) -> _MaybeIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.table[self.slots] = False  # (left set, they would only be false positives)


def _sorted_pairs(a: np.ndarray, b: np.ndarray, ps: np.ndarray, keep: np.ndarray) -> tuple:
    """The pairs ``keep`` marks (``a[p] < b[p]`` index values, ``ps[p]`` their sum, p the pair number), sorted by
    sum, then pair number."""
    at = np.flatnonzero(keep)
    sums = ps[at]
    if len(ps) < (1 << 16) and (not len(sums) or int(sums.min()) >= 0 and int(sums.max()) < (1 << 46)):
        # the pair number in the low bits: a plain sort, faster than an argsort
        packed = (sums << 16) | at
        packed.sort()
        order = packed & 0xFFFF
    else:
        order = at[np.argsort(sums, kind="stable")]
    return a[order], b[order], ps[order]


class _SubsetIndex:
    """The pair sums of a list of values, worked out once: subsets of the list, or of any prefix of it (a batch
    pool is sorted nearest due first and searched in widening windows)."""

    def __init__(self, values: list[int]):
        self.v = np.asarray(values, dtype=np.int64)
        self.a, self.b = _pairs(len(values))
        self.ps = self.v[self.a] + self.v[self.b]  # by pair number

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
    most ``limit`` of them. Meet in the middle over pair sums (numpy searchsorted over those that may take part):
    about O(n² log n) for up to four values, O(n³ log n) for five."""
    if not values or kmax < 1:
        return []
    return _SubsetIndex(values).find(len(values), target, kmax, limit, kmin)


def _subsets(v: np.ndarray, a: np.ndarray, b: np.ndarray, ps: np.ndarray, target: int, kmax: int, limit: int,
             kmin: int) -> list[tuple]:
    """The search behind subset_sums: ``a[p] < b[p]`` index the pairs of ``v``, ``ps[p]`` their sums. Each step
    searches only the pairs that may take part (`_MaybeIn`), sorted by sum then pair number; the subsets come in
    the same order as over all of them: by size, then as the search meets them (the first ``limit``)."""
    n = len(v)
    sols: list[tuple] = []
    if n == 0 or kmax < 1:
        return sols
    if kmin <= 1:
        sols += [(int(i),) for i in np.flatnonzero(v == target)]
    if kmax < 2 or len(sols) >= limit or n < 2:
        return sols[:limit]
    if kmin <= 2:
        sols += [(int(a[p]), int(b[p])) for p in np.flatnonzero(ps == target).tolist()]
    if kmax >= 3 and kmin <= 3 and len(sols) < limit:
        with _MaybeIn(v) as value:  # a pair takes part if the rest is one of the values
            a3, b3, p3 = _sorted_pairs(a, b, ps, value(target - ps))
        rest = target - v
        lo, hi = np.searchsorted(p3, rest, "left"), np.searchsorted(p3, rest, "right")
        for i in np.flatnonzero(hi > lo).tolist():
            sols += [(i, int(a3[p]), int(b3[p])) for p in range(lo[i], hi[i]) if i < a3[p]]
            if len(sols) >= limit:
                break
    if kmax < 4 or kmin > 5 or len(sols) >= limit:
        return _by_size(sols, limit)
    with _MaybeIn(ps) as pair_sum:
        if kmin <= 4:  # a pair takes part if the rest is the sum of a pair
            a4, b4, p4 = _sorted_pairs(a, b, ps, pair_sum(target - ps))
            rest = target - p4
            lo, hi = np.searchsorted(p4, rest, "left"), np.searchsorted(p4, rest, "right")
            for q in np.flatnonzero(hi > lo).tolist():
                bq = b4[q]
                sols += [(int(a4[q]), int(bq), int(a4[p]), int(b4[p])) for p in range(lo[q], hi[q]) if bq < a4[p]]
                if len(sols) >= limit:
                    break
        if kmax < 5 or kmin > 5 or len(sols) >= limit:
            return _by_size(sols, limit)
        # five: a value and two pairs; a pair takes part if, with some value, the rest is the sum of a pair
        keep = np.any(pair_sum((target - v)[:, None] - ps[None, :]), axis=0)
    a5, b5, p5 = _sorted_pairs(a, b, ps, keep)
    rest = ((target - v)[:, None] - p5[None, :]).ravel()  # every (value i, pair q) at once
    lo, hi = np.searchsorted(p5, rest, "left"), np.searchsorted(p5, rest, "right")
    width = len(p5)
    for flat in np.flatnonzero(hi > lo).tolist():
        i, q = divmod(flat, width)
        if a5[q] <= i:
            continue
        bq = b5[q]
        sols += [(i, int(a5[q]), int(bq), int(a5[p]), int(b5[p])) for p in range(lo[flat], hi[flat]) if bq < a5[p]]
        if len(sols) >= limit:
            break
    return _by_size(sols, limit)


def _by_size(sols: list[tuple], limit: int) -> list[tuple]:
    sols.sort(key=len)
    return sols[:limit]


def match_transactions(txns: Iterable[BankTxn], items: Iterable[OpenItem], **options) -> list[MatchProposal]:
    return Matcher(items, **options).match(txns)


def propose_batch(txn: BankTxn, open_loan_items: list[OpenItem], **options) -> MatchProposal | None:
    return Matcher(open_loan_items, **options).propose_batch(txn, open_loan_items)


def match_disbursement_list(txn: BankTxn, list_rows: Iterable[DisbursementRow],
                            open_items: Iterable[OpenItem], **options) -> MatchProposal:
    return Matcher(open_items, **options).match_disbursement_list(txn, list_rows)
