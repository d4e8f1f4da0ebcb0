"""The scoped viewset mixin: row scope, per-action permissions, service errors as 400.

* Row scope: `get_queryset` narrows `base_queryset()` to the projects the user may see
  (`huikuan.org.scope`), so a row outside scope is a 404 on detail and absent from lists.
* Per-action permissions: `action_permissions = {"allocate": "receivables.allocate"}`; the user
  needs every permission listed for the action, else 403.
* A service that refuses (LedgerError, ApprovalError, SalesError, MoneyError) answers 400 with
  `{"detail": message}`; nothing was written because every service is one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission

from huikuan.core.money import MoneyError
from huikuan.core.permissions import StaffRolePermission
from huikuan.org.scope import scope_queryset
from huikuan.receivables.exceptions import LedgerError
from huikuan.sales.services import SalesError

SERVICE_ERRORS = (LedgerError, SalesError, MoneyError)


class ServiceRefused(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request cannot be carried out."
    default_code = "refused"


class ActionPermission(BasePermission):
    """The Django permissions `view.action_permissions[view.action]` names, all of them."""

    message = "You do not have permission to do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None), ())
        if isinstance(needed, str):
            needed = (needed,)
        return all(request.user.has_perm(perm) for perm in needed)


class ScopedViewSetMixin:
    """Mix into a GenericViewSet; set `scope_field` (the path to a Project) and `base_queryset`."""

    scope_field: ClassVar[str | None] = "project"
    action_permissions: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    permission_classes: Sequence[Any] = (StaffRolePermission, ActionPermission)
    request: Any

    def base_queryset(self) -> QuerySet:
        return self.queryset.all()  # type: ignore[attr-defined,no-any-return]

    def get_queryset(self) -> QuerySet:
        queryset = self.base_queryset()
        if self.scope_field is None:
            return queryset
        return scope_queryset(queryset, self.request.user, self.scope_field)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, SERVICE_ERRORS):
            exc = ServiceRefused(str(exc))
        return super().handle_exception(exc)  # type: ignore[misc]
