"""Tune a generated story so that the review quarter lands on DEMO.md's figures.

Every step is deterministic and works in plan space (`plan.Ledger`): the product-line shares of the
quarter's signed amount, the overdue-over-30-days ratios at the ends of the last two quarters (by
choosing which buyers default, and which of them catch up when), and last year's collections.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from huikuan.customers.choices import CustomerKind
from huikuan.sales.choices import PaymentMethod as M

from .plan import LOAN_KINDS, Ledger, lines_of, overdue_of, payments_of
from .story import Deal, Incident, Story
from .timeline import PERIODS, TODAY, quarter_bounds

# share of the review quarter's signed amount per project (residential A+D 65 %, commercial C 28 %)
QUARTER_SHARES = {"A": Decimal("0.3227"), "C": Decimal("0.28"), "D": Decimal("0.3273"), "B": Decimal("0.05"),
                  "E": Decimal("0.02")}
OVERDUE_LAST_QUARTER = Decimal("0.058")     # as of 2026-06-30
OVERDUE_QUARTER = Decimal("0.037")          # as of 2026-09-30
STUCK_SHARE = Decimal("0.027")              # of it, buyers who have still not paid (as of 2026-06-30)
YEAR_ON_YEAR = Decimal("1.23")
LAST_QUARTER_END, QUARTER_END = date(2026, 6, 30), date(2026, 9, 30)
REASONS = {
    "rejected": "原贷款行拒贷，转备选银行放款",
    "stuck": "贷款审批未通过，客户资金紧张",
    "short": "首付款不足，客户承诺分批补齐",
    "missed": "分期款逾期",
    "vip": "VIP客户资金周转，延迟付款",
}
VIP_LATE = 4
SLOW_BANK_SHARE = 0.4
# the refused loans of the spring that a backup bank pays (and the shortfalls buyers make good) in the quarter's
# first weeks; the oldest problems stay unpaid
CATCH_UP = (date(2026, 7, 6), date(2026, 7, 31))
SHORTFALLS_MADE_GOOD = 3


def slow_banks(story: Story, rng: random.Random) -> None:
    """Some loans of this quarter (2026Q4) are still with the bank today — in every stage, some stuck
    past their SLA, some past the disbursement deadline (then the case goes to the specialist).
    Only money after 2026-10-01 moves: the review quarter's figures stay as they are."""
    for deal in story.deals:
        if (deal.period == "2026Q4" and deal.live and deal.incident is None and not deal.tags
                and deal.method in (M.MORTGAGE, M.COMBINATION) and rng.random() < SLOW_BANK_SHARE):
            deal.loan_days = (TODAY - deal.sign_date).days + rng.randint(2, 30)


def vip_late_payers(story: Story, rng: random.Random) -> None:
    """A few VIP owners pay a line of 2026Q3 one to three weeks late, within the quarter: their cases go
    to their advisor first. (Late by less than 30 days, in the quarter: no figure of the story moves.)"""
    found = []
    for deal in story.deals:
        buyer = story.customer(deal.buyer)
        if not deal.live or deal.incident is not None or not buyer.is_vip or deal.tags - {"vip_repeat"}:
            continue
        for index, line in enumerate(lines_of(deal)):
            if line.kind in ("down_payment", "installment", "final_payment") and \
                    date(2026, 7, 6) <= line.due_date <= date(2026, 8, 20):
                found.append((deal, index, line.due_date))
                break
    rng.shuffle(found)
    for deal, index, due in found[:VIP_LATE]:
        deal.incident = Incident(index, Decimal("1"), due + timedelta(days=rng.randint(9, 20)), REASONS["vip"])


def calibrate(story: Story, rng: random.Random) -> None:
    fit_quarter_shares(story)
    fit_payment_mix(story, random.Random(rng.random()))
    for _ in range(3):
        choose_incidents(story, random.Random(rng.random()))
        fit_last_year(story)
    vip_late_payers(story, random.Random(rng.random()))
    slow_banks(story, random.Random(rng.random()))
    settle_swaps(story)


