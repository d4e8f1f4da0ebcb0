"""`{% load notification_notices %}`: a message's status reason in the reader's language (`notifications.notices`)."""

from __future__ import annotations

from django import template

from huikuan.notifications.notices import translated

register = template.Library()


@register.filter
def notice(text: str) -> str:
    """A status reason or refusal the outbox wrote in English, translated; a text no template fits as written."""
    return translated(str(text))
