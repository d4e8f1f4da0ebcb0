from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    WORKDAY = "workday", _("make-up working day")


class CalendarSource(models.TextChoices):
    LIBRARY = "library", _("holiday library")
    MANUAL = "manual", _("entered by a person")


class Role(models.TextChoices):
    SALES = "sales", _("sales agent")
    FINANCE = "finance", _("finance")
    MORTGAGE = "mortgage", _("mortgage specialist")
    COLLECTOR = "collector", _("collector")
    LEGAL = "legal", _("legal")
    CUSTOMER_SERVICE = "customer_service", _("customer service")
    MANAGER = "manager", _("manager")
    AUDITOR = "auditor", _("auditor (read-only)")
