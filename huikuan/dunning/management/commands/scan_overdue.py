"""`huikuan scan_overdue --as-of DATE [--force] [--steps]` — the nightly overdue scan, on demand.

Idempotent: a second run for the same date changes nothing; a run that died half-way resumes.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from huikuan.dunning.scanning import ScanBusy, scan_overdue


class Command(BaseCommand):
    help = "Scan every live contract for overdue lines as of a date: buckets, warning levels, cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", help="the scan date, YYYY-MM-DD (default: today)")
        parser.add_argument("--force", action="store_true", help="redo a date that was already scanned")
        parser.add_argument("--steps", action="store_true",
                            help="then settle promises and run the steps that fell due (the nightly round)")
        parser.add_argument("--window", type=int, default=2000, help="contracts per committed window")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {options['as_of']!r}: write the date as YYYY-MM-DD")
        bar = tqdm(total=0, unit="contract", file=sys.stderr, disable=options["no_progress"] or None,
                   mininterval=0.5, leave=False)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            run = scan_overdue(as_of, force=options["force"], window=options["window"], progress=progress)
        except ScanBusy as exc:
            raise CommandError(str(exc))
        finally:
            bar.close()
        self.stdout.write(f"scan {run.as_of}: {run.status}, {run.contracts_done} contracts")
        if options["steps"]:
            from huikuan.dunning.services import resend_pending, review_promises, run_due_steps

            self.stdout.write(f"promises: {review_promises(as_of)}")
            self.stdout.write(f"steps: {run_due_steps(as_of)}")
            self.stdout.write(f"handed to the outbox: {resend_pending(as_of)}")
