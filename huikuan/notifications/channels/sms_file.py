"""SMS for development: appended as JSON lines to a file, or printed on the console."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_noop as _

from .base import Outgoing


def _record(message: Outgoing) -> dict[str, Any]:
    return {"id": message.idempotency_key, "to": message.recipient, "text": message.body,
            "template": message.provider_template, "params": message.params}


class FileSmsChannel:
    name: ClassVar[str] = "sms"
    label: ClassVar[str] = _("SMS")  # translated where shown (registry.channel_label)
    quiet_hours: ClassVar[bool] = True

    def address_of(self, customer: Any) -> str:
        return str(customer.phone or "")

    def send(self, message: Outgoing) -> str:
        path = Path(getattr(settings, "NOTIFICATIONS_SMS_FILE", settings.VAR_DIR / "sms-outbox.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(_record(message), ensure_ascii=False) + "\n")
        return f"file:{message.message_id}"


class ConsoleSmsChannel(FileSmsChannel):
    def send(self, message: Outgoing) -> str:
        sys.stdout.write(f"[SMS to {message.recipient}] {message.body}\n")
        sys.stdout.flush()
        return f"console:{message.message_id}"
