"""Write the planned loan pipeline (`loans`) through `mortgages.services`: applications, pre-checks,
documents and conditional acceptance, stage moves, rejections and ways out, disbursements (which post
the bank's money — the only place the demo posts a loan outside the bank statements), registrations.
Also the banks' agreements (reference data) and their dated policies, recorded through the service so
each change has its diff and its notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from huikuan.mortgages import services as mortgages
from huikuan.mortgages.choices import DocumentStatus, LoanKind, PreCheckResult, Stage
from huikuan.mortgages.models import Bank, BankAgreement, CreditPreCheck, LoanApplication

from .catalogue import BANKS
from .loans import COMMERCIAL, PROVIDENT, LoanOp
from .plan import payments_of
from .story import Deal

LINE_OF_KIND = {LoanKind.COMMERCIAL: COMMERCIAL, LoanKind.PROVIDENT: PROVIDENT}
# (bank, effective from, LPR spread bp, first-home / second-home minimum down payment, approval days, quota, note)
POLICIES: tuple[tuple[str, date, int, str, str, int, str | None, str], ...] = (
    *((b.code, date(2025, 1, 1), spread, "0.20", "0.30", 7, quota, "年度按揭政策")
      for b, spread, quota in zip(BANKS, (-30, -30, -20, -25, -35),
                                  ("150000000", "120000000", "100000000", "100000000", "80000000"), strict=True)),
    *((b.code, date(2026, 6, 22), spread, "0.15", "0.25", 4, quota, "绿色通道协议：审批提速，首付比例按新政下调")
      for b, spread, quota in zip(BANKS, (-35, -30, -25, -30, -40),
                                  ("150000000", "120000000", "100000000", "100000000", "100000000"), strict=True)),
    ("CCB", date(2026, 8, 17), -10, "0.15", "0.40", 8, "60000000",
     "总行收紧二套房信贷：二套首付 40%，利率上浮，额度压降"),
)


def write_agreements(banks: dict[str, Bank]) -> None:
    """Each partner bank's agreement: a plain one from 2025, the green channel from 2026-06-22."""
    BankAgreement.objects.bulk_create(
        [BankAgreement(bank=banks[b.code], signed_on=date(2025, 1, 1), promised_disbursement_days=30,
                       interim_guarantee=True, note="按揭合作协议") for b in BANKS]
        + [BankAgreement(bank=banks[b.code], signed_on=date(2026, 6, 22), green_channel=True,
                         promised_disbursement_days=b.promised_days, interim_guarantee=True,
                         note=f"绿色通道：资料齐全后 {b.promised_days} 天内放款") for b in BANKS])


