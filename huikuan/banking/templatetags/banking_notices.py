"""`{% load banking_notices %}`: what an import says, in the reader's language (`banking.notices`)."""

from __future__ import annotations

from django import template

from huikuan.banking.notices import translated_lines

register = template.Library()


@register.filter
def notices(text: str) -> str:
    """A message of one or more lines (an import job's), each line translated."""
    return translated_lines(str(text))
