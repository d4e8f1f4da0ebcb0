from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CustomerKind, CustomerType, Language
from .identity import IdentityError, mask_id, normalise_credit_code, normalise_resident_id


class Customer(models.Model):
    """A buyer: a person (resident ID) or a company (unified social credit code)."""

    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=128, db_index=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    customer_type = models.CharField(_("customer type"), max_length=16, choices=CustomerType.choices,
                                     default=CustomerType.FIRST_HOME)
    is_vip = models.BooleanField(_("VIP"), default=False)
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="advised_customers", verbose_name=_("advisor"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    referred_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="referrals", verbose_name=_("referred by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("view_id_number", _("Can see full ID numbers"))]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    def clean(self) -> None:
        try:
            if self.kind == CustomerKind.COMPANY:
                self.id_number = normalise_credit_code(self.id_number)
            else:
                self.id_number = normalise_resident_id(self.id_number)
        except IdentityError as exc:
            raise ValidationError({"id_number": str(exc)})
