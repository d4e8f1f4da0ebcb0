"""`{% load banking_reasons %}`: a match's reasons in the reader's language (`banking.reasons`)."""

from __future__ import annotations

from django import template

from huikuan.banking.reasons import translated

register = template.Library()


@register.filter
def reason(text: str) -> str:
    return translated(str(text))


@register.filter
def reasons(texts: list) -> list[str]:
    return [translated(str(t)) for t in texts or ()]
