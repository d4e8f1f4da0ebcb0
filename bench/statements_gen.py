"""Deterministic generator of open receivables and bank transactions with ground truth and named noise.

    from bench.statements_gen import generate
    data = generate(n_txns=10_000, n_items=100_000, seed=7)
    data.items, data.txns, data.truth[txn_key] -> [(receivable_id, Decimal)], data.kind[txn_key]

The book is what a developer with many projects holds at one moment:

- contracts grouped in projects of 500-3,000 contracts, each unit label (3栋1单元1202) unique within its
  project (the same label recurs in other projects), each project with its escrow account (预售资金监管);
- each contract at its own stage of its payment plan: the lines it has already paid are not open, so a
  payment is for whatever line of the contract comes next (a book where every contract still owed its
  deposit would make standard deposits of 20,000 / 50,000 / 100,000 four fifths of all payments);
- a payment arrives on the project's escrow account with probability ``escrow_share`` (the transaction's
  ``project`` is then known, as `reconcile` knows it from the account), else on the developer's general
  account (``project`` None).

Ground truth stays honest at any scale. A payment whose every signal (a contract number or unit in the memo,
a payer account already seen for the contract, the payer's name as written, the amount, the date) fits
another open receivable exactly as well as the true one cannot be attributed by anyone, clerk or program:
a namesake in the same scope owing the same amount due in the same days (a payment arrives PAY_EARLY days
before to PAY_LATE days after the due date), or a bank transfer that another set of that bank's loans in the
same days sums to. "As well" compares the payer's name with each contract's parties on one scale: the same
name (or a learnt relative's name) > the same pinyin > one character different > other. Such a transaction
stays in the statement, labelled ``ambiguous`` with no expected allocation — the right outcome is to hold it
for a person — and its drawn kind is kept in ``data.origin``. The rule reads the generated data only, never
the engine; ``data.stats`` counts how many were relabelled.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from huikuan.banking.matching import BankTxn, OpenItem
from huikuan.banking.matching.engine import subset_sums
from huikuan.banking.matching.normalize import (
    contract_keys_in,
    is_latin,
    latin_variants,
    name_key,
    pinyin_of,
    unit_keys_in,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "章"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞文斌宇浩凯欣怡佳琪子轩梓涵一诺晨阳思雨嘉俊建国志"
TRAD = {"陈": "陳", "张": "張", "刘": "劉", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳", "郑": "鄭", "冯": "馮",
        "邓": "鄧", "伟": "偉", "丽": "麗", "军": "軍", "艳": "艷", "杰": "傑", "娟": "娟", "涛": "濤", "华": "華",
        "兰": "蘭", "红": "紅", "鹏": "鵬", "飞": "飛", "文": "文", "宇": "宇", "浩": "浩", "凯": "凱", "俊": "俊",
        "国": "國", "志": "誌", "叶": "葉", "苏": "蘇", "许": "許", "韩": "韓", "萧": "蕭", "钟": "鍾", "谭": "譚"}
HOMOPHONE = {"伟": "炜", "芳": "方", "静": "靜", "丽": "力", "强": "墙", "磊": "垒", "军": "君", "杰": "洁",
             "涛": "滔", "明": "铭", "超": "潮", "平": "萍", "刚": "钢", "英": "颖", "华": "桦", "玉": "钰",
             "鹏": "朋", "飞": "菲", "文": "雯", "宇": "雨", "浩": "昊", "凯": "恺", "欣": "馨", "佳": "嘉",
             "琪": "琦", "轩": "萱", "涵": "含", "阳": "扬", "思": "斯", "俊": "骏", "建": "健", "国": "果", "志": "智"}
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "中国邮政储蓄银行",
         "兴业银行", "浦发银行", "中信银行", "光大银行", "平安银行", "民生银行", "华夏银行", "广发银行"]
PROVIDENT = "市住房公积金管理中心"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都"]
KINDS = [
    ("clean", 26), ("no_reference", 11), ("unit_instead", 10), ("relative_pays", 6), ("pinyin_name", 5),
    ("traditional_name", 5), ("typo", 5), ("split", 6), ("combined", 4), ("batch", 2), ("duplicate", 3),
    ("underpayment", 3), ("overpayment", 3), ("unrelated", 11),
]
AMBIGUOUS = "ambiguous"  # not drawn: a drawn case that nothing on the line can tell from another (see above)
PAY_EARLY, PAY_LATE = 5, 10  # a buyer pays between 5 days before and 10 days after the due date
BATCH_SPREAD, BATCH_DELAY = 3, 2  # a bank pays loans due within ±3 days of each other, 0-2 days after
PROJECT_SIZES = (500, 3000)
GENERAL_ACCOUNT = "GENERAL"
UNIT_SLOTS = 30 * 4 * 32 * 4  # buildings × staircases × floors × rooms: unit labels of one project


@dataclass
class Dataset:
    items: list[OpenItem]
    txns: list[BankTxn]
    truth: dict[str, list[tuple[object, Decimal]]] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # the drawn kind of each transaction
    original_truth: dict[str, list[tuple[object, Decimal]]] = field(default_factory=dict)  # of the ambiguous ones
    stats: Counter = field(default_factory=Counter)  # drawn kind → cases relabelled ambiguous


@dataclass
class _Case:
    """One drawn case (one or more transactions) and what its identifiability check needs."""

    kind: str
    txns: list[BankTxn]
    truths: list[list[tuple[object, Decimal]]]
    contract: int = -1  # index into the book's contracts; -1: no single contract (batch, unrelated)
    cents: int = 0  # what the payer's money must fit on a rival contract (one line, or the first k lines)
    lines: int = 1
    day: date | None = None
    payer: str = ""
    loans: list[OpenItem] = field(default_factory=list)


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(name)
    return f"{parts[0].upper()} {''.join(parts[1:]).capitalize()}"


def _unit_label(slot: int) -> str:
    building, rest = divmod(slot, 512)
    staircase, rest = divmod(rest, 128)
    floor, room = divmod(rest, 4)
    return f"{building + 1}栋{staircase + 1}单元{floor + 2}{room + 1:02d}"


def generate(n_txns: int = 100_000, n_items: int = 1_000_000, seed: int = 7,
             escrow_share: float = 0.7) -> Dataset:
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    items: list[OpenItem] = []
    contracts: list[list[OpenItem]] = []
    project, room_left, slots = 0, 0, iter(())
    c_no = 0
    while len(items) < n_items:
        if room_left == 0:
            project += 1
            room_left = rng.randint(*PROJECT_SIZES)
            slots = iter(rng.sample(range(UNIT_SLOTS), room_left))
        room_left -= 1
        c_no += 1
        unit = _unit_label(next(slots))
        parties = [_name(rng) for _ in range(1 if rng.random() < 0.7 else 2)]
        accounts = {f"62{rng.randrange(10**16, 10**17)}"} if rng.random() < 0.5 else set()
        relatives = {_name(rng)} if rng.random() < 0.3 else set()
        price = rng.randint(600_000, 5_000_000)
        d0 = start + timedelta(days=rng.randrange(730))
        contract_no = f"HT-{d0.year}-{c_no:06d}"
        method = rng.random()
        plan: list[tuple[str, int, date, str]] = [("deposit", rng.choice([20_000, 50_000, 100_000]), d0, "")]
        rest = price - plan[0][1]
        if method < 0.7:
            down = (price * rng.choice([30, 35, 40]) // 100 // 1000) * 1000 - plan[0][1]
            plan.append(("down_payment", down, d0 + timedelta(days=30), ""))
            lender = rng.choice(BANKS) if method < 0.6 else rng.choice(CITIES) + PROVIDENT
            kind = "mortgage_loan" if method < 0.6 else "provident_loan"
            plan.append((kind, rest - down, d0 + timedelta(days=rng.randint(60, 120)), lender))
        elif method < 0.9:
            n = rng.randint(2, 4)
            part = rest // n
            for k in range(n):
                amt = part if k < n - 1 else rest - part * (n - 1)
                plan.append(("installment", amt, d0 + timedelta(days=30 * (k + 1)), ""))
        else:
            plan.append(("full_payment", rest, d0 + timedelta(days=15), ""))
        paid = rng.randrange(len(plan))  # the contract's stage: its first `paid` lines are settled
        c_items = []
        for kind, amt, due, lender in plan[paid:]:
            c_items.append(OpenItem(
                receivable_id=len(items) + len(c_items), contract_id=c_no, contract_no=contract_no,
                unit_labels=(unit,), kind=kind, due_date=due, outstanding=Decimal(amt), party_names=parties,
                known_payer_accounts=accounts, known_payer_names=relatives, bank=lender, project=project,
            ))
        items.extend(c_items)
        contracts.append(c_items)
    items = items[:n_items]
    contracts[-1] = [it for it in contracts[-1] if it.receivable_id < n_items]
    if not contracts[-1]:
        contracts.pop()
    data = Dataset(items, [])
    used: set = set()
    loans_by_bank: dict[str, list[OpenItem]] = {}
    for it in items:
        if it.bank:
            loans_by_bank.setdefault(it.bank, []).append(it)
    for loans in loans_by_bank.values():
        loans.sort(key=lambda it: it.due_date)
    contract_index = {c[0].contract_id: n for n, c in enumerate(contracts)}
    kinds, weights = zip(*KINDS, strict=True)
    seq = 0
    cases: list[_Case] = []
    total = 0
    while total < n_txns:
        kind = rng.choices(kinds, weights)[0]
        seq += 1
        case = _make(rng, kind, seq, contracts, used, loans_by_bank, escrow_share)
        if case is None:
            continue
        case.txns = case.txns[: n_txns - total]
        case.truths = case.truths[: len(case.txns)]
        total += len(case.txns)
        cases.append(case)
    book = _Book(contracts, contract_index, loans_by_bank, cases)
    for case in cases:
        ambiguous = book.ambiguous(case)
        if ambiguous:
            data.stats[case.kind] += 1
        for txn, truth in zip(case.txns, case.truths, strict=True):
            data.txns.append(txn)
            data.truth[txn.key] = [] if ambiguous else truth
            if ambiguous:
                data.original_truth[txn.key] = truth
            data.kind[txn.key] = AMBIGUOUS if ambiguous else case.kind
            data.origin[txn.key] = case.kind
    return data


class _Book:
    """The indexes the identifiability rule needs: parties by name, pinyin and one-character masks."""

    def __init__(self, contracts: list[list[OpenItem]], contract_index: dict, loans_by_bank: dict,
                 cases: list[_Case]):
        self.contracts = contracts
        self.contract_index = contract_index
        self.loans_by_bank = loans_by_bank
        self.by_name: dict[str, list[int]] = {}
        self.by_pinyin: dict[str, list[int]] = {}
        self._by_mask: dict[str, list[int]] | None = None
        self.keys: list[tuple[str, ...]] = []
        self.relatives: list[tuple[str, ...]] = []
        keys_of: dict[str, str] = {}
        self._pinyins: dict[str, str] = {}
        for n, c in enumerate(contracts):
            first = c[0]
            keys = tuple(keys_of.get(p) or keys_of.setdefault(p, name_key(p)) for p in first.party_names)
            rel = tuple(keys_of.get(p) or keys_of.setdefault(p, name_key(p)) for p in first.known_payer_names)
            self.keys.append(keys)
            self.relatives.append(rel)
            for k in {*keys, *rel}:
                self.by_name.setdefault(k, []).append(n)
            for k in set(keys):
                self.by_pinyin.setdefault(self._py(k), []).append(n)
        self.loan_days = {bank: [it.due_date for it in loans] for bank, loans in loans_by_bank.items()}
        # when each receivable is paid by a generated transaction: a rival already paid is no rival
        self.paid_on: dict[object, date] = {}
        for case in cases:
            for txn, truth in zip(case.txns, case.truths, strict=True):
                for rid, _ in truth:
                    if rid not in self.paid_on or txn.date < self.paid_on[rid]:
                        self.paid_on[rid] = txn.date

    def by_mask(self) -> dict[str, list[int]]:
        if self._by_mask is None:
            self._by_mask = {}
            for n, keys in enumerate(self.keys):
                for k in set(keys):
                    for mask in _masks(k):
                        self._by_mask.setdefault(mask, []).append(n)
        return self._by_mask

    def _open(self, it: OpenItem, day: date) -> bool:
        paid = self.paid_on.get(it.receivable_id)
        return paid is None or paid >= day

    def _py(self, key: str) -> str:
        py = self._pinyins.get(key)
        if py is None:
            py = self._pinyins[key] = pinyin_of(key)
        return py

    def name_level(self, payer: str, n: int) -> int:
        """3 the name (or a learnt relative's), 2 the same pinyin, 1 one character different, 0 other."""
        nk = name_key(payer)
        return self._level(nk, self._sounds(payer, nk), n)

    def _sounds(self, payer: str, nk: str) -> set[str]:
        return set(latin_variants(payer)) if is_latin(nk) else {self._py(nk)}

    def _level(self, nk: str, sounds: set[str], n: int) -> int:
        keys = self.keys[n]
        if nk in keys or nk in self.relatives[n]:
            return 3
        if any(self._py(k) in sounds for k in keys):
            return 2
        return 1 if any(_one_off(nk, k) for k in keys) else 0

    def _rivals_by_name(self, payer: str, level: int) -> set[int]:
        """Contracts whose parties fit the payer's name at least at ``level``."""
        nk = name_key(payer)
        sounds = self._sounds(payer, nk)
        out = set(self.by_name.get(nk, ()))
        if level <= 2:
            for sound in sounds:
                out.update(self.by_pinyin.get(sound, ()))
        if level <= 1:
            masks = self.by_mask()
            for mask in _masks(nk):
                out.update(masks.get(mask, ()))
        return out  # each index holds only contracts at its level or better

    def ambiguous(self, case: _Case) -> bool:
        txn = case.txns[0]
        if case.kind == "batch":
            return self._batch_ambiguous(case, txn)
        if case.contract < 0 or case.kind == "unrelated":
            return False
        own = self.contracts[case.contract]
        if any(contract_keys_in(t.memo) for t in case.txns):
            return False  # every memo reference the generator writes is the true contract's
        if any(t.counterparty_account in own[0].known_payer_accounts for t in case.txns):
            return False
        units = _memo_units(txn.memo)
        level = self.name_level(case.payer, case.contract)
        if level == 0:
            return False  # nothing but the amount: not a name-only case
        for n in self._rivals_by_name(case.payer, level):
            rival = self.contracts[n]
            if n == case.contract or (txn.project is not None and rival[0].project != txn.project):
                continue
            if units and not units & {k for label in rival[0].unit_labels for k, _ in unit_keys_in(label)}:
                continue
            if self._fits(rival, case):
                return True
        return False

    def _fits(self, rival: list[OpenItem], case: _Case) -> bool:
        day = case.day or case.txns[0].date
        open_items = [it for it in rival if self._open(it, day)]
        for k in range(len(open_items) - case.lines + 1):
            part = open_items[k: k + case.lines]
            if sum(int(it.outstanding) * 100 for it in part) == case.cents and \
                    -PAY_EARLY <= (day - part[-1].due_date).days <= PAY_LATE:
                return True
        return False

    def _batch_ambiguous(self, case: _Case, txn: BankTxn) -> bool:
        """Another set of 2-4 of the bank's open loans in scope, all due in the days the true set could be
        due, sums to the transfer too."""
        lo = txn.date - timedelta(days=BATCH_SPREAD + BATCH_DELAY)
        hi = txn.date + timedelta(days=BATCH_SPREAD)
        bank = case.loans[0].bank
        days = self.loan_days[bank]
        pool = [it for it in self.loans_by_bank[bank][bisect_left(days, lo): bisect_right(days, hi)]
                if self._open(it, txn.date) and (txn.project is None or it.project == txn.project)]
        cents = _to_cents(txn.amount)
        sets = subset_sums([int(it.outstanding) * 100 for it in pool], cents, kmax=4, limit=2, kmin=2)
        return len(sets) > 1


def _memo_units(memo: str) -> set[str]:
    """The unit keys a memo names: its full forms (3-1-1202) when it has any, else its short ones (3-1202)."""
    found = unit_keys_in(memo)
    full = {k for k, is_full in found if is_full}
    return full or {k for k, _ in found}


def _masks(key: str) -> list[str]:
    return [key[:i] + "?" + key[i + 1:] for i in range(len(key))] if len(key) >= 2 else []


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _to_cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _name(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(CITIES) + "".join(rng.choices(GIVEN, k=2)) + rng.choice(["科技有限公司", "贸易有限责任公司"])
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=1 if rng.random() < 0.35 else 2))


