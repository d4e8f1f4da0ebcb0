"""Channel name → channel object, from settings.NOTIFICATIONS_CHANNELS (dotted class paths)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .base import Channel

DEFAULT_CHANNELS = {
    "email": "huikuan.notifications.channels.email.EmailChannel",
    "sms": "huikuan.notifications.channels.sms_file.FileSmsChannel",
    "push": "huikuan.notifications.channels.push.WebhookPushChannel",
}


class UnknownChannel(LookupError):
    pass


def channel_paths() -> dict[str, str]:
    paths = dict(DEFAULT_CHANNELS)
    sms_backend = getattr(settings, "NOTIFICATIONS_SMS_BACKEND", "")
    if sms_backend:
        paths["sms"] = sms_backend
    paths.update(getattr(settings, "NOTIFICATIONS_CHANNELS", {}))
    return paths


@cache
def _load(path: str) -> Channel:
    return import_string(path)()  # type: ignore[no-any-return]


def get_channel(name: str) -> Channel:
    path = channel_paths().get(name)
    if path is None:
        raise UnknownChannel(f"unknown channel {name!r}; known: {', '.join(sorted(channel_paths()))}")
    return _load(path)


def channel_names() -> list[str]:
    return sorted(channel_paths())


def channel_label(name: str) -> str:
    """A channel as people read it, in their language (电子邮箱, 短信 …); a name no channel has, as written."""
    try:
        return gettext(get_channel(name).label)
    except (UnknownChannel, ImportError):
        return name
