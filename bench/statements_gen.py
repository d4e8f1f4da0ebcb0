"""Deterministic generator of open receivables and bank transactions with ground truth and named noise.

    from bench.statements_gen import generate
    data = generate(n_txns=10_000, n_items=100_000, seed=7)
    data.items, data.txns, data.truth[txn_key] -> [(receivable_id, Decimal)], data.kind[txn_key]
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from huikuan.banking.matching import BankTxn, OpenItem

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


@dataclass
class Dataset:
    items: list[OpenItem]
    txns: list[BankTxn]
    truth: dict[str, list[tuple[object, Decimal]]] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(name)
    return f"{parts[0].upper()} {''.join(parts[1:]).capitalize()}"


def generate(n_txns: int = 100_000, n_items: int = 1_000_000, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    items: list[OpenItem] = []
    contracts: list[list[OpenItem]] = []
    c_no = 0
    while len(items) < n_items:
        c_no += 1
        rng.randrange(1 + n_items // 20_000)
        unit = f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(2, 33)}{rng.randint(1, 4):02d}"
        parties = [_name(rng) for _ in range(1 if rng.random() < 0.7 else 2)]
        accounts = {f"62{rng.randrange(10**16, 10**17)}"} if rng.random() < 0.5 else set()
        relatives = {_name(rng)} if rng.random() < 0.3 else set()
        price = rng.randint(600_000, 5_000_000)
        d0 = start + timedelta(days=rng.randrange(730))
        contract_no = f"HT-{d0.year}-{c_no:06d}"
        method = rng.random()
        plan: list[tuple[str, int, date, str]] = [("deposit", rng.choice([20_000, 50_000, 100_000]), d0, "")]
        rest = price - plan[0][1]
        if method < 0.6 or method < 0.7:
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
        c_items = []
        for k, (kind, amt, due, lender) in enumerate(plan):
            c_items.append(OpenItem(
                receivable_id=len(items) + k, contract_id=c_no, contract_no=contract_no, unit_labels=(unit,),
                kind=kind, due_date=due, outstanding=Decimal(amt), party_names=parties,
                known_payer_accounts=accounts, known_payer_names=relatives, bank=lender,
            ))
        items.extend(c_items)
        contracts.append(c_items)
    items = items[:n_items]
    contracts[-1] = [it for it in contracts[-1] if it.receivable_id < n_items]
    data = Dataset(items, [])
    used: set = set()
    loans_by_bank: dict[str, list[OpenItem]] = {}
    for it in items:
        if it.bank:
            loans_by_bank.setdefault(it.bank, []).append(it)
    for loans in loans_by_bank.values():
        loans.sort(key=lambda it: it.due_date)
    kinds, weights = zip(*KINDS, strict=True)
    seq = 0
    while len(data.txns) < n_txns:
        kind = rng.choices(kinds, weights)[0]
        seq += 1
        made = _make(rng, kind, seq, contracts, used, loans_by_bank)
        for txn, truth in made:
            if len(data.txns) >= n_txns:
                break
            data.txns.append(txn)
            data.truth[txn.key] = truth
            data.kind[txn.key] = kind
    return data


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


def _txn(seq: int, sub: int, day: date, cents: int, payer: str, account: str, memo: str) -> BankTxn:
    return BankTxn(key=f"T{seq:07d}-{sub}", date=day, amount=Decimal(cents).scaleb(-2), counterparty=payer,
                   counterparty_account=account, memo=memo)


def _pick(rng, contracts, used, pred=None, tries=50):
    for _ in range(tries):
        c = rng.choice(contracts)
        open_items = [it for it in c if it.receivable_id not in used and (pred is None or pred(it))]
        if open_items and not (open_items[0].kind in ("mortgage_loan", "provident_loan") and pred is None):
            return c, open_items
    return None, []


def _make(rng, kind, seq, contracts, used, loans_by_bank):  # noqa: C901 - one branch per noise kind
    def day_of(it):
        return it.due_date + timedelta(days=rng.randint(-5, 10))

    if kind == "unrelated":
        payer = _name(rng)
        cents = rng.randint(100, 3_000_000) * 100 + rng.randint(0, 99)
        if rng.random() < 0.2:
            cents = -cents
        memo = rng.choice(["货款", "工资", "报销", "退款", "", "服务费", "往来款"])
        return [(_txn(seq, 0, date(2025, 1, 1) + timedelta(days=rng.randrange(800)), cents, payer,
                      f"62{rng.randrange(10**16, 10**17)}", memo), [])]
    if kind == "batch":
        bank = rng.choice(list(loans_by_bank))
        loans = loans_by_bank[bank]
        pivot = rng.randrange(len(loans))
        day = loans[pivot].due_date
        near = [it for it in loans[max(0, pivot - 40): pivot + 40]
                if abs((it.due_date - day).days) <= 3 and it.receivable_id not in used]
        if len(near) < 2:
            return []
        chosen = rng.sample(near, min(len(near), rng.randint(2, 4)))
        for it in chosen:
            used.add(it.receivable_id)
        cents = sum(int(it.outstanding) * 100 for it in chosen)
        payer = bank + "股份有限公司" + rng.choice(CITIES) + "分行" if "银行" in bank else bank
        return [(_txn(seq, 0, day + timedelta(days=rng.randint(0, 2)), cents, payer, f"{rng.randrange(10**15)}",
                      rng.choice(["个人住房贷款放款", "按揭放款", "公积金贷款发放", ""])),
                 [(it.receivable_id, it.outstanding) for it in chosen])]
    c, open_items = _pick(rng, contracts, used)
    if c is None:
        return []
    it = open_items[0]
    payer = rng.choice(it.party_names)
    account = _payer_account(rng, it)
    memo_ref = _memo_ref(rng, it)
    cents = int(it.outstanding) * 100
    truth = [(it.receivable_id, it.outstanding)]
    if kind == "combined":
        take = open_items[: rng.randint(2, 3)]
        if len(take) < 2 or any(x.kind.endswith("loan") for x in take):
            take = open_items[:1]
        for x in take:
            used.add(x.receivable_id)
        total = sum(int(x.outstanding) for x in take)
        return [(_txn(seq, 0, day_of(take[-1]), total * 100, payer, account, rng.choice([memo_ref, ""]) + " 房款"),
                 [(x.receivable_id, x.outstanding) for x in take])]
    used.add(it.receivable_id)
    day = day_of(it)
    if kind == "clean":
        return [(_txn(seq, 0, day, cents, payer, account, f"{memo_ref} {rng.choice(['首付款', '房款', '定金', ''])}"),
                 truth)]
    if kind == "no_reference":
        return [(_txn(seq, 0, day, cents, payer, account, rng.choice(["", "转账", "房款", "网银转账"])), truth)]
    if kind == "unit_instead":
        return [(_txn(seq, 0, day, cents, payer, account, _unit_form(rng, it.unit_labels[0]) + " 房款"), truth)]
    if kind == "relative_pays":
        relative = next(iter(it.known_payer_names)) if it.known_payer_names else _name(rng)
        memo = memo_ref if not it.known_payer_names or rng.random() < 0.5 else "代付房款"
        return [(_txn(seq, 0, day, cents, relative, f"62{rng.randrange(10**16, 10**17)}", memo), truth)]
    if kind == "pinyin_name":
        if payer[0] not in SURNAMES:
            payer = payer  # companies keep their name
        else:
            payer = _pinyin(payer) if rng.random() < 0.5 else " ".join(reversed(_pinyin(payer).split()))
        return [(_txn(seq, 0, day, cents, payer, account, rng.choice([memo_ref, ""])), truth)]
    if kind == "traditional_name":
        payer = "".join(TRAD.get(ch, ch) for ch in payer)
        return [(_txn(seq, 0, day, cents, payer, account, rng.choice([memo_ref, "", "房款"])), truth)]
    if kind == "typo":
        chars = list(payer)
        pos = rng.randrange(1, len(chars)) if len(chars) > 1 else 0
        chars[pos] = HOMOPHONE.get(chars[pos], rng.choice(GIVEN)) if rng.random() < 0.7 else rng.choice(GIVEN)
        return [(_txn(seq, 0, day, cents, "".join(chars), account, rng.choice([memo_ref, "", "房款"])), truth)]
    if kind == "split":
        parts = rng.randint(2, 3)
        cuts = sorted(rng.sample(range(1, 100), parts - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        amounts = [int(it.outstanding) * s // 100 for s in shares[:-1]]
        amounts.append(int(it.outstanding) - sum(amounts))
        memo = rng.choice([memo_ref, ""])
        return [(_txn(seq, k, day + timedelta(days=k), a * 100, payer, account, memo), [(it.receivable_id, Decimal(a))])
                for k, a in enumerate(amounts) if a > 0]
    if kind == "duplicate":
        first = _txn(seq, 0, day, cents, payer, account, memo_ref)
        second = _txn(seq, 1, day + timedelta(days=rng.randint(0, 2)), cents, payer, account, memo_ref)
        return [(first, truth), (second, [])]
    if kind == "underpayment":
        paid = int(it.outstanding) * rng.randint(90, 99) // 100
        return [(_txn(seq, 0, day, paid * 100, payer, account, memo_ref), [(it.receivable_id, Decimal(paid))])]
    if kind == "overpayment":
        paid = int(it.outstanding) + max(1, int(it.outstanding) * rng.randint(1, 4) // 100)
        return [(_txn(seq, 0, day, paid * 100, payer, account, memo_ref), truth)]
    raise ValueError(kind)