def _memo_ref(rng: random.Random, it: OpenItem) -> str:
    year, num = it.contract_no.split("-")[1:]
    return rng.choice([f"HT-{year}-{num}", f"HT{year}{num}", f"合同号{year}-{num}", f"合同HT{year}{num}"])


def _unit_form(rng: random.Random, label: str) -> str:
    b, rest = label.split("栋")
    u, room = rest.split("单元")
    return rng.choice([label, f"{b}-{u}-{room}", f"{b}#{room}", f"{b}幢{room}室", f"{b}号楼{u}单元{room}"])


def _payer_account(rng: random.Random, it: OpenItem) -> str:
    if it.known_payer_accounts and rng.random() < 0.5:
        return next(iter(it.known_payer_accounts))
    return f"62{rng.randrange(10**16, 10**17)}"


def _txn(seq: int, sub: int, day: date, cents: int, payer: str, account: str, memo: str,
         project: object = None) -> BankTxn:
    return BankTxn(key=f"T{seq:07d}-{sub}", date=day, amount=Decimal(cents).scaleb(-2), counterparty=payer,
                   counterparty_account=account, memo=memo,
                   account_id=f"ESC{project:05d}" if project is not None else GENERAL_ACCOUNT, project=project)


def _pick(rng, contracts, used, pred=None, tries=50):
    for _ in range(tries):
        n = rng.randrange(len(contracts))
        c = contracts[n]
        open_items = [it for it in c if it.receivable_id not in used and (pred is None or pred(it))]
        if open_items and not (open_items[0].kind in ("mortgage_loan", "provident_loan") and pred is None):
            return n, open_items
    return -1, []