def settle_swaps(story: Story) -> None:
    """A swapped buyer's payments move to the new contract and settle its first lines."""
    for new in (d for d in story.deals if "swap_to" in d.tags):
        old = next(d for d in story.deals if "swap_from" in d.tags and d.buyer == new.buyer)
        new.credit = sum((p.amount for p in payments_of(old) if p.day <= new.sign_date), Decimal("0"))
        # the money moved in goes toward the down payment: the buyer borrows less, never pays twice
        while sum((ln.amount for ln in lines_of(new) if ln.kind not in LOAN_KINDS), Decimal("0")) < new.credit:
            new.down_ratio += Decimal("0.05")


def _scale_units(deals: list[Deal], factor: Decimal) -> None:
    for deal in deals:
        deal.unit.price_per_m2 = (deal.unit.price_per_m2 * factor).quantize(Decimal("1"))


def fit_quarter_shares(story: Story) -> None:
    """Scale each project's unit prices in the quarter so the product-line shares hold."""
    quarter = [d for d in story.deals if d.period == "2026Q3" and d.live]
    total = sum((d.price for d in quarter), Decimal("0"))
    for project, share in QUARTER_SHARES.items():
        mine = [d for d in quarter if d.project == project]
        signed = sum((d.price for d in mine), Decimal("0"))
        if signed:
            _scale_units(mine, total * share / signed)


GROUPS: dict[str, str] = {M.MORTGAGE: "mortgage", M.COMBINATION: "mortgage", M.PROVIDENT_FUND: "provident",
          M.LUMP_SUM: "lump_sum", M.INSTALLMENT: "lump_sum"}
PAYMENT_MIX = {"mortgage": Decimal("0.62"), "provident": Decimal("0.18"), "lump_sum": Decimal("0.20")}


def payment_mix(story: Story) -> dict[str, Decimal]:
    """Share of the quarter's collections by the contracts' payment method (grouped as in `figures`)."""
    ledger = Ledger.of(story)
    start, end = quarter_bounds(2026, 3)
    totals = dict.fromkeys(PAYMENT_MIX, Decimal("0"))
    for deal in story.deals:
        totals[GROUPS[deal.method]] += sum((p.amount for p in ledger.pays[deal.key] if start <= p.day <= end),
                                           Decimal("0"))
    whole = sum(totals.values(), Decimal("0"))
    return {k: v / whole for k, v in totals.items()}


def fit_payment_mix(story: Story, rng: random.Random, tolerance: Decimal = Decimal("0.006")) -> None:
    """Move individual buyers of the quarter between commercial mortgage, provident fund and lump sum
    until the quarter's collections split about 62 / 18 / 20."""
    pool = [d for d in story.deals if d.period in ("2026Q2", "2026Q3") and d.live and not d.tags
            and story.customer(d.buyer).kind == CustomerKind.INDIVIDUAL
            and d.method in (M.MORTGAGE, M.PROVIDENT_FUND, M.LUMP_SUM)]
    rng.shuffle(pool)
    for deal in pool:
        mix = payment_mix(story)
        gaps = {k: mix[k] - PAYMENT_MIX[k] for k in PAYMENT_MIX}
        if all(abs(g) <= tolerance for g in gaps.values()):
            return
        source = GROUPS[deal.method]
        if gaps[source] <= 0:
            continue
        wanted = min(gaps, key=lambda k: gaps[k])
        if gaps[wanted] < 0:
            deal.method = {"mortgage": M.MORTGAGE, "provident": M.PROVIDENT_FUND, "lump_sum": M.LUMP_SUM}[wanted]


def fit_last_year(story: Story) -> None:
    """Scale last year's prices so this quarter's collections are up about 23 % on last year's."""
    ledger = Ledger.of(story)
    now = ledger.collected(*quarter_bounds(2026, 3))
    then = ledger.collected(*quarter_bounds(2025, 3))
    if then:
        _scale_units([d for d in story.deals if d.period in ("2025Q2", "2025Q3")], now / YEAR_ON_YEAR / then)


