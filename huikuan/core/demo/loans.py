"""Each loan's way through the bank, planned in memory: when its application opens, passes the credit
pre-check, gets its documents (or is accepted with some missing, 容缺受理), moves stage by stage, is
rejected and switched to a backup bank, is disbursed and the mortgage registered.

Pure: a calibrated `Story` in, `LoanOp`s out (dates only up to TODAY). The money dates come from the
story (`plan.payments_of`), so the pipeline only adds what happened around them; `pipeline` writes it
through `mortgages.services`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .plan import LOAN_KINDS, lines_of, payments_of
from .story import Deal, Story
from .timeline import GREEN_CHANNEL_FROM, STATEMENT_WINDOW, TODAY

COMMERCIAL, PROVIDENT = "mortgage", "provident"        # the loan line, as `plan.Pay.loan` names it
HAPPY = (("submitted", 0.2), ("interview", 0.35), ("appraisal", 0.5), ("approval", 0.6), ("approved", 0.8),
         ("loan_contract", 0.9))
TO_REJECTION = (("submitted", 0.25), ("interview", 0.4), ("appraisal", 0.55), ("approval", 0.7))
DEFERRABLE = ("income_proof", "bank_statements", "marriage")
FINDINGS = ("征信报告显示近两年信用卡逾期 4 次", "名下经营贷余额较高，负债收入比超 55%", "近 6 个月征信查询 9 次",
            "担保代偿记录一笔（已结清）")
REJECTIONS = ("收入证明与银行流水不符，审批未通过", "负债收入比超过银行上限，审批未通过", "征信存在连续逾期，拒绝贷款",
              "银行本月额度用尽且客户资质一般，拒贷")


@dataclass(frozen=True)
class LoanOp:
    """One thing that happens to a deal's loan on `day`. `line` names the loan line (COMMERCIAL or
    PROVIDENT; "" for `open`, which opens every loan line of the contract)."""

    day: date
    op: str        # open pre_check remedy receive defer move reject way_out withdraw disburse register close
    line: str = ""
    stage: str = ""
    bank: str = ""
    note: str = ""
    items: tuple[str, ...] = ()
    due: date | None = None


def bank_days(rng: random.Random, disbursed: date) -> int:
    """Days a bank takes from the application to the money: the green channel from 2026-06-22 on."""
    return rng.randint(10, 18) if disbursed - timedelta(days=14) >= GREEN_CHANNEL_FROM else rng.randint(16, 26)


def _at(start: date, end: date, share: float) -> date:
    return start + timedelta(days=int(max(0, (end - start).days) * share))


class LoanPlanner:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def documents(self, line: str, start: date, submit: date, end: date, open_at_today: bool) -> list[LoanOp]:
        """Receive the checklist, or (容缺受理) defer one or two items with a deadline."""
        rng = self.rng
        if rng.random() >= 0.15:
            return [LoanOp(_at(start, submit, 0.5), "receive", line)]
        items = tuple(rng.sample(DEFERRABLE, rng.randint(1, 2)))
        due = submit + timedelta(days=rng.randint(7, 20))
        ops = [LoanOp(_at(start, submit, 0.5), "receive", line, note="except deferred", items=items),
               LoanOp(submit, "defer", line, items=items, due=due, note="银行容缺受理，客户承诺补交")]
        if open_at_today and rng.random() < 0.6:
            return ops                         # still missing today: due soon, or overdue on the worklist
        received = due - timedelta(days=rng.randint(0, 4))
        ops.append(LoanOp(max(received, submit), "receive", line, items=items, note="补交容缺材料"))
        return ops

    def pre_check(self, line: str, day: date, deal: Deal, may_switch: bool) -> list[LoanOp]:
        rng = self.rng
        draw = rng.random()
        if draw < 0.05:
            return [LoanOp(day, "pre_check", line, note=rng.choice(FINDINGS)),
                    LoanOp(day, "remedy", line, stage="guarantor", note="增加父母作为共同还款人/担保人")]
        if draw < 0.075 and may_switch:
            return [LoanOp(day, "pre_check", line, note=rng.choice(FINDINGS)),
                    LoanOp(day, "remedy", line, stage="other_bank", bank=deal.backup_bank,
                           note="原行对征信要求较严，转备选银行"),
                    LoanOp(day, "pre_check", line)]
        return [LoanOp(day, "pre_check", line)]

    def to_disbursement(self, line: str, start: date, end: date, deal: Deal, *, may_switch: bool = True,
                        disburse: bool = True) -> list[LoanOp]:
        """From the application on `start` to the money on `end` (the loan contract is sometimes skipped)."""
        ops = self.pre_check(line, start, deal, may_switch)
        submit = _at(start, end, HAPPY[0][1])
        ops += self.documents(line, start, submit, end, open_at_today=end > TODAY)
        skip_contract = self.rng.random() < 0.2
        for stage, share in HAPPY:
            if stage == "loan_contract" and skip_contract:
                continue
            ops.append(LoanOp(_at(start, end, share), "move", line, stage=stage))
        if disburse and not (STATEMENT_WINDOW[0] <= end <= STATEMENT_WINDOW[1]):
            ops.append(LoanOp(end, "disburse", line))     # in the statement window the bank statement pays it
        registered = end + timedelta(days=self.rng.randint(20, 45) if self.rng.random() < 0.9
                                     else self.rng.randint(60, 120))
        ops.append(LoanOp(registered, "register", line, note="抵押登记完成，他项权证已交银行"))
        ops.append(LoanOp(registered + timedelta(days=self.rng.randint(3, 10)), "close", line, note="归档"))
        return ops

    def to_rejection(self, line: str, start: date, rejected: date, deal: Deal) -> list[LoanOp]:
        ops = [LoanOp(start, "pre_check", line)]
        submit = _at(start, rejected, TO_REJECTION[0][1])
        ops += [LoanOp(_at(start, submit, 0.5), "receive", line)]
        ops += [LoanOp(_at(start, rejected, share), "move", line, stage=stage) for stage, share in TO_REJECTION]
        ops.append(LoanOp(rejected, "reject", line, note=self.rng.choice(REJECTIONS)))
        return ops

    def loan(self, deal: Deal, line: str, expected: date, cured: date | None, refused: bool) -> list[LoanOp]:
        """One loan line: `expected` is when the first bank would have paid; a refused loan is paid by
        a backup bank on `cured` (or never)."""
        rng = self.rng
        if line == COMMERCIAL:
            start = deal.sign_date
        elif expected > TODAY:                 # still with the bank: applied for soon after signing
            start = deal.sign_date + timedelta(days=rng.randint(1, 7))
        else:                                  # the fund's approval first, then the entrusted bank
            start = max(deal.sign_date, expected - timedelta(days=bank_days(rng, expected)))
        if not refused:
            return self.to_disbursement(line, start, expected, deal, may_switch=deal.incident is None)
        rejected = max(start + timedelta(days=3), min(expected, (cured or TODAY) - timedelta(days=4)))
        ops = self.to_rejection(line, start, rejected, deal)
        if cured is None:
            if rng.random() < 0.5:
                ops.append(LoanOp(rejected + timedelta(days=rng.randint(7, 20)), "way_out", line, stage="cash",
                                  note="客户放弃贷款，改为自筹资金"))
            return ops
        switch = max(rejected + timedelta(days=1), cured - timedelta(days=bank_days(rng, cured)))
        ops.append(LoanOp(switch, "way_out", line, stage="backup_bank", bank=deal.backup_bank,
                          note="原贷款行拒贷，转备选银行"))
        return ops + self.to_disbursement(line, switch, cured, deal, may_switch=False)

    def deal(self, deal: Deal) -> list[LoanOp]:
        lines = lines_of(deal)
        loans = [(i, ln) for i, ln in enumerate(lines) if ln.kind in LOAN_KINDS]
        if not loans:
            return []
        if "cancel" in deal.tags or "swap_from" in deal.tags:
            return self.unwound(deal, COMMERCIAL if loans[0][1].kind == "mortgage_loan" else PROVIDENT)
        pays = {p.loan: p for p in payments_of(deal, lines) if p.loan}
        plans: list[list[LoanOp]] = []
        for index, ln in loans:
            line = PROVIDENT if ln.kind == "provident_loan" else COMMERCIAL
            days = deal.provident_days if line == PROVIDENT and deal.method != "combination" else deal.loan_days
            expected = deal.sign_date + timedelta(days=days)
            incident = deal.incident if deal.incident is not None and deal.incident.line == index else None
            cured = incident.cured_on if incident is not None else None
            if incident is None and line in pays:
                expected = pays[line].day
            plans.append(self.loan(deal, line, expected, cured, incident is not None))
        opened = min(ops[0].day for ops in plans)
        ops = [LoanOp(opened, "open")] + [op for plan in plans for op in plan]
        return [op for op in ops if op.day <= TODAY]

    def unwound(self, deal: Deal, line: str) -> list[LoanOp]:
        """A sale that is undone this quarter: the loan refused before a cancellation, or withdrawn
        for a unit swap."""
        start = deal.sign_date
        ops = [LoanOp(start, "open"), LoanOp(start, "pre_check", line),
               LoanOp(start + timedelta(days=1), "receive", line),
               LoanOp(start + timedelta(days=3), "move", line, stage="submitted"),
               LoanOp(start + timedelta(days=6), "move", line, stage="interview")]
        if "cancel" in deal.tags:
            ops += [LoanOp(start + timedelta(days=14), "reject", line, note=REJECTIONS[0]),
                    LoanOp(start + timedelta(days=20), "way_out", line, stage="cash", note="客户无力全款，协商退房")]
        else:
            ops.append(LoanOp(start + timedelta(days=18), "withdraw", line, note="客户换购更大户型，撤回本申请"))
        return [op for op in ops if op.day <= TODAY]


def plan_loans(story: Story, rng: random.Random) -> dict[int, list[LoanOp]]:
    """Deal key → its loan operations, in the order they happen (same day: in list order)."""
    planner = LoanPlanner(rng)
    return {deal.key: ops for deal in story.deals if (ops := planner.deal(deal))}
