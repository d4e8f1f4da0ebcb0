"""`huikuan export_matches [--format csv|json] [--account ACCOUNT_NO]`: one row per allocation of every live match.

Columns: bank_ref, date, amount (the bank line), account_no, contract_no, receivable (plan item and due date),
due_date, proposed, allocated, status (auto / confirmed / suggested / exception), exception, confidence, reason.
"""

from __future__ import annotations

import csv
import json
from contextlib import closing
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huikuan.banking.models import BankAccount
from huikuan.banking.reports import EXPORT_FIELDS, match_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet would evaluate is prefixed with a quote (no CSV injection from memos)."""
    if value and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return True


class Command(BaseCommand):
    help = "Export the matches, one row per allocation, as CSV (default) or JSON lines."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--account", help="only this account's transactions")

    def handle(self, *args: Any, **options: Any) -> None:
        account = None
        if options["account"]:
            account = BankAccount.objects.numbered(options["account"]).first()
            if account is None:
                raise CommandError(f"no bank account {options['account']!r}")
        # closed here if writing stops (a reader that went away), while the database is still open
        with closing(match_rows(account=account)) as rows:
            if options["format"] == "json":
                for row in rows:
                    self.stdout.write(json.dumps(row, ensure_ascii=False))
                return
            writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: safe_cell(str(v)) for k, v in row.items()})
