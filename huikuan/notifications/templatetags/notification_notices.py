"""`{% load notification_notices %}`: a message's status reason (`notifications.notices`) and its channel in the
reader's language."""

from __future__ import annotations

from django import template

from huikuan.notifications.channels.registry import channel_label
from huikuan.notifications.notices import translated

register = template.Library()


@register.filter
def notice(text: str) -> str:
    """A status reason or refusal the outbox wrote in English, translated; a text no template fits as written."""
    return translated(str(text))


@register.filter
def channel(name: str) -> str:
    """A channel's name (email, sms …) as people read it (电子邮箱, 短信 …)."""
    return channel_label(str(name))