def _candidates(story: Story, first_due: date, last_due: date) -> list[tuple[Deal, int, str]]:
    """Plan lines of individual buyers due in the window that could go unpaid."""
    found = []
    for deal in story.deals:
        buyer = story.customer(deal.buyer)
        if (not deal.live or deal.incident is not None or buyer.kind != CustomerKind.INDIVIDUAL or buyer.is_vip
                or deal.tags & {"offer", "vip_repeat", "swap_to"}):
            continue
        for index, line in enumerate(lines_of(deal)):
            if not first_due <= line.due_date <= last_due:
                continue
            if line.kind in LOAN_KINDS:
                found.append((deal, index, "rejected"))
            elif line.kind in ("down_payment", "full_payment"):
                found.append((deal, index, "short"))
            elif line.kind in ("installment", "final_payment"):
                found.append((deal, index, "missed"))
    return found


def _pick(pool: list[tuple[Deal, int, str]], target: Decimal, as_of: date, rng: random.Random,
          make: Callable[[Deal, int, str, Decimal], Incident]) -> Decimal:
    """Give incidents to candidates (in pool order) until the overdue they add at `as_of` reaches
    `target`. Returns the overdue added."""
    total = Decimal("0")
    for deal, index, kind in pool:
        if total >= target:
            break
        if deal.incident is not None:
            continue
        share = Decimal("1") if kind != "short" else Decimal(rng.randint(40, 100)) / 100
        deal.incident = make(deal, index, kind, share)
        added = overdue_of(deal, as_of)
        if added == 0 or total + added > target + added / 2:
            deal.incident = None
            continue
        total += added
    return total


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def choose_incidents(story: Story, rng: random.Random) -> None:
    """Pick who pays late or not at all so that overdue > 30 days / due is ≈5.8 % on 2026-06-30 and
    ≈3.7 % on 2026-09-30: some never pay (stuck: the oldest problems), some catch up in the quarter's first
    weeks (the most recent ones: a backup bank lends, the buyer pays the shortfall), and some fall behind
    in the quarter.

    Who catches up also sets the collection cycle (days from signing to full collection, over the contracts
    completed in the quarter — reports.measures.cycle): a contract whose loan was refused a year ago and is
    paid now is a year-long cycle. With the most recent problems resolved, residential lands about 15 days
    longer than commercial, as DEMO.md tells; with old ones it would be some 55 days longer."""
    for deal in story.deals:
        deal.incident = None
    ledger = Ledger.of(story)
    due_last, due_now = ledger.due(LAST_QUARTER_END), ledger.due(QUARTER_END)
    old_cutoff = LAST_QUARTER_END - timedelta(days=31)
    new_cutoff = QUARTER_END - timedelta(days=31)
    pool = _candidates(story, PERIODS["2025Q2"].start, old_cutoff)
    rng.shuffle(pool)
    pool.sort(key=lambda candidate: lines_of(candidate[0])[candidate[1]].due_date)   # oldest first

    def stuck(deal: Deal, index: int, kind: str, share: Decimal) -> Incident:
        return Incident(index, share, None, REASONS["stuck"] if kind == "rejected" else REASONS[kind])

    def caught_up(deal: Deal, index: int, kind: str, share: Decimal) -> Incident:
        return Incident(index, share, _day_between(rng, *CATCH_UP), REASONS[kind])

    never = _pick(pool, STUCK_SHARE * due_last, LAST_QUARTER_END, rng, stuck)
    # the most recent first — and among them a few buyers who make good their own shortfall (they promise it)
    recent = pool[::-1]
    shortfalls = [c for c in recent if c[2] != "rejected"][:SHORTFALLS_MADE_GOOD]
    _pick(shortfalls + [c for c in recent if c not in shortfalls], OVERDUE_LAST_QUARTER * due_last - never,
          LAST_QUARTER_END, rng, caught_up)
    fresh = _candidates(story, old_cutoff + timedelta(days=1), new_cutoff)
    rng.shuffle(fresh)

    def behind(deal: Deal, index: int, kind: str, share: Decimal) -> Incident:
        later = _day_between(rng, date(2026, 10, 12), TODAY) if rng.random() < 0.5 else None
        return Incident(index, share, later, REASONS["stuck"] if later is None and kind == "rejected"
                        else REASONS[kind])

    already = Ledger.of(story).overdue_ratio(QUARTER_END) * due_now
    _pick(fresh, OVERDUE_QUARTER * due_now - already, QUARTER_END, rng, behind)
