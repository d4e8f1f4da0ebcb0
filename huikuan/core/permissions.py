"""API permission: a signed-in member of staff with a role; auditors read only."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import READ_ONLY_ROLES, roles_of


class StaffRolePermission(BasePermission):
    message = "You need a huikuan role to use this API."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        roles = roles_of(user)
        if not roles:
            return False
        if request.method in SAFE_METHODS:
            return True
        return bool(roles - set(READ_ONLY_ROLES))
