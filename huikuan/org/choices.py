from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductLine(models.TextChoices):
    RESIDENTIAL = "residential", _("residential")
    COMMERCIAL = "commercial", _("commercial")
    OFFICE = "office", _("office")
    LOFT = "loft", _("loft")


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    SUBSCRIBED = "subscribed", _("subscribed")
    SIGNED = "signed", _("signed")
