from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "huikuan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import services  # noqa: F401  (connects the calendar cache signals)
        from .seeding import seed_reference_data

        # once per migrate (or test flush), after every app's tables and permissions exist
        post_migrate.connect(seed_reference_data, dispatch_uid="huikuan.seed_reference_data")
