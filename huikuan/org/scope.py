"""Row scope: which projects a person may see, the same in UI, API and exports.

`visible_project_ids(user)` returns None for "every project" (superusers and people whose
profile says so) or the set of project ids from their assigned projects and regions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet


def visible_project_ids(user: Any) -> set[int] | None:
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return None
    if hasattr(user, "_huikuan_project_ids"):
        cached: set[int] | None = user._huikuan_project_ids
        return cached
    from .models import Project, StaffProfile

    profile = StaffProfile.objects.filter(user=user).first()
    result: set[int] | None
    if profile is None:
        result = set()
    elif profile.all_projects:
        result = None
    else:
        region_ids = list(profile.regions.values_list("pk", flat=True))
        project_ids = list(profile.projects.values_list("pk", flat=True))
        result = set(
            Project.objects.filter(Q(pk__in=project_ids) | Q(region_id__in=region_ids)).values_list("pk", flat=True)
        )
    user._huikuan_project_ids = result
    return result


def scope_queryset(qs: QuerySet, user: Any, project_field: str = "project") -> QuerySet:
    """Narrow `qs` to the rows of the projects `user` may see (`project_field` leads to a Project)."""
    ids = visible_project_ids(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{project_field}__in": ids})
