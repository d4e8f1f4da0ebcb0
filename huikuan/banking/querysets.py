"""Reads over many rows, and who may see them.

Bank accounts and their transactions are finance's: visible to finance, managers and auditors (and
superusers); an account tied to a project only to those whose row scope includes the project. A match
is further narrowed by the contract it pays (the receivables' row scope).
"""

# no `from __future__ import annotations` here: django-stubs resolves the managers built by
# `as_manager()` only with real (quoted) return annotations
from typing import Any

from django.db import models
from django.db.models import Q

ACCOUNT_ROLES = {"finance", "manager", "auditor"}


def sees_bank_accounts(user: Any) -> bool:
    from huikuan.core.roles import roles_of

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or roles_of(user) & ACCOUNT_ROLES)


def _account_filter(user: Any, prefix: str = "") -> Q | None:
    """None: no narrowing; else the Q that keeps the accounts the user may see."""
    from huikuan.org.scope import visible_project_ids

    if not sees_bank_accounts(user):
        return Q(pk__in=[])
    ids = visible_project_ids(user)
    if ids is None:
        return None
    return Q(**{f"{prefix}project__isnull": True}) | Q(**{f"{prefix}project__in": ids})


class BankAccountQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "BankAccountQuerySet":
        q = _account_filter(user)
        return self if q is None else self.filter(q)

    def numbered(self, account_no: str) -> "BankAccountQuerySet":
        """The account with this number, however it is written (spaces, dashes, full-width digits)."""
        from .account_numbers import canonical_account_no

        return self.filter(account_no=canonical_account_no(account_no))


class BankTransactionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "BankTransactionQuerySet":
        q = _account_filter(user, "account__")
        return self if q is None else self.filter(q)

    def money_in(self) -> "BankTransactionQuerySet":
        return self.filter(direction="credit", amount__gt=0)

    def money_out(self) -> "BankTransactionQuerySet":
        return self.filter(amount__lt=0)


class MatchQuerySet(models.QuerySet):
    def live(self) -> "MatchQuerySet":
        from .choices import LIVE_STATUSES

        return self.filter(status__in=LIVE_STATUSES)

    def visible_to(self, user: Any) -> "MatchQuerySet":
        from huikuan.org.scope import visible_project_ids

        q = _account_filter(user, "transaction__account__")
        qs = self if q is None else self.filter(q)
        ids = visible_project_ids(user)
        if ids is None:
            return qs
        return qs.filter(Q(contract__isnull=True) | Q(contract__project__in=ids))
