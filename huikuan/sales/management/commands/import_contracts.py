"""`huikuan import_contracts CONTRACTS [--plan PLAN]` — see docs/cli.md and docs/import-formats.md."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from huikuan.sales.importing import ImportFailed, import_contracts


class Command(BaseCommand):
    help = "Import contracts (CSV or XLSX, Chinese or English headers) with their payment plans."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("contracts", help="contracts file (.csv or .xlsx)")
        parser.add_argument("--plan", help="payment-plan file; without it each method's plan template is used")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")

        def progress(iterable: Any, **kwargs: Any) -> Any:
            return tqdm(iterable, file=sys.stderr, disable=options["no_progress"] or None, leave=False,
                        mininterval=0.5, **kwargs)

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
