"""The last weeks of the quarter arrive as bank statements: one escrow account (预售资金监管) per project,
one CSV per account with the buyers' transfers and the banks' loan disbursements of those weeks (a few
paid by relatives, some quoting only the unit or nothing; same-day disbursements of one bank in one
batch), plus interest, a fee, an escrow release and one payer nobody knows. The files are imported
and reconciled through `banking.services`; the banks' disbursement lists place the batch transfers,
and the clerk works the review queue, leaving what only a person who knows more can decide.

The money of these weeks is posted ONLY this way (reconciliation posts the receipts, and
`record_disbursement` the loans), never by the writer — so each yuan is posted once."""

from __future__ import annotations

import random
import tempfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction

from huikuan.banking.choices import MatchStatus
from huikuan.banking.models import BankAccount, BankTransaction, Match
from huikuan.banking.services.disbursements import ListRow, import_disbursement_list, match_disbursement
from huikuan.banking.services.importing import import_statement
from huikuan.banking.services.reconciliation import reconcile
from huikuan.banking.services.review import Line as ReviewLine
from huikuan.banking.services.review import ReviewError, confirm, reject, split
from huikuan.mortgages.models import Bank
from huikuan.mortgages.pipeline import MortgageError
from huikuan.receivables.choices import PLAN_KINDS
from huikuan.receivables.exceptions import LedgerError
from huikuan.receivables.models import Receivable
from huikuan.receivables.services import outstanding_of

from .catalogue import PROJECTS
from .people import GIVEN
from .plan import Pay
from .story import Deal, Story
from .timeline import STATEMENT_WINDOW

DEVELOPER = "成都锦华置业有限公司"
ESCROW = {"A": ("CCB", "51050142613900000187"), "C": ("ICBC", "4402209019100036521"),
          "D": ("ABC", "22813101040016688"), "B": ("BOC", "128246891723"), "E": ("CMB", "128909876510801")}
HEADER = "交易日期,摘要,收入,支出,余额,对方户名,对方账号,用途,流水号"
UNKNOWN_PAYER = ("成都蓉欣商贸有限公司", "4402281009100018832", "往来款")


@dataclass(frozen=True)
class Line:
    day: date
    amount: Decimal          # signed: money in positive
    summary: str
    counterparty: str
    account: str
    memo: str
    rows: tuple[tuple[str, str, Decimal], ...] = ()   # a disbursement's list: (contract no., buyer, amount)


def write_escrow_accounts(projects: dict[str, Any]) -> dict[str, BankAccount]:
    banks = {b.code: b for b in Bank.objects.all()}
    accounts = {key: BankAccount(account_no=no, name=f"{PROJECTS[key].name}预售资金监管账户", bank=banks[code],
                                 project=projects[key], is_escrow=True) for key, (code, no) in ESCROW.items()}
    BankAccount.objects.bulk_create(accounts.values())
    return accounts


def _card(seed: str) -> str:
    return "6217" + f"{zlib.crc32(seed.encode()):010d}" + f"{zlib.crc32(seed[::-1].encode()) % 100000:05d}"


def buyer_line(story: Story, deal: Deal, pay: Pay) -> Line:
    """A buyer's transfer, written the way buyers write them."""
    rng = random.Random(zlib.crc32(f"{deal.contract_no}{pay.day}{pay.amount}".encode()))
    buyer = story.customer(deal.buyer)
    payer, account = buyer.name, _card(buyer.id_number)
    draw = rng.random()
    if draw < 0.55:
        memo = f"{deal.contract_no} 购房款"
    elif draw < 0.72:
        memo = f"{deal.unit.building}{deal.unit.number}房款"
    elif draw < 0.88:
        memo = "转账"
    else:                                  # a relative pays
        payer = buyer.name[0] + rng.choice(GIVEN) + rng.choice(GIVEN)
        account, memo = _card(payer + deal.contract_no), f"代{buyer.name}付{deal.contract_no}房款"
    return Line(pay.day, pay.amount, "转账", payer, account, memo)


def loan_lines(loans: list[tuple[Deal, Pay, Any]], story: Story) -> list[Line]:
    """The banks' disbursements; one bank's disbursements of one day come as one batch transfer."""
    groups: dict[tuple[date, str], list[tuple[Deal, Pay]]] = defaultdict(list)
    for deal, pay, bank in loans:
        groups[(pay.day, bank.name)].append((deal, pay))
    out = []
    for (day, bank), items in sorted(groups.items()):
        total = sum((pay.amount for _, pay in items), Decimal("0"))
        rows = tuple((d.contract_no, story.customer(d.buyer).name, p.amount) for d, p in items)
        if len(items) == 1:
            deal, _ = items[0]
            memo = f"个人住房贷款放款 借款人{story.customer(deal.buyer).name} {deal.contract_no}"
        else:
            memo = f"个人住房贷款批量放款{len(items)}笔"
        out.append(Line(day, total, "贷款放款", bank, _card(bank), memo, rows))
    return out


