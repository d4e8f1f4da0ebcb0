from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huikuan.customers.models import Customer
from huikuan.org.models import Project, Unit

from .choices import AreaRule, ContractStatus, PaymentMethod, SubscriptionStatus
from .querysets import ContractQuerySet


def default_late_fee_rate() -> Decimal:
    return Decimal(str(settings.HUIKUAN["LATE_FEE_DAILY_RATE"]))


def default_grace_days() -> int:
    return int(str(settings.HUIKUAN["LATE_FEE_GRACE_DAYS"]))


def default_cap_ratio() -> Decimal:
    return Decimal(str(settings.HUIKUAN["LATE_FEE_CAP_RATIO"]))


class Subscription(models.Model):
    """认购: a unit reserved with a deposit; it becomes a contract or lapses."""

    number = models.CharField(_("subscription no."), max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="subscriptions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="subscriptions")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("sales agent"))
    subscribed_on = models.DateField(_("subscription date"))
    expires_on = models.DateField(_("sign by"))
    price = models.DecimalField(_("agreed price"), max_digits=14, decimal_places=2)
    deposit = models.DecimalField(_("deposit"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=SubscriptionStatus.choices,
                              default=SubscriptionStatus.ACTIVE)
    channel = models.CharField(_("channel"), max_length=64, blank=True, help_text=_("e.g. key-account event"))

    class Meta:
        ordering = ["-subscribed_on", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return self.number


class Contract(models.Model):
    """签约: a signed sale of one unit to one or more parties, with its price and terms."""

    contract_no = models.CharField(_("contract no."), max_length=64, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("project"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("unit"))
    subscription = models.OneToOneField(Subscription, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="contract")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("sales agent"))
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    price = models.DecimalField(_("final price"), max_digits=14, decimal_places=2)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    sign_date = models.DateField(_("sign date"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=ContractStatus.choices,
                              default=ContractStatus.SIGNED, db_index=True)
    contract_area = models.DecimalField(_("contract area (m²)"), max_digits=10, decimal_places=2,
                                        null=True, blank=True)
    # terms
    late_fee_daily_rate = models.DecimalField(_("late-fee daily rate"), max_digits=8, decimal_places=6,
                                              default=default_late_fee_rate)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=default_grace_days)
    late_fee_cap_ratio = models.DecimalField(
        _("late-fee cap (share of price)"), max_digits=6, decimal_places=4, null=True, blank=True,
        default=default_cap_ratio, help_text=_("total late fees never exceed this share of the price; empty: no cap"))
    title_transfer_requires_full_payment = models.BooleanField(_("title transfer waits for full payment"),
                                                               default=True)
    area_rule = models.CharField(_("area settlement rule"), max_length=16, choices=AreaRule.choices,
                                 default=AreaRule.STATUTORY)
    area_band = models.DecimalField(_("area error band"), max_digits=5, decimal_places=4, default=Decimal("0.03"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-sign_date", "-id"]
        permissions = [("import_contracts", _("Can import contracts"))]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.contract_no

    @property
    def discount_total(self) -> Decimal:
        return self.list_price - self.price


class ContractParty(models.Model):
    """A buyer on a contract (买受人 / 共有人)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contract_parties")
    is_primary = models.BooleanField(_("primary buyer"), default=True)
    share = models.DecimalField(_("share %"), max_digits=5, decimal_places=2, default=Decimal("100"))

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "customer"], name="party_once_per_contract")]
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")

    def __str__(self) -> str:
        return f"{self.contract} · {self.customer}"


class Discount(models.Model):
    """One discount from list to final price (e.g. limited-time signing offer 限时签约优惠)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="discounts")
    description = models.CharField(_("description"), max_length=128)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"
