from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DunningConfig(AppConfig):
    name = "huikuan.dunning"
    label = "dunning"
    verbose_name = _("overdue and collection")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (payment in full closes the case)
