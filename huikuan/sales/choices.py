from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    LUMP_SUM = "lump_sum", _("lump sum")
    MORTGAGE = "mortgage", _("commercial mortgage")
    PROVIDENT_FUND = "provident_fund", _("provident-fund loan")
    COMBINATION = "combination", _("combination loan")
    INSTALLMENT = "installment", _("installments")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    CONVERTED = "converted", _("signed")
    LAPSED = "lapsed", _("lapsed")


class ContractStatus(models.TextChoices):
    SIGNED = "signed", _("signed")
    CANCELLED = "cancelled", _("cancelled")
    SWAPPED = "swapped", _("swapped to another unit")


class AreaRule(models.TextChoices):
    STATUTORY = "statutory", _("statutory (Measures art. 20, ±3 %)")
    PRO_RATA = "pro_rata", _("whole difference at the unit price")
    FIXED_PRICE = "fixed_price", _("priced per unit, no settlement")
