"""Roles are Django groups with a fixed set of permissions, synchronised after every migrate.

What each role may *see* is further narrowed by row scope (projects and regions assigned to the
person, `huikuan.org.scope`); these permissions say what they may *do*.
"""

from __future__ import annotations

from typing import Any

from .choices import Role

VIEW_ALL = [
    "org.view_region", "org.view_project", "org.view_building", "org.view_unit", "org.view_salestarget",
    "customers.view_customer", "sales.view_subscription", "sales.view_contract",
    "receivables.view_receivable", "receivables.view_ledgerentry", "receivables.view_receipt",
    "receivables.view_waiver", "notifications.view_message",
    "mortgages.view_bank", "mortgages.view_bankpolicy", "mortgages.view_loanapplication",
    "banking.view_bankaccount", "banking.view_statement", "banking.view_banktransaction", "banking.view_match",
    "dunning.view_collectioncase", "dunning.view_caseaction", "dunning.view_dispute", "dunning.view_promisetopay",
    "dunning.view_restructuring",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: VIEW_ALL + [
        "customers.add_customer", "customers.change_customer",
        "sales.add_subscription", "sales.change_subscription", "sales.add_contract",
    ],
    Role.FINANCE: VIEW_ALL + [
        "banking.import_statement", "banking.review_match", "banking.write_off_difference",
        "banking.change_bankaccount",
        "dunning.approve_restructuring",
        "notifications.requeue_message",
        "customers.view_id_number",
        "receivables.add_receipt", "receivables.allocate", "receivables.refund",
        "receivables.request_waiver", "receivables.approve_waiver", "receivables.settle_area",
        "receivables.cancel_contract", "sales.import_contracts",
    ],
    Role.MORTGAGE: VIEW_ALL + ["customers.view_id_number", "mortgages.move_stage", "mortgages.record_policy"],
    Role.COLLECTOR: VIEW_ALL + ["receivables.request_waiver"],
    Role.LEGAL: VIEW_ALL + ["customers.view_id_number"],
    Role.CUSTOMER_SERVICE: VIEW_ALL + [
        "notifications.requeue_message", "receivables.request_waiver",
    ],
    Role.MANAGER: VIEW_ALL + [
        "banking.write_off_difference", "dunning.approve_restructuring",
        "notifications.requeue_message",
        "customers.view_id_number", "receivables.approve_waiver", "receivables.cancel_contract",
        "org.add_salestarget", "org.change_salestarget", "mortgages.move_stage", "mortgages.record_policy",
    ],
    Role.AUDITOR: VIEW_ALL + ["customers.view_id_number"],
}

READ_ONLY_ROLES = {Role.AUDITOR}


def sync_role_groups(**_: Any) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role))
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_huikuan_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(Role.values)
        user._huikuan_roles = cached
    return cached
