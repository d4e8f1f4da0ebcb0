"""The measures management reads: each defined once, here, with its formula in its docstring
(and in docs/measures.md). Every measure takes a `Period` and a `Scope` and returns a Decimal, an int,
None (nothing to divide by, or no data to measure from), or a dict of those.

Modules by family: targets, collections, cycle, sales_kpis, overdue, banks, contribution, forecast, dso,
tools (section 4 of the review: reconciliation and reminders), difficulties (section 3).
"""

from .base import EVERYTHING, NOT_AVAILABLE, Scope

__all__ = ["EVERYTHING", "NOT_AVAILABLE", "Scope"]
