"""`huikuan reconcile [--account ACCOUNT_NO]`: auto-match the bank lines nobody has matched yet."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from huikuan.banking.models import BankAccount
from huikuan.banking.services.reconciliation import reconcile


class Command(BaseCommand):
    help = "Match unmatched bank transactions to open receivables; allocate the sure ones, queue the rest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", help="only this account's transactions")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        account = None
        if options["account"]:
            account = BankAccount.objects.filter(account_no=options["account"].strip()).first()
            if account is None:
                raise CommandError(f"no bank account {options['account']!r}; import a statement into it first")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        bar = tqdm(total=0, file=sys.stderr, disable=options["no_progress"] or None, leave=False, unit="line",
                   desc="matching", mininterval=0.5)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = reconcile(actor=actor, account=account, progress=progress)
        bar.close()
        exceptions = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.exceptions.items())) or "none"
        self.stdout.write(
            f"{summary.considered} transaction(s) considered: {summary.auto} matched automatically "
            f"({summary.auto_amount:.2f} allocated), {summary.suggested} suggested, exceptions: {exceptions}"
            + (f", {summary.skipped} already taken by another run" if summary.skipped else "") + ".")
