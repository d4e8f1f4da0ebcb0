"""Pre-aggregation: the kpis document of a period over a scope, stored with the time it was computed, so a
dashboard opens without recomputing every measure (see aggregates.py)."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import localtime
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
        return f"{self.period} [{self.scope_key}] {localtime(self.computed_at):%Y-%m-%d %H:%M}"


class PeriodFacts(models.Model):
    """The per-project facts of a quarter (measures/facts.py), for every project: the management dashboard
    sums them over the viewer's scope, so any drill-down opens from this one row."""

    period = models.CharField(_("period"), max_length=8, unique=True)
    data = models.JSONField(_("facts"))
    computed_at = models.DateTimeField(_("computed at"))
    refresh_requested_at = models.DateTimeField(_("refresh requested at"), null=True, blank=True)

    class Meta:
        verbose_name = _("period facts")
        verbose_name_plural = _("period facts")

    def __str__(self) -> str:
        return f"{self.period} {localtime(self.computed_at):%Y-%m-%d %H:%M}"
