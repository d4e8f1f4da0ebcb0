from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from huikuan.core.choices import Role

from .choices import ProductLine, UnitStatus
from .querysets import ProjectQuerySet


class Region(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A development (楼盘). Its product line decides how its sales are counted in reviews."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects", verbose_name=_("region"))
    product_line = models.CharField(_("product line"), max_length=16, choices=ProductLine.choices,
                                    default=ProductLine.RESIDENTIAL)
    city_zone = models.CharField(_("zone"), max_length=32, blank=True,
                                 help_text=_("e.g. core city, new district"))
    description = models.TextField(_("description"), blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("building"), max_length=32)

    class Meta:
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="building_unique_per_project")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.project} {self.name}"


class Unit(models.Model):
    """A sellable unit (房源). Pre-sale area is what the contract states; surveyed area comes later."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    number = models.CharField(_("unit"), max_length=32)
    floor = models.IntegerField(_("floor"), null=True, blank=True)
    pre_sale_area = models.DecimalField(_("pre-sale area (m²)"), max_digits=10, decimal_places=2,
                                        null=True, blank=True)
    surveyed_area = models.DecimalField(_("surveyed area (m²)"), max_digits=10, decimal_places=2,
                                        null=True, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE)

    class Meta:
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_per_building")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.building.project.name} {self.building.name}-{self.number}"


class SalesTarget(models.Model):
    """Targets per project per quarter: units to sign, amount to sign, amount to collect."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    units = models.PositiveIntegerField(_("units to sign"), default=0)
    amount_signed = models.DecimalField(_("amount to sign"), max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_collected = models.DecimalField(_("amount to collect"), max_digits=16, decimal_places=2,
                                           default=Decimal("0"))

    class Meta:
        ordering = ["year", "quarter", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "year", "quarter"], name="target_per_quarter")]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")

    def __str__(self) -> str:
        return f"{self.project} {self.year}Q{self.quarter}"


class StaffProfile(models.Model):
    """A person's role and row scope: the regions and projects whose data they see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    all_projects = models.BooleanField(_("sees every project"), default=False)
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions"))
    projects = models.ManyToManyField(Project, blank=True, related_name="+", verbose_name=_("projects"))
    language = models.CharField(_("language"), max_length=8, default="zh-hans")

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
