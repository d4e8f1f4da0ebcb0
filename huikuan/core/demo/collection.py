"""The dunning side of the demo, through `dunning.services` only: the nightly round on the demo's
round days (scan, promises settled, due steps run), promises to pay (kept by buyers who later catch up,
broken by those who never do), disputes (one past its 24-hour response time, one upheld with a late-fee
waiver, one still open), a restructuring approved by a second person, and the legal ladder kept to a
few lawyer letters and one litigation referral (the other legal steps are skipped with a reason).

`plan_promises` is pure (story in, promises out); `Collection` runs everything on its day."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from huikuan.core.money import ZERO
from huikuan.dunning import services as dunning
from huikuan.dunning.choices import ActionKind, ActionStatus, DisputeOutcome, DisputeSource, RestructuringKind
from huikuan.dunning.models import CaseAction, CollectionCase
from huikuan.receivables import services as ledger
from huikuan.receivables.choices import ReceivableKind
from huikuan.receivables.models import Receivable

from .calibrate import REASONS
from .plan import LOAN_KINDS, lines_of
from .story import Story
from .timeline import TODAY, dunning_rounds

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAWYER_LETTERS = 4            # cases that may reach a lawyer letter; the first of them goes to litigation
LEGAL = ("lawyer_letter", "litigation", "asset_preservation")
HOLD_BACK = {"lawyer_letter": "客户已签署还款承诺书，暂缓发律师函",
             "litigation": "管理层决定暂缓诉讼，继续协商还款",
             "asset_preservation": "暂不申请财产保全"}


@dataclass(frozen=True)
class PlannedPromise:
    deal: int
    made_on: date
    pay_by: date
    amount: Decimal
    kept: bool


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def plan_promises(story: Story, rng: random.Random) -> list[PlannedPromise]:
    """Buyers who catch up later promise it first (kept); some who never pay promise too (broken)."""
    rounds = dunning_rounds()
    out = []
    for deal in story.deals:
        incident = deal.incident
        if incident is None or incident.reason not in (REASONS["short"], REASONS["missed"]) or not deal.live:
            continue
        line = lines_of(deal)[incident.line]
        amount = (line.amount * incident.share).quantize(Decimal("0.01"))
        first = next((d for d in rounds if d >= line.due_date + timedelta(days=4)), None)
        if first is None:
            continue
        if incident.cured_on is not None and rng.random() < 0.6:
            made = max(first + timedelta(days=1), incident.cured_on - timedelta(days=rng.randint(3, 8)))
            if made <= incident.cured_on:
                out.append(PlannedPromise(deal.key, made, incident.cured_on + timedelta(days=rng.randint(0, 3)),
                                          amount, kept=True))
        elif incident.cured_on is None and rng.random() < 0.5:
            made = first + timedelta(days=rng.randint(3, 15))
            pay_by = made + timedelta(days=rng.randint(7, 14))
            if pay_by < TODAY - timedelta(days=3):
                out.append(PlannedPromise(deal.key, made, pay_by, amount, kept=False))
    return out


class Collection:
    def __init__(self, story: Story, contracts: dict[int, Any], users: dict[str, Any], rng: random.Random) -> None:
        self.story, self.contracts, self.users = story, contracts, users
        self.promises = plan_promises(story, rng)
        self.lawyer_cases: list[int] = []
        self.litigation_cases: list[int] = []

    def events(self) -> list[tuple[date, str, int, Callable[[], object]]]:
        """(day, phase, order, action): promises on the day they are made, disputes, the rounds, and
        on TODAY a restructuring and a dispute whose response time is still running."""
        out: list[tuple[date, str, int, Callable[[], object]]] = [
            (p.made_on, "casework", p.deal, partial(self.promise, p)) for p in self.promises]
        out += [(day, "round", 0, partial(self.round, day)) for day in dunning_rounds()]
        out += [(date(2026, 8, 12), "casework", -1, self.dispute_breached),
                (date(2026, 10, 20), "casework", -1, self.dispute_waived),
                (TODAY, "today", 0, self.restructure), (TODAY, "today", 1, self.dispute_open)]
        return out

    # --- the nightly round ---------------------------------------------------------------------

    def round(self, day: date) -> None:
        dunning.scan_overdue(day)
        dunning.review_promises(day)
        self.hold_back_legal(day)
        dunning.run_due_steps(day)

    def hold_back_legal(self, day: date) -> None:
        """Only a few cases get a lawyer letter and one is referred to litigation; the collectors skip
        the other legal steps with a reason."""
        due = (CaseAction.objects.filter(kind=ActionKind.STEP, status=ActionStatus.PENDING, planned_on__lte=day,
                                         channel__in=LEGAL, case__status="open")
               .select_related("case__contract").order_by("case__contract__contract_no", "step__position", "pk"))
        for action in due:
            case_id = action.case_id
            if action.channel == "lawyer_letter" and (case_id in self.lawyer_cases
                                                      or len(self.lawyer_cases) < LAWYER_LETTERS):
                if case_id not in self.lawyer_cases:
                    self.lawyer_cases.append(case_id)
                continue
            if action.channel == "litigation" and (case_id in self.litigation_cases or (
                    not self.litigation_cases and case_id in self.lawyer_cases)):
                if case_id not in self.litigation_cases:
                    self.litigation_cases.append(case_id)
                continue
            dunning.skip_step(action, actor=self.users["legal"], reason=HOLD_BACK[action.channel])

    # --- case work -------------------------------------------------------------------------------

    def _case(self, deal_key: int) -> CollectionCase | None:
        return CollectionCase.objects.open().filter(contract=self.contracts[deal_key]).first()

    def promise(self, planned: PlannedPromise) -> None:
        case = self._case(planned.deal)
        if case is None:          # no case open that day (the round had not seen it late yet)
            return
        if not planned.kept and case.level == "red":
            return                # dunning cannot escalate a broken promise beyond red (see docs/demo.md)
        dunning.promise_to_pay(case, actor=case.owner or self.users["collector"], amount=planned.amount,
                               pay_by=planned.pay_by, made_on=planned.made_on)

    def _open_cases(self) -> list[CollectionCase]:
        return list(CollectionCase.objects.open().filter(customer__is_vip=False)
                    .select_related("contract").order_by("contract__contract_no"))

    def _late_line(self, case: CollectionCase, day: date) -> Receivable | None:
        lines = list(case.contract.receivables.filter(due_date__lte=day).exclude(kind__in=[*LOAN_KINDS,
                                                                                          ReceivableKind.LATE_FEE])
                     .order_by("due_date", "pk"))
        owed = ledger.outstanding_of([r.pk for r in lines]) if lines else {}
        return next((r for r in lines if owed[r.pk] > ZERO), None)

    def dispute_breached(self) -> None:
        """A customer says a relative paid; the first answer comes after 30 hours (SLA breached)."""
        day = date(2026, 8, 12)
        for case in self._open_cases():
            line = self._late_line(case, day)
            if line is None:
                continue
            dispute = dunning.open_dispute(receivable=line, reason="客户称七月已由亲属代为转账，要求核实到账情况",
                                           source=DisputeSource.CUSTOMER_LINK, at=_at(day, 10, 5))
            dunning.respond(dispute, actor=self.users["collector"], at=_at(day + timedelta(days=1), 16, 30),
                            text="已请财务核查亲属账户转账记录")
            dunning.resolve(dispute, actor=self.users["collector"], outcome=DisputeOutcome.REJECTED,
                            at=_at(day + timedelta(days=7), 11), resolution="经核实未收到该笔转账，维持原催收")
            return

    def dispute_waived(self) -> None:
        """A buyer who caught up disputes the late fee (the bank's daily transfer limit split the payment);
        upheld, the fee is waived (requested by the collector, approved by the manager)."""
        day = date(2026, 10, 20)
        caught_up = sorted((d for d in self.story.deals if d.incident is not None and d.live
                            and d.incident.reason in (REASONS["short"], REASONS["missed"])
                            and d.incident.cured_on is not None and d.incident.cured_on < day),
                           key=lambda d: d.contract_no, reverse=True)
        for deal in caught_up:
            contract = self.contracts[deal.key]
            ledger.post_late_fees(actor=self.users["finance"], contract=contract, as_of=day)
            fee = contract.receivables.filter(kind=ReceivableKind.LATE_FEE).order_by("pk").first()
            owed = ledger.outstanding_of([fee.pk])[fee.pk] if fee is not None else ZERO
            if fee is None or owed <= ZERO:
                continue
            collector = self.users["collector"]
            dispute = dunning.open_dispute(receivable=fee, actor=self.users["service"], at=_at(day, 9, 40),
                                           reason="逾期系银行单日转账限额、分次到账所致，申请减免违约金")
            dunning.respond(dispute, actor=collector, text="已调取银行回单核实，提交减免申请", at=_at(day, 15))
            dispute = dunning.resolve(dispute, actor=collector, outcome=DisputeOutcome.UPHELD, adjust_by=owed,
                                      resolution="核实为银行转账限额原因，违约金全额减免",
                                      at=_at(day + timedelta(days=1), 10))
            assert dispute.waiver is not None
            ledger.decide_waiver(actor=self.users["manager"], waiver=dispute.waiver, approve=True,
                                 note="同意：逾期系银行原因", on=day + timedelta(days=2))
            return

    def dispute_open(self) -> None:
        """This morning's dispute: its 24-hour response time is still running."""
        for case in self._open_cases():
            line = self._late_line(case, TODAY)
            if line is None:
                continue
            dunning.open_dispute(receivable=line, reason="客户对账单金额有异议，称合同约定的分期金额与账单不一致",
                                 actor=self.users["service"], at=_at(TODAY, 9, 15))
            return

    def restructure(self) -> None:
        """A buyer whose income fell gets the arrears spread over three months, approved by the manager."""
        for case in reversed(self._open_cases()):
            line = self._late_line(case, TODAY)
            if line is None:
                continue
            owed = ledger.outstanding_of([line.pk])[line.pk]
            first = (owed / 3).quantize(Decimal("0.01"))
            plan = [(date(2026, 12, 31), first), (date(2027, 1, 31), first), (date(2027, 2, 28), owed - 2 * first)]
            item = dunning.request_restructuring(case, actor=self.users["collector"],
                                                 kind=RestructuringKind.INSTALLMENTS, receivables=[line], lines=plan,
                                                 reason="客户经营收入下降，申请欠款分三期偿还")
            dunning.decide_restructuring(item, actor=self.users["manager"], approve=True,
                                         note="同意分三期，逾期即恢复催收")
            return
