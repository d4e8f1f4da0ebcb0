"""Template filters for numbers people read: money with thousands separators, rates as percent.

Money stays Decimal all the way: these filters only format, they never compute in float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from huikuan.core.money import quantize

register = template.Library()


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: object) -> str:
    """1234567.8 → "1,234,567.80" (Decimal in, text out; empty for missing values)."""
    amount = _decimal(value)
    return "" if amount is None else f"{quantize(amount):,.2f}"


@register.filter
def wan(value: object) -> str:
    """Amounts in 万元 (ten thousands) with two places, for cards: 12345678 → "1,234.57"."""
    amount = _decimal(value)
    return "" if amount is None else f"{quantize(amount / Decimal(10000)):,.2f}"


@register.filter
def percent(value: object, places: int = 2) -> str:
    """A ratio as percent: Decimal("0.0005") → "0.05 %"."""
    ratio = _decimal(value)
    if ratio is None:
        return ""
    return f"{(ratio * 100).quantize(Decimal(1).scaleb(-int(places))):f} %"


@register.filter
def masked_id(customer: object, user: object) -> str:
    """The customer's ID number, in full only for people allowed to see it."""
    has_perm = getattr(user, "has_perm", None)
    if has_perm is not None and has_perm("customers.view_id_number"):
        return str(customer.id_number)  # type: ignore[attr-defined]
    return str(customer.masked_id)  # type: ignore[attr-defined]


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params.urlencode()
