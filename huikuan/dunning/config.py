"""The editable configuration (rules, buckets, policies) read into the pure engines' shapes."""

from __future__ import annotations

from dataclasses import dataclass

from .aging import DEFAULT_BUCKETS, Bucket
from .choices import Segment
from .levels import DEFAULT_RULES, Rule
from .models import AgingBucket, DunningPolicy, PolicyStep, WarningRule


def load_buckets() -> list[Bucket]:
    rows = [Bucket(b.label, b.min_days, b.max_days) for b in AgingBucket.objects.all()]
    return rows or list(DEFAULT_BUCKETS)


def load_rules() -> list[Rule]:
    rows = [Rule(r.name, r.level, r.min_days, r.min_amount, frozenset(r.kinds or ()), r.min_risk, r.min_sla_over)
            for r in WarningRule.objects.filter(active=True)]
    return rows or list(DEFAULT_RULES)


@dataclass(frozen=True)
class PolicyChoice:
    policy: DunningPolicy
    steps: list[PolicyStep]


def load_policies() -> list[PolicyChoice]:
    policies = DunningPolicy.objects.filter(active=True).prefetch_related("steps")
    return [PolicyChoice(p, sorted(p.steps.all(), key=lambda s: s.position)) for p in policies]


def segment_of(is_vip: bool, customer_kind: str) -> str:
    return Segment.VIP if is_vip else (Segment.COMPANY if customer_kind == "company" else Segment.INDIVIDUAL)


def policy_for(policies: list[PolicyChoice], kinds: set[str], segment: str) -> PolicyChoice | None:
    """The first active policy whose kinds and segment fit (VIP customers are also individuals or
    companies: a VIP falls back to the policies for any segment)."""
    for choice in policies:
        p = choice.policy
        if p.segment not in (Segment.ANY, segment):
            continue
        if p.kinds and not (kinds & set(p.kinds)):
            continue
        return choice
    return None
