from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    """A partner bank (合作银行) that lends to buyers and receives collections."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    short_name = models.CharField(_("short name"), max_length=16, blank=True)
    is_partner = models.BooleanField(_("partner"), default=True)
    green_channel = models.BooleanField(_("green channel"), default=False)
    promised_disbursement_days = models.PositiveSmallIntegerField(
        _("promised days to disbursement"), null=True, blank=True,
        help_text=_("from the agreement, e.g. 14 for a green channel"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("bank")
        verbose_name_plural = _("banks")

    def __str__(self) -> str:
        return self.short_name or self.name
