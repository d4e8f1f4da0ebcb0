"""Why the outbox refused something, in the reader's language.

The outbox services and the renderer refuse in English with the values in place (`NotificationError`:
`only failed messages can be queued again`; `TemplateMissing`: `no message template 'reminder' in en or
zh-hans`); the API passes that text on as written. Each form they write is a template here
(`core.phrasebook`); the pages (a message's requeue, the template preview) show it translated, a template
language by its name, a channel by its label. `tests/test_notices.py` reads the app's source and fails on a
refusal no template fits.
A message's status reason (`opted out`, `quiet hours` …) is stored in English too and shown the same way; a
gateway's error (`last_error`) is the gateway's own text and is shown as written.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from huikuan.core.phrasebook import Phrasebook

from .channels.registry import channel_label
from .choices import TemplateLanguage

TEMPLATES = (
    # the outbox (services)
    _("an idempotency key is required"),
    _("say which messages to stop"),
    _("only failed messages can be queued again"),
    # an unknown channel, passed on by the outbox (channels.registry)
    _("unknown channel %(channel)s; known: %(known)s"),
    # the renderer (rendering)
    _("no message template %(key)s in %(language)s or %(default)s"),
    _("no message template %(key)s in %(language)s or %(language)s"),  # a reader of the default language
    # why a message waits, was stopped or failed (a message's status reason, services)
    _("no %(channel)s address"),
    _("opted out"),
    _("quiet hours"),
    _("daily limit reached"),
    _("gave up after the last attempt"),
    _("refused by the gateway"),
    _("unknown channel"),
    # messages stopped when a collection case closes (dunning.casework → dunning.outbound.stop_pending),
    # one form per close reason
    _("collection case closed: paid"),
    _("collection case closed: restructured"),
    _("collection case closed: cancelled"),
    _("collection case closed: manual"),
)


def _shown(name: str, value: str) -> str | None:
    """A template's language by its name (简体中文, English …), a channel by its label (电子邮箱, 短信 …)."""
    if name in ("language", "default") and value in TemplateLanguage.values:
        return str(TemplateLanguage(value).label)
    if name == "channel":
        return channel_label(value)  # a channel no one configured: its name as written
    return None


_BOOK = Phrasebook(TEMPLATES, shown=_shown)
fitting = _BOOK.fitting
translated = _BOOK.translated
