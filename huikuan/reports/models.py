"""Pre-aggregation: the kpis document of a period over a scope, stored with the time it was computed, so a
dashboard opens without recomputing every measure (see aggregates.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiSnapshot(models.Model):
    period = models.CharField(_("period"), max_length=8)
    scope_key = models.CharField(_("scope"), max_length=255, help_text=_('"all" or the sorted project ids'))
    data = models.JSONField(_("kpis document"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "scope_key"], name="kpi_snapshot_once")]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")

    def __str__(self) -> str:
        return f"{self.period} [{self.scope_key}] {self.computed_at:%Y-%m-%d %H:%M}"
