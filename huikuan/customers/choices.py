from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    COMPANY = "company", _("company")


class CustomerType(models.TextChoices):
    FIRST_HOME = "first_home", _("first home")
    UPGRADE = "upgrade", _("upgrade")
    INVESTOR = "investor", _("investor")
    INSTITUTION = "institution", _("institution")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    ZH_HANT = "zh-hant", "繁體中文"
    EN = "en", "English"
