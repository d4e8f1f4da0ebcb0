"""E-mail through Django's mail backends (SMTP in production, console in development)."""

from __future__ import annotations

import smtplib
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils.translation import gettext_noop as _

from .base import ChannelError, Outgoing


class EmailChannel:
    name: ClassVar[str] = "email"
    label: ClassVar[str] = _("e-mail")  # translated where shown (registry.channel_label)
    quiet_hours: ClassVar[bool] = False

    def address_of(self, customer: Any) -> str:
        return str(customer.email or "")

    def send(self, message: Outgoing) -> str:
        message_id = make_msgid(domain=getattr(settings, "NOTIFICATIONS_EMAIL_DOMAIN", "huikuan.local"))
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=getattr(settings, "NOTIFICATIONS_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL),
            to=[message.recipient],
            headers={"Message-ID": message_id, "X-Huikuan-Idempotency-Key": message.idempotency_key},
            connection=get_connection(timeout=getattr(settings, "NOTIFICATIONS_TIMEOUT_SECONDS", 10)),
        )
        email.encoding = "utf-8"
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(f"recipient refused: {exc.recipients}", retryable=False)
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP: {type(exc).__name__}: {exc}")
        return message_id