def _make(rng, kind, seq, contracts, used, loans_by_bank, escrow_share):  # noqa: C901 - one branch per kind
    def day_of(it):
        return it.due_date + timedelta(days=rng.randint(-PAY_EARLY, PAY_LATE))

    escrow = rng.random() < escrow_share
    if kind == "unrelated":
        payer = _name(rng)
        cents = rng.randint(100, 3_000_000) * 100 + rng.randint(0, 99)
        if rng.random() < 0.2:
            cents = -cents
        memo = rng.choice(["货款", "工资", "报销", "退款", "", "服务费", "往来款"])
        project = contracts[rng.randrange(len(contracts))][0].project if escrow else None
        return _Case(kind, [_txn(seq, 0, date(2025, 1, 1) + timedelta(days=rng.randrange(800)), cents, payer,
                                 f"62{rng.randrange(10**16, 10**17)}", memo, project)], [[]])
    if kind == "batch":
        bank = rng.choice(list(loans_by_bank))
        loans = loans_by_bank[bank]
        for _ in range(30):
            at = rng.randrange(len(loans))
            pivot = loans[at]
            day = pivot.due_date
            near = [it for it in loans[max(0, at - 60): at + 60]
                    if abs((it.due_date - day).days) <= BATCH_SPREAD and it.receivable_id not in used
                    and (not escrow or it.project == pivot.project)]
            if len(near) >= 2:
                break
        else:
            return None
        chosen = rng.sample(near, min(len(near), rng.randint(2, 4)))
        for it in chosen:
            used.add(it.receivable_id)
        cents = sum(int(it.outstanding) * 100 for it in chosen)
        payer = bank + "股份有限公司" + rng.choice(CITIES) + "分行" if "银行" in bank else bank
        memo = rng.choice(["个人住房贷款放款", "按揭放款", "公积金贷款发放", ""])
        txn = _txn(seq, 0, day + timedelta(days=rng.randint(0, BATCH_DELAY)), cents, payer, f"{rng.randrange(10**15)}",
                   memo, pivot.project if escrow else None)
        return _Case(kind, [txn], [[(it.receivable_id, it.outstanding) for it in chosen]], loans=chosen)
    n, open_items = _pick(rng, contracts, used)
    if n < 0:
        return None
    it = open_items[0]
    project = it.project if escrow else None
    payer = rng.choice(it.party_names)
    account = _payer_account(rng, it)
    memo_ref = _memo_ref(rng, it)
    cents = int(it.outstanding) * 100
    truth = [(it.receivable_id, it.outstanding)]

    def case(txns, truths, payer=payer, cents=cents, lines=1, day=None):
        return _Case(kind, txns, truths, n, cents, lines, day or txns[0].date, payer)

    if kind == "combined":
        take = open_items[: rng.randint(2, 3)]
        if len(take) < 2 or any(x.kind.endswith("loan") for x in take):
            take = open_items[:1]
        for x in take:
            used.add(x.receivable_id)
        total = sum(int(x.outstanding) for x in take)
        t = _txn(seq, 0, day_of(take[-1]), total * 100, payer, account, rng.choice([memo_ref, ""]) + " 房款", project)
        return case([t], [[(x.receivable_id, x.outstanding) for x in take]], cents=total * 100, lines=len(take))
    used.add(it.receivable_id)
    day = day_of(it)
    if kind == "clean":
        memo = f"{memo_ref} {rng.choice(['首付款', '房款', '定金', ''])}"
        return case([_txn(seq, 0, day, cents, payer, account, memo, project)], [truth])
    if kind == "no_reference":
        memo = rng.choice(["", "转账", "房款", "网银转账"])
        return case([_txn(seq, 0, day, cents, payer, account, memo, project)], [truth])
    if kind == "unit_instead":
        memo = _unit_form(rng, it.unit_labels[0]) + " 房款"
        return case([_txn(seq, 0, day, cents, payer, account, memo, project)], [truth])
    if kind == "relative_pays":
        relative = next(iter(it.known_payer_names)) if it.known_payer_names else _name(rng)
        memo = memo_ref if not it.known_payer_names or rng.random() < 0.5 else "代付房款"
        t = _txn(seq, 0, day, cents, relative, f"62{rng.randrange(10**16, 10**17)}", memo, project)
        return case([t], [truth], payer=relative)
    if kind == "pinyin_name":
        if payer[0] in SURNAMES:  # companies keep their name
            payer = _pinyin(payer) if rng.random() < 0.5 else " ".join(reversed(_pinyin(payer).split()))
        return case([_txn(seq, 0, day, cents, payer, account, rng.choice([memo_ref, ""]), project)], [truth],
                    payer=payer)
    if kind == "traditional_name":
        payer = "".join(TRAD.get(ch, ch) for ch in payer)
        memo = rng.choice([memo_ref, "", "房款"])
        return case([_txn(seq, 0, day, cents, payer, account, memo, project)], [truth], payer=payer)
    if kind == "typo":
        chars = list(payer)
        pos = rng.randrange(1, len(chars)) if len(chars) > 1 else 0
        chars[pos] = HOMOPHONE.get(chars[pos], rng.choice(GIVEN)) if rng.random() < 0.7 else rng.choice(GIVEN)
        payer = "".join(chars)
        memo = rng.choice([memo_ref, "", "房款"])
        return case([_txn(seq, 0, day, cents, payer, account, memo, project)], [truth], payer=payer)
    if kind == "split":
        parts = rng.randint(2, 3)
        cuts = sorted(rng.sample(range(1, 100), parts - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        amounts = [int(it.outstanding) * s // 100 for s in shares[:-1]]
        amounts.append(int(it.outstanding) - sum(amounts))
        memo = rng.choice([memo_ref, ""])
        pairs = [(_txn(seq, k, day + timedelta(days=k), a * 100, payer, account, memo, project),
                  [(it.receivable_id, Decimal(a))]) for k, a in enumerate(amounts) if a > 0]
        return case([p[0] for p in pairs], [p[1] for p in pairs], day=day)
    if kind == "duplicate":
        first = _txn(seq, 0, day, cents, payer, account, memo_ref, project)
        second = _txn(seq, 1, day + timedelta(days=rng.randint(0, 2)), cents, payer, account, memo_ref, project)
        return case([first, second], [truth, []])
    if kind == "underpayment":
        paid = int(it.outstanding) * rng.randint(90, 99) // 100
        return case([_txn(seq, 0, day, paid * 100, payer, account, memo_ref, project)],
                    [[(it.receivable_id, Decimal(paid))]])
    if kind == "overpayment":
        paid = int(it.outstanding) + max(1, int(it.outstanding) * rng.randint(1, 4) // 100)
        return case([_txn(seq, 0, day, paid * 100, payer, account, memo_ref, project)], [truth])
    raise ValueError(kind)
