"""Small builders for the reconciliation tests: contracts with plans, statements, clerks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.contrib.auth.models import Permission

from huikuan.banking.models import BankAccount
from huikuan.banking.services.importing import import_statement
from huikuan.core.choices import Role
from huikuan.org.models import Building
from huikuan.receivables import services as ledger
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import BuildingFactory, CustomerFactory, UnitFactory, contract, staff

from .statement_files import csv_statement

ACCOUNT = "6222000011112222"
REVIEW_PERMS = ("banking.review_match", "banking.write_off_difference", "receivables.refund")


def clerk(*perms: str, **kwargs):  # type: ignore[no-untyped-def]
    """A finance clerk who may review matches (and write off, refund), seeing every project."""
    user = staff(Role.FINANCE, all_projects=kwargs.pop("all_projects", True), **kwargs)
    for perm in perms or REVIEW_PERMS:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)   # fresh: no cached permissions


def sold(contract_no: str, buyer: str, plan: list[tuple[str, str, date, str]], *, building: str = "3栋",
         number: str = "1202", project=None):  # type: ignore[no-untyped-def]
    """A signed contract for `buyer`; plan lines are (kind, name, due date, amount)."""
    if project is not None:
        b = Building.objects.get_or_create(project=project, name=building)[0]
    else:
        b = BuildingFactory(name=building)
    unit = UnitFactory(building=b, number=number)
    lines = [PlanLine(kind, n, name, due, D(amount)) for n, (kind, name, due, amount) in enumerate(plan, start=1)]
    total = sum((line.amount for line in lines), D("0"))
    return contract(price=str(total), method="mortgage" if any(k == "mortgage_loan" for k, *_ in plan) else "lump_sum",
                    plan=lines, unit=unit, customer=CustomerFactory(name=buyer), contract_no=contract_no)


def outstanding(c) -> list[D]:  # type: ignore[no-untyped-def]
    rows = list(c.receivables.order_by("due_date", "pk").values_list("pk", flat=True))
    owed = ledger.outstanding_of(rows)
    return [owed[pk] for pk in rows]


def bank_lines(*rows: tuple[str, str, str, str, str, str], account: str = ACCOUNT, name: str = "s.csv"):  # type: ignore[no-untyped-def]
    """Import money-in lines (date, amount, payer, payer account, memo, reference); negative = money out."""
    full = []
    for day, amount, payer, payer_account, memo, ref in rows:
        income, expense = (amount, "") if not amount.startswith("-") else ("", amount[1:])
        full.append((day, income, expense, "", payer, payer_account, memo, ref))
    outcome = import_statement(actor=None, source=csv_statement(full, account=account), filename=name,
                               account_no=account)
    return outcome.statement


def account(account_no: str = ACCOUNT, **fields) -> BankAccount:  # type: ignore[no-untyped-def]
    return BankAccount.objects.get_or_create(account_no=account_no, defaults=fields)[0]
