"""Setting up a bank account after its first import created it: its name, bank, project and escrow flag."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from huikuan.core.services import record
from huikuan.mortgages.models import Bank
from huikuan.org.models import Project
from huikuan.org.scope import visible_project_ids

from ..models import BankAccount
from ..statements import StatementError

CHANGE = "banking.change_bankaccount"


@transaction.atomic
def update_account(*, actor: Any, account: BankAccount, name: str, bank: Bank | None, project: Project | None,
                   is_escrow: bool) -> BankAccount:
    """An escrow (预售资金监管) account is tied to one project — its collections are that project's alone — so it
    needs one; the project must be one the person may see. Audited with what changed."""
    if not actor.has_perm(CHANGE):
        raise PermissionDenied(f"needs the permission {CHANGE}")
    if is_escrow and project is None:
        raise StatementError("an escrow account (预售资金监管) is tied to one project: choose it")
    visible = visible_project_ids(actor)
    if project is not None and visible is not None and project.pk not in visible:
        raise PermissionDenied("the project is outside your projects")
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    before = {"name": account.name, "bank": account.bank_id, "project": account.project_id,
              "is_escrow": account.is_escrow}
    account.name, account.bank, account.project, account.is_escrow = name.strip(), bank, project, is_escrow
    account.save(update_fields=["name", "bank", "project", "is_escrow"])
    after = {"name": account.name, "bank": account.bank_id, "project": account.project_id,
             "is_escrow": account.is_escrow}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        record(actor, "bank_account.changed", account, **changed)
    return account