def other_lines(key: str, bank: str) -> list[Line]:
    """What else an escrow account sees: interest, a fee, a release to the builder, an unknown payer."""
    start, end = STATEMENT_WINDOW
    lines = [Line(date(2026, 9, 21), Decimal(f"{10000 + zlib.crc32(key.encode()) % 9000}.37"), "结息", bank, "",
                  "三季度活期利息"),
             Line(start, Decimal("-35.00"), "手续费", bank, "", "对公账户管理费"),
             Line(date(2026, 9, 28), Decimal("-3000000.00"), "监管资金拨付", "四川华西建设工程有限公司",
                  "51001870836051508888", "按工程节点拨付工程款")]
    if key == "C":
        lines.append(Line(date(2026, 9, 24), Decimal("86000.00"), "转账", *UNKNOWN_PAYER))
    return [line for line in lines if start <= line.day <= end]


def render_csv(account: BankAccount, lines: list[Line], opening: Decimal) -> bytes:
    rows = [f"账号：{account.account_no}", f"户名：{DEVELOPER}", "币种：人民币",
            f"起止日期：{STATEMENT_WINDOW[0]:%Y%m%d}-{STATEMENT_WINDOW[1]:%Y%m%d}", HEADER]
    balance = opening
    for n, line in enumerate(sorted(lines, key=lambda x: x.day), start=1):
        balance += line.amount
        income = f"{line.amount:.2f}" if line.amount > 0 else ""
        expense = f"{-line.amount:.2f}" if line.amount < 0 else ""
        rows.append(f"{line.day:%Y-%m-%d},{line.summary},{income},{expense},{balance:.2f},{line.counterparty},"
                    f"{line.account},{line.memo},{account.bank.code if account.bank else 'B'}{line.day:%Y%m%d}{n:05d}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def import_and_reconcile(story: Story, accounts: dict[str, BankAccount], window: list[tuple[Deal, Pay]],
                         loan_bank: Any, finance: Any) -> None:
    """Write one CSV per escrow account, import it, reconcile, and confirm what a clerk would by now."""
    lines: dict[str, list[Line]] = defaultdict(list)
    loans: dict[str, list[tuple[Deal, Pay, Any]]] = defaultdict(list)
    for deal, pay in window:
        if pay.loan:
            loans[deal.project].append((deal, pay, loan_bank(deal, pay)))
        else:
            lines[deal.project].append(buyer_line(story, deal, pay))
    with tempfile.TemporaryDirectory(prefix="huikuan-demo-") as folder:
        for key, account in accounts.items():
            bank = account.bank.name if account.bank else ""
            content = lines[key] + loan_lines(loans[key], story) + other_lines(key, bank)
            path = Path(folder) / f"{account.account_no}_{STATEMENT_WINDOW[0]:%Y%m%d}.csv"
            path.write_bytes(render_csv(account, content, Decimal(8_000_000 + zlib.crc32(key.encode()) % 9_000_000)))
            import_statement(actor=finance, source=path, account_no=account.account_no)
            reconcile(actor=finance, account=account)
            place_disbursements(account, content, finance)
    review_queue(finance)


def place_disbursements(account: BankAccount, content: list[Line], finance: Any) -> None:
    """The banks send their disbursement lists (放款清单); a transfer the engine could not place is
    matched over its list."""
    for line in content:
        if not line.rows:
            continue
        txn = BankTransaction.objects.get(account=account, date=line.day, amount=line.amount,
                                          counterparty=line.counterparty)
        live = Match.objects.live().filter(transaction=txn).first()
        if live is not None and live.status in (MatchStatus.AUTO, MatchStatus.CONFIRMED):
            continue
        listing = import_disbursement_list(actor=finance, txn=txn, file_name=f"放款清单_{txn.bank_ref}.csv",
                                           rows=[ListRow(no, name, amount) for no, name, amount in line.rows])
        match_disbursement(actor=finance, txn=txn, listing=listing)


def _act(action: Any) -> None:
    try:
        with transaction.atomic():
            action()
    except (ReviewError, LedgerError, MortgageError):
        pass


def review_queue(finance: Any) -> None:
    """The clerk works the queue: dismisses interest, fees and the escrow release (not buyers' money),
    confirms suggestions and amount exceptions, and places a payment whose payer the engine did not know
    when its best candidate owes exactly that amount (the payer is learnt). The rest waits for a person
    who knows more."""
    queue = Match.objects.filter(status__in=[MatchStatus.SUGGESTED, MatchStatus.EXCEPTION]).select_related(
        "transaction").order_by("transaction__date", "pk")
    for match in list(queue):
        txn = match.transaction
        if txn.amount <= 0 or "利息" in txn.memo:
            _act(partial(reject, actor=finance, match=match, note="非购房款（结息/手续费/监管拨付）"))
        elif match.lines.exists() and match.exception_kind not in ("duplicate_payment", "reversal"):
            _act(partial(confirm, actor=finance, match=match, note="核对银行回单后确认"))
        elif match.candidates:
            target = _exact_line(match.candidates[0]["contract_id"], txn.amount)
            if target is not None:
                _act(partial(split, actor=finance, match=match, lines=[ReviewLine(target, txn.amount)],
                             note="与客户电话核实：亲属代付"))


def _exact_line(contract_id: int, amount: Decimal) -> int | None:
    lines = list(Receivable.objects.filter(contract_id=contract_id, kind__in=PLAN_KINDS).order_by("due_date", "pk")
                 .values_list("pk", flat=True))
    owed = outstanding_of(lines) if lines else {}
    return next((pk for pk in lines if owed[pk] == amount), None)
