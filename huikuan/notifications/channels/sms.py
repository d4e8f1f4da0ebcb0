"""SMS through an HTTP gateway, in the request shape of Aliyun's SendSms API (RPC style, 2017-05-25).

A POST of form fields to `NOTIFICATIONS_SMS_ENDPOINT` with `Action=SendSms`, `PhoneNumbers`,
`SignName`, `TemplateCode`, `TemplateParam` (JSON of the step's short variables), `OutId` (our
idempotency key) and the common parameters, signed with HMAC-SHA1 over the canonicalised query
(`Signature`). The answer is JSON: `{"Code": "OK", "BizId": "…"}` on success.

Providers only deliver pre-approved templates, so the message's `provider_template` (or
`NOTIFICATIONS_SMS_TEMPLATE_CODE`) names it and `params` fill it; the rendered text is what we
keep in the outbox for the record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_noop as _

from .base import ChannelError, Outgoing

# Answers that will not get better by trying again.
PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS", "isv.INVALID_PARAMETERS", "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.PARAM_LENGTH_LIMIT", "isv.AMOUNT_NOT_ENOUGH", "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound",
})


def percent_encode(text: str) -> str:
    return urllib.parse.quote(text, safe="~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature: HMAC-SHA1 of METHOD&%2F&encode(sorted, encoded query), key secret + "&"."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default))


class AliyunSmsChannel:
    name: ClassVar[str] = "sms"
    label: ClassVar[str] = _("SMS")  # translated where shown (registry.channel_label)
    quiet_hours: ClassVar[bool] = True

    def address_of(self, customer: Any) -> str:
        return str(customer.phone or "")

    def request_params(self, message: Outgoing) -> dict[str, str]:
        template_code = message.provider_template or _setting("NOTIFICATIONS_SMS_TEMPLATE_CODE")
        params = {
            "AccessKeyId": _setting("NOTIFICATIONS_SMS_ACCESS_KEY_ID"),
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.idempotency_key[:64],
            "PhoneNumbers": message.recipient,
            "RegionId": _setting("NOTIFICATIONS_SMS_REGION", "cn-hangzhou"),
            "SignName": _setting("NOTIFICATIONS_SMS_SIGN_NAME"),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False, sort_keys=True),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = signature(params, _setting("NOTIFICATIONS_SMS_ACCESS_KEY_SECRET"))
        return params

    def send(self, message: Outgoing) -> str:
        endpoint = _setting("NOTIFICATIONS_SMS_ENDPOINT")
        if not endpoint:
            raise ChannelError("NOTIFICATIONS_SMS_ENDPOINT is not set")
        data = urllib.parse.urlencode(self.request_params(message)).encode()
        request = urllib.request.Request(  # noqa: S310 - the endpoint is an http(s) URL from settings
            endpoint, data=data, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                     "Accept": "application/json"})
        timeout = float(getattr(settings, "NOTIFICATIONS_TIMEOUT_SECONDS", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise ChannelError(f"SMS gateway HTTP {exc.code}: {detail}",
                               retryable=exc.code >= 500 or exc.code == 429)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ChannelError(f"SMS gateway unreachable: {exc}")
        code = str(answer.get("Code", ""))
        if code != "OK":
            raise ChannelError(f"SMS gateway refused: {code} {answer.get('Message', '')}".strip(),
                               retryable=code not in PERMANENT_CODES)
        return str(answer.get("BizId", ""))
