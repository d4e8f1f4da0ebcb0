"""`huikuan import_contracts CONTRACTS [--plan PLAN]` — see docs/cli.md and docs/import-formats.md."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from huikuan.core.commands import actor_named, wrapping_progress
from huikuan.sales.importing import ImportFailed, import_contracts


class Command(BaseCommand):
    help = "Import contracts (CSV or XLSX, Chinese or English headers) with their payment plans."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("contracts", help="contracts file (.csv or .xlsx)")
        parser.add_argument("--plan", help="payment-plan file; without it each method's plan template is used")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["user"])
        progress = wrapping_progress(options["no_progress"])

        try:
            result = import_contracts(options["contracts"], options["plan"], actor=actor, progress=progress)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(failed.errors)} error(s): nothing was imported.")
            sys.exit(2)
        self.stdout.write(
            f"{result.file}: {result.created} contract(s) created, {result.skipped} already there (skipped); "
            f"{result.receivables_created} plan line(s), {result.customers_created} new customer(s), "
            f"{result.units_created} new unit(s), {result.projects_created} new project(s).")
