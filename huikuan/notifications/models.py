"""The outbox and what shapes it: messages, per-channel opt-outs, editable templates.

A `Message` is one communication to one customer on one channel, rendered when it is queued and
never re-rendered. Its `idempotency_key` is unique: the same dunning step queues the same key, so
it can be queued any number of times and is sent at most once (see services.enqueue).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from huikuan.customers.models import Customer
from huikuan.sales.models import Contract

from .choices import MessageStatus, TemplateLanguage


class Message(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="messages",
                                 verbose_name=_("customer"))
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages", verbose_name=_("contract"))
    channel = models.CharField(_("channel"), max_length=16, db_index=True)
    template_key = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=TemplateLanguage.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    params = models.JSONField(_("provider template parameters"), default=dict, blank=True)
    provider_template = models.CharField(_("provider template code"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["customer", "sent_at"], name="notif_msg_customer_sent"),
            models.Index(fields=["related_type", "related_id"], name="notif_msg_related"),
        ]
        permissions = [("requeue_message", _("Can requeue failed messages"))]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.channel}:{self.template_key} → {self.customer_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One call to a channel for a message: what the gateway said."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("delivered to the gateway"))
    provider_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id}#{self.number} {'ok' if self.ok else 'error'}"


class OptOut(models.Model):
    """退订: the customer asked not to be contacted on this channel."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="opt_outs",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=16)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "channel"],
                                               name="opt_out_once_per_channel")]
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.customer} ✕ {self.channel}"


class Template(models.Model):
    """The words of one step (`key`) in one language, for every channel.

    `subject` and `body` are Django template text (e-mail and push); `sms_body` is the short text
    for SMS; `provider_template` is the template code the SMS provider approved for this step.
    Defaults are seeded from huikuan/notifications/defaults/ and then edited in the admin.
    """

    key = models.CharField(_("step key"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=TemplateLanguage.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    sms_body = models.TextField(_("SMS text"), blank=True)
    provider_template = models.CharField(_("SMS provider template code"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="template_once_per_language")]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]"
