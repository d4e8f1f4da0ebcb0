"""Pure warning-level rules: which of blue, yellow and red a late line deserves, and why.

A rule matches when the line is at least `min_days` late, at least `min_amount` is overdue, its kind
is one of `kinds` (empty: any kind), the customer's risk is at least `min_risk` and — for a bank loan
— the bank's current stage has run at least `min_sla_over` business days past its SLA. The most
serious matching level wins; among rules of that level the first in order gives the reason.

A line is late when it is past its due date (for a bank loan waiting on the bank: past its expected
disbursement) or, for a bank loan, when the bank is over a stage SLA even before the deadline.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

RANK = {"": 0, "blue": 1, "yellow": 2, "red": 3}
RISK_RANK = {"low": 0, "normal": 1, "high": 2}


@dataclass(frozen=True)
class Rule:
    name: str
    level: str
    min_days: int = 1
    min_amount: Decimal = Decimal("0.01")
    kinds: frozenset[str] = field(default_factory=frozenset)
    min_risk: str = "low"
    min_sla_over: int = 0   # business days the bank's stage is past its SLA (bank loans; 0: not a condition)


@dataclass(frozen=True)
class Facts:
    days: int
    amount: Decimal
    kind: str
    risk: str = "normal"
    sla_over: int = 0       # business days the bank's current stage is past its SLA


@dataclass(frozen=True)
class Verdict:
    level: str   # "" when no rule matches
    reason: str


NOT_LATE = Verdict("", "")


def matches(rule: Rule, facts: Facts) -> bool:
    return (facts.days >= rule.min_days and facts.amount >= rule.min_amount
            and (not rule.kinds or facts.kind in rule.kinds)
            and RISK_RANK[facts.risk] >= RISK_RANK[rule.min_risk]
            and facts.sla_over >= rule.min_sla_over)


def deciding_rule(rules: Sequence[Rule], facts: Facts) -> Rule | None:
    """The rule that decides the level: the first of the most serious level that matches."""
    if (facts.days <= 0 and facts.sla_over <= 0) or facts.amount <= 0:
        return None
    best: Rule | None = None
    for rule in rules:
        if matches(rule, facts) and (best is None or RANK[rule.level] > RANK[best.level]):
            best = rule
    return best


def reason_for(rule: Rule, facts: Facts) -> str:
    bank = f", bank {facts.sla_over} business days over its stage SLA" if facts.sla_over > 0 else ""
    return f"{rule.name}: {facts.days} days, {facts.amount:.2f} overdue, {facts.kind}, risk {facts.risk}{bank}"


def evaluate(rules: Sequence[Rule], facts: Facts) -> Verdict:
    best = deciding_rule(rules, facts)
    return NOT_LATE if best is None else Verdict(best.level, reason_for(best, facts))


@dataclass(frozen=True, slots=True)
class Judged:
    """A verdict whose reason is written only when someone reads it (most scans record few changes)."""

    rule: Rule | None
    facts: Facts

    @property
    def level(self) -> str:
        return "" if self.rule is None else self.rule.level

    @property
    def reason(self) -> str:
        return "" if self.rule is None else reason_for(self.rule, self.facts)


class Judge:
    """`evaluate` for many lines: the deciding rule depends only on the days, the kind, the risk and
    which amount thresholds are reached, so it is worked out once per such combination."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.thresholds = sorted({rule.min_amount for rule in self.rules})
        self._known: dict[tuple, Rule | None] = {}

    def judge(self, facts: Facts) -> Judged:
        key = (facts.days, facts.kind, facts.risk, bisect_right(self.thresholds, facts.amount), facts.amount > 0,
               facts.sla_over)
        try:
            rule = self._known[key]
        except KeyError:
            rule = self._known[key] = deciding_rule(self.rules, facts)
        return Judged(rule, facts)


def worst(levels: Sequence[str]) -> str:
    return max(levels, key=lambda level: RANK[level], default="")


BUYER_KINDS = frozenset({"deposit", "down_payment", "installment", "final_payment", "full_payment",
                         "area_adjustment", "other"})
LOAN_KINDS = frozenset({"mortgage_loan", "provident_loan"})

# The usual ladder; the database copy (WarningRule, seeded from this) is what the scan uses.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("late", "blue", min_days=1),
    Rule("over 30 days", "yellow", min_days=31, kinds=BUYER_KINDS),
    Rule("large amount over 7 days", "yellow", min_days=8, min_amount=Decimal("500000.00"), kinds=BUYER_KINDS),
    Rule("high-risk customer over 7 days", "yellow", min_days=8, kinds=BUYER_KINDS, min_risk="high"),
    Rule("over 90 days", "red", min_days=91, kinds=BUYER_KINDS),
    Rule("high-risk customer over 30 days", "red", min_days=31, kinds=BUYER_KINDS, min_risk="high"),
    # A bank loan waiting on the bank is late from its expected disbursement, or as soon as the bank
    # runs past a stage SLA; the case goes to the mortgage specialist (see dunning.staffing).
    Rule("bank over its stage SLA", "blue", min_days=0, kinds=LOAN_KINDS, min_sla_over=1),
    Rule("bank over its stage SLA by 10 business days", "yellow", min_days=0, kinds=LOAN_KINDS, min_sla_over=10),
    Rule("loan not disbursed over 60 days", "yellow", min_days=61, kinds=LOAN_KINDS),
    Rule("loan not disbursed over 180 days", "red", min_days=181, kinds=LOAN_KINDS),
)
