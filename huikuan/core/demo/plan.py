"""A deal's payment plan and payments in plan space (no database), and the story's figures measured
there — the same arithmetic the ledger and `figures` use, so calibration can aim before writing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from huikuan.core.money import ZERO
from huikuan.sales.choices import PaymentMethod
from huikuan.sales.plans import PlanLine, PlanOptions, build_plan

from .catalogue import BANKS, PROVIDENT_CENTRE
from .story import Deal, Story
from .timeline import TODAY

LOAN_KINDS = ("mortgage_loan", "provident_loan")
BANK_NAMES = {b.code: b.name for b in BANKS}


@dataclass(frozen=True)
class Pay:
    day: date
    amount: Decimal
    loan: str = ""        # "", "mortgage" or "provident"
    payer: str = ""       # bank for a loan disbursement
    note: str = ""


def options_of(deal: Deal) -> PlanOptions:
    return PlanOptions(down_payment_ratio=deal.down_ratio, lump_sum_days=deal.lump_sum_days)


def lines_of(deal: Deal) -> list[PlanLine]:
    return build_plan(deal.method, deal.price, deal.sign_date, deposit=deal.deposit,
                      deposit_date=deal.subscribed_on, options=options_of(deal))


def payments_of(deal: Deal, lines: list[PlanLine] | None = None) -> list[Pay]:
    """What arrives for the deal up to TODAY (the subscription deposit included)."""
    pays: list[Pay] = []
    incident = deal.incident
    credit = deal.credit
    for index, line in enumerate(lines if lines is not None else lines_of(deal)):
        if line.kind == "deposit":
            pays.append(Pay(deal.subscribed_on or deal.sign_date, line.amount))
            continue
        unpaid = ZERO
        if incident is not None and incident.line == index:
            unpaid = (line.amount * incident.share).quantize(Decimal("0.01"))
        if line.kind in LOAN_KINDS:
            provident = line.kind == "provident_loan"
            payer = PROVIDENT_CENTRE if provident else BANK_NAMES[deal.bank]
            # a combination loan's two parts are disbursed together by the entrusted bank (组合贷一并放款)
            slow = provident and deal.method != PaymentMethod.COMBINATION
            day = deal.sign_date + timedelta(days=deal.provident_days if slow else deal.loan_days)
            if unpaid == ZERO:
                pays.append(Pay(day, line.amount, "provident" if provident else "mortgage", payer))
            elif incident is not None and incident.cured_on is not None:
                backup = PROVIDENT_CENTRE if provident else BANK_NAMES[deal.backup_bank]
                pays.append(Pay(incident.cured_on, line.amount, "provident" if provident else "mortgage", backup,
                                note=incident.reason))
            continue
        day = max(deal.sign_date, line.due_date - timedelta(days=deal.early_days))
        settled = min(credit, line.amount - unpaid)
        credit -= settled
        if line.amount - unpaid - settled > ZERO:
            pays.append(Pay(day, line.amount - unpaid - settled))
        if unpaid and incident is not None and incident.cured_on is not None:
            pays.append(Pay(incident.cured_on, unpaid, note=incident.reason))
    return sorted((p for p in pays if p.day <= TODAY), key=lambda p: p.day)


@dataclass
class Ledger:
    """Every live deal's lines and payments, computed once."""

    deals: list[Deal]
    lines: dict[int, list[PlanLine]]
    pays: dict[int, list[Pay]]

    @classmethod
    def of(cls, story: Story) -> Ledger:
        lines = {d.key: lines_of(d) for d in story.deals}
        return cls(story.deals, lines, {d.key: payments_of(d, lines[d.key]) for d in story.deals})

    def signed(self, start: date, end: date, **where: str) -> Decimal:
        return sum((d.price for d in self._live(where) if start <= d.sign_date <= end), ZERO)

    def collected(self, start: date, end: date, **where: str) -> Decimal:
        return sum((p.amount for d in self.deals if _match(d, where) for p in self.pays[d.key]
                    if start <= p.day <= end), ZERO)

    def overdue_ratio(self, as_of: date) -> Decimal:
        """Σ (due more than 30 days before `as_of` and unpaid at `as_of`) / Σ due by `as_of`."""
        cutoff = as_of - timedelta(days=31)
        overdue = due = ZERO
        for d in self._live({}):
            received = sum((p.amount for p in self.pays[d.key] if p.day <= as_of), ZERO)
            old = sum((line.amount for line in self.lines[d.key] if line.due_date <= cutoff), ZERO)
            due += sum((line.amount for line in self.lines[d.key] if line.due_date <= as_of), ZERO)
            overdue += max(ZERO, old - received)
        return overdue / due if due else ZERO

    def due(self, as_of: date) -> Decimal:
        return sum((line.amount for d in self._live({}) for line in self.lines[d.key] if line.due_date <= as_of),
                   ZERO)

    def _live(self, where: dict[str, str]) -> list[Deal]:
        return [d for d in self.deals if d.live and _match(d, where)]


def _match(deal: Deal, where: dict[str, str]) -> bool:
    return all(getattr(deal, k) == v for k, v in where.items())


def overdue_of(deal: Deal, as_of: date) -> Decimal:
    """The deal's amount due more than 30 days before `as_of` and still unpaid at `as_of`."""
    lines = lines_of(deal)
    received = sum((p.amount for p in payments_of(deal, lines) if p.day <= as_of), ZERO)
    old = sum((line.amount for line in lines if line.due_date <= as_of - timedelta(days=31)), ZERO)
    return max(ZERO, old - received)
