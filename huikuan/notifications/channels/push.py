"""App push as a signed JSON webhook to the app's push service.

POST `NOTIFICATIONS_PUSH_URL` with a JSON body and the headers
`X-Huikuan-Timestamp` (Unix seconds) and `X-Huikuan-Signature: sha256=<hex>`, where the hex is
HMAC-SHA256 with `NOTIFICATIONS_PUSH_SECRET` over `"<timestamp>.<raw body>"`. The receiver
recomputes it (`verify`) and rejects stale timestamps, so a captured request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_noop as _

from .base import ChannelError, Outgoing

SIGNATURE_HEADER = "X-Huikuan-Signature"
TIMESTAMP_HEADER = "X-Huikuan-Timestamp"


def sign(body: bytes, timestamp: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(body: bytes, timestamp: str, signature: str, secret: str, *, now: float | None = None,
           tolerance: int = 300) -> bool:
    """What the receiving side does: a fresh timestamp and a matching signature."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(body, timestamp, secret), signature)


class WebhookPushChannel:
    name: ClassVar[str] = "push"
    label: ClassVar[str] = _("app push")  # translated where shown (registry.channel_label)
    quiet_hours: ClassVar[bool] = False

    def address_of(self, customer: Any) -> str:
        return f"customer:{customer.pk}"

    def payload(self, message: Outgoing) -> bytes:
        return json.dumps({
            "id": message.idempotency_key, "customer": message.customer_id, "recipient": message.recipient,
            "language": message.language, "title": message.subject, "body": message.body,
            "data": message.params,
        }, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def send(self, message: Outgoing) -> str:
        url = str(getattr(settings, "NOTIFICATIONS_PUSH_URL", ""))
        secret = str(getattr(settings, "NOTIFICATIONS_PUSH_SECRET", ""))
        if not url or not secret:
            raise ChannelError("NOTIFICATIONS_PUSH_URL / NOTIFICATIONS_PUSH_SECRET are not set")
        body = self.payload(message)
        timestamp = str(int(time.time()))
        request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - URL from settings
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(body, timestamp, secret),
            "X-Huikuan-Idempotency-Key": message.idempotency_key,
        })
        timeout = float(getattr(settings, "NOTIFICATIONS_TIMEOUT_SECONDS", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"push webhook HTTP {exc.code}", retryable=exc.code >= 500 or exc.code == 429)
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelError(f"push webhook unreachable: {exc}")
        try:
            answer: Any = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            answer = {}
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""
