from __future__ import annotations

from typing import Any

from django.db import models


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ProjectQuerySet:
        from .scope import visible_project_ids

        ids = visible_project_ids(user)
        return self if ids is None else self.filter(pk__in=ids)
