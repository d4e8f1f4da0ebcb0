"""`huikuan reconcile [--account ACCOUNT_NO]`: auto-match the bank lines nobody has matched yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huikuan.banking.models import BankAccount
from huikuan.banking.services.reconciliation import reconcile
from huikuan.core.commands import actor_named, counting_progress


class Command(BaseCommand):
    help = "Match unmatched bank transactions to open receivables; allocate the sure ones, queue the rest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", help="only this account's transactions")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        account = None
        if options["account"]:
            account = BankAccount.objects.numbered(options["account"]).first()
            if account is None:
                raise CommandError(f"no bank account {options['account']!r}; import a statement into it first")
        actor = actor_named(options["user"])
        bar, progress = counting_progress(options["no_progress"], "matching")

        summary = reconcile(actor=actor, account=account, progress=progress)
        bar.close()
        exceptions = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.exceptions.items())) or "none"
        self.stdout.write(
            f"{summary.considered} transaction(s) considered: {summary.auto} matched automatically "
            f"({summary.auto_amount:.2f} allocated), {summary.suggested} suggested, exceptions: {exceptions}"
            + (f", {summary.skipped} already taken by another run" if summary.skipped else "") + ".")
