from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    """queued → sending → sent; sending → queued (retry) or failed; queued → suppressed."""

    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SUPPRESSED = "suppressed", _("suppressed")


class TemplateLanguage(models.TextChoices):
    """The customer-facing languages (the values of customers.choices.Language)."""

    ZH_HANS = "zh-hans", "简体中文"
    ZH_HANT = "zh-hant", "繁體中文"
    EN = "en", "English"


DEFAULT_LANGUAGE = TemplateLanguage.ZH_HANS
