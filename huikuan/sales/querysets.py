from __future__ import annotations

from typing import Any

from django.db import models


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ContractQuerySet:
        from huikuan.org.scope import scope_queryset

        return scope_queryset(self, user)  # type: ignore[return-value]

    def live(self) -> ContractQuerySet:
        from .choices import ContractStatus

        return self.filter(status=ContractStatus.SIGNED)
