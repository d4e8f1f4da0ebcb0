"""The signed link in a reminder that lets the customer dispute a charge without logging in.

The token carries the contract (and optionally the receivable) and is signed with SECRET_KEY
(`django.core.signing`), so it cannot be forged or edited; it expires after
NOTIFICATIONS_DISPUTE_LINK_DAYS. The dispute page (dunning) calls `verify_dispute_token`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse

SALT = "huikuan.notifications.dispute-link"


class InvalidDisputeToken(ValueError):
    """The token was tampered with, is not ours, or has expired."""


@dataclass(frozen=True)
class DisputeToken:
    contract_id: int
    receivable_id: int | None


def dispute_token(contract: Any, receivable: Any = None) -> str:
    payload = {"c": contract.pk, "r": getattr(receivable, "pk", None)}
    return signing.dumps(payload, salt=SALT, compress=True)


def dispute_link(contract: Any, receivable: Any = None) -> str:
    """The absolute URL of the dispute page for this contract (and charge)."""
    token = dispute_token(contract, receivable)
    url_name = getattr(settings, "NOTIFICATIONS_DISPUTE_URL_NAME", "dispute-open")
    try:
        path = reverse(url_name, kwargs={"token": token})
    except NoReverseMatch:
        pattern = str(getattr(settings, "NOTIFICATIONS_DISPUTE_PATH", "/disputes/open/{token}/"))
        path = pattern.format(token=token)
    base = str(getattr(settings, "NOTIFICATIONS_PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{path}"


def verify_dispute_token(token: str, *, max_age_days: int | None = None) -> DisputeToken:
    days = getattr(settings, "NOTIFICATIONS_DISPUTE_LINK_DAYS", 90) if max_age_days is None else max_age_days
    try:
        payload = signing.loads(token, salt=SALT, max_age=days * 86400)
    except signing.SignatureExpired:
        raise InvalidDisputeToken("this dispute link has expired")
    except signing.BadSignature:
        raise InvalidDisputeToken("this dispute link is not valid")
    try:
        return DisputeToken(contract_id=int(payload["c"]),
                            receivable_id=None if payload.get("r") is None else int(payload["r"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidDisputeToken("this dispute link is not valid")