class Pipeline:
    def __init__(self, contracts: dict[int, Any], users: dict[str, Any]) -> None:
        self.contracts = contracts
        self.banks = {b.code: b for b in Bank.objects.all()}
        self.specialist = users["mortgage"]
        self.manager = users["manager"]
        self.apps: dict[tuple[int, str], LoanApplication] = {}
        self.checks: dict[tuple[int, str], CreditPreCheck] = {}
        self.refs: dict[str, int] = {}

    def policy_events(self) -> list[tuple[date, Callable[[], None]]]:
        return [(row[1], partial(self.record_policy, *row)) for row in POLICIES]

    def record_policy(self, bank: str, on: date, spread: int, first: str, second: str, days: int,
                      quota: str | None, note: str) -> None:
        mortgages.record_bank_policy(actor=self.manager, bank=self.banks[bank], effective_from=on,
                                     lpr_spread_bp=spread, first_home_min_down=Decimal(first),
                                     second_home_min_down=Decimal(second), approval_days=days,
                                     monthly_quota=quota, note=note)

    def run(self, deal: Deal, op: LoanOp) -> None:
        getattr(self, f"do_{op.op}")(deal, op)

    def app(self, deal: Deal, op: LoanOp) -> LoanApplication:
        return self.apps[(deal.key, op.line)]

    def do_open(self, deal: Deal, op: LoanOp) -> None:
        bank = self.banks[deal.bank]
        for app in mortgages.open_applications(actor=self.specialist, contract=self.contracts[deal.key], bank=bank,
                                               provident_bank=bank, specialist=self.specialist, on=op.day):
            self.apps[(deal.key, LINE_OF_KIND[LoanKind(app.loan_kind)])] = app

    def do_pre_check(self, deal: Deal, op: LoanOp) -> None:
        result = PreCheckResult.FLAGGED if op.note else PreCheckResult.CLEAR
        self.checks[(deal.key, op.line)] = mortgages.record_pre_check(
            actor=self.specialist, application=self.app(deal, op), result=result, findings=op.note, on=op.day)

    def do_remedy(self, deal: Deal, op: LoanOp) -> None:
        app = mortgages.choose_pre_check_remedy(
            actor=self.specialist, pre_check=self.checks[(deal.key, op.line)], remedy=op.stage, note=op.note,
            bank=self.banks[op.bank] if op.bank else None, on=op.day)
        self.apps[(deal.key, op.line)] = app

    def do_receive(self, deal: Deal, op: LoanOp) -> None:
        items = self.app(deal, op).documents.exclude(status=DocumentStatus.RECEIVED).order_by("pk")
        if op.note == "except deferred":
            items = items.exclude(kind__in=op.items)
        elif op.items:
            items = items.filter(kind__in=op.items)
        for item in items:
            mortgages.receive_document(actor=self.specialist, item=item, on=op.day)

    def do_defer(self, deal: Deal, op: LoanOp) -> None:
        app = self.app(deal, op)
        deferred = app.documents.filter(kind__in=op.items, status=DocumentStatus.MISSING)
        assert op.due is not None
        mortgages.accept_conditionally(actor=self.specialist, application=app, on=op.day, note=op.note,
                                       deadlines_by_item={item.pk: op.due for item in deferred})

    def do_move(self, deal: Deal, op: LoanOp) -> None:
        mortgages.move_stage(actor=self.specialist, application=self.app(deal, op), to=op.stage, note=op.note,
                             on=op.day)

    def do_reject(self, deal: Deal, op: LoanOp) -> None:
        mortgages.move_stage(actor=self.specialist, application=self.app(deal, op), to=Stage.REJECTED, note=op.note,
                             on=op.day)

    def do_withdraw(self, deal: Deal, op: LoanOp) -> None:
        mortgages.move_stage(actor=self.specialist, application=self.app(deal, op), to=Stage.WITHDRAWN,
                             note=op.note, on=op.day)

    def do_way_out(self, deal: Deal, op: LoanOp) -> None:
        new = mortgages.choose_way_out(actor=self.specialist, application=self.app(deal, op), way_out=op.stage,
                                       bank=self.banks[op.bank] if op.bank else None, note=op.note, on=op.day)
        if new is not None:
            self.apps[(deal.key, op.line)] = new

    def do_disburse(self, deal: Deal, op: LoanOp) -> None:
        pay = next(p for p in payments_of(deal) if p.loan == op.line and p.day == op.day)
        app = self.app(deal, op)
        code = app.bank.code
        self.refs[code] = self.refs.get(code, 0) + 1
        mortgages.record_disbursement(app, pay.amount, op.day, f"{code}{op.day:%Y%m%d}{self.refs[code]:05d}",
                                      actor=self.specialist)

    def do_register(self, deal: Deal, op: LoanOp) -> None:
        app = self.app(deal, op)
        app.refresh_from_db(fields=["stage"])
        if app.stage == Stage.DISBURSED:       # a disbursement left in the reconciliation queue is not registered
            mortgages.move_stage(actor=self.specialist, application=app, to=Stage.REGISTERED, note=op.note, on=op.day)

    def do_close(self, deal: Deal, op: LoanOp) -> None:
        app = self.app(deal, op)
        if app.stage == Stage.REGISTERED:
            mortgages.move_stage(actor=self.specialist, application=app, to=Stage.CLOSED, note=op.note, on=op.day)
