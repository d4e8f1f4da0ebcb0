"""`huikuan import_receipts FILE` — cashier receipts; see docs/cli.md and docs/import-formats.md."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from huikuan.receivables.importing import import_receipts
from huikuan.sales.importing import ImportFailed


class Command(BaseCommand):
    help = "Import cashier receipts (CSV or XLSX) and allocate them oldest-due first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="receipts file (.csv or .xlsx)")
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
            result = import_receipts(options["file"], actor=actor, progress=progress)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(failed.errors)} error(s): nothing was imported.")
            sys.exit(2)
        self.stdout.write(f"{result.file}: {result.posted} receipt(s) posted ({result.amount:.2f}), "
                          f"{result.skipped} already imported (skipped).")
