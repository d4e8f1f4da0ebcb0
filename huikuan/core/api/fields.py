"""Serializer fields the whole API shares.

Money travels as a decimal string with two places ("1234.50"), both ways. A JSON number with a
fraction arrives as a float, which is refused rather than rounded (see core.money).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers


class MoneyField(serializers.DecimalField):
    """Yuan to the cent: DecimalField(max_digits=14, decimal_places=2), never a float."""

    default_error_messages = {
        "float": 'send amounts as decimal strings, e.g. "1234.50", never as floating-point numbers',
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("rounding", ROUND_HALF_UP)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, float):
            self.fail("float")
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id among those the requesting user may see.

    The queryset's manager must offer `visible_to(user)` (contracts, receivables, receipts, …);
    an id outside the user's scope reads as "does not exist", exactly like one that does not.
    """

    def get_queryset(self) -> QuerySet:
        queryset: Any = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(getattr(request, "user", None))  # type: ignore[no-any-return]
