from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "huikuan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import services  # noqa: F401  (connects the calendar cache signals)
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="huikuan.sync_role_groups")
