"""Comparing two bank policies. Pure: plain values in, the differences out."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# field → +1 when a larger value is tighter for buyers, −1 when a smaller one is
POLICY_FIELDS: dict[str, int] = {
    "lpr_spread_bp": +1,
    "first_home_min_down": +1,
    "second_home_min_down": +1,
    "approval_days": +1,
    "monthly_quota": -1,
}


def policy_values(policy: Any) -> dict[str, str | None]:
    """The comparable fields of a policy (a model or any object with those attributes) as strings."""
    values: dict[str, str | None] = {}
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        values[name] = None if value is None else str(value)
    return values


def policy_diff(old: Mapping[str, str | None] | None, new: Mapping[str, str | None]) -> dict[str, dict[str, Any]]:
    """{field: {"old": …, "new": …, "tighter": bool | None}} for every field that changed.

    With no previous policy, every field is new (old None, tighter None). A quota that appears is
    tighter (there was none); one that disappears is looser.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name, direction in POLICY_FIELDS.items():
        before = None if old is None else old.get(name)
        after = new.get(name)
        if old is not None and _same(before, after):
            continue
        changes[name] = {"old": before, "new": after, "tighter": _tighter(before, after, direction, old is None)}
    return changes


def is_tightening(changes: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(change.get("tighter") for change in changes.values())


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return Decimal(a) == Decimal(b)


def _tighter(before: str | None, after: str | None, direction: int, first: bool) -> bool | None:
    if first:
        return None
    if before is None:          # only the quota may be empty: none before, a limit now
        return True
    if after is None:
        return False
    return (Decimal(after) - Decimal(before)) * direction > 0
