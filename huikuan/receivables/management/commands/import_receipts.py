"""`huikuan import_receipts FILE` — cashier receipts; see docs/cli.md and docs/import-formats.md."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from huikuan.core.commands import actor_named, wrapping_progress
from huikuan.receivables.importing import import_receipts
from huikuan.sales.importing import ImportFailed


class Command(BaseCommand):
    help = "Import cashier receipts (CSV or XLSX) and allocate them oldest-due first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="receipts file (.csv or .xlsx)")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["user"])
        progress = wrapping_progress(options["no_progress"])

        try:
            result = import_receipts(options["file"], actor=actor, progress=progress)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(failed.errors)} error(s): nothing was imported.")
            sys.exit(2)
        self.stdout.write(f"{result.file}: {result.posted} receipt(s) posted ({result.amount:.2f}), "
                          f"{result.skipped} already imported (skipped).")
