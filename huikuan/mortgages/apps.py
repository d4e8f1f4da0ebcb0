from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MortgagesConfig(AppConfig):
    name = "huikuan.mortgages"
    label = "mortgages"
    verbose_name = _("Mortgages")
