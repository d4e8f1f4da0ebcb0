"""`huikuan import_statement FILE --account ACCOUNT_NO [--mapping FILE.json]` — see docs/reconciliation.md.

All or nothing per file; re-importing the same or an overlapping statement adds nothing. A bad file exits
with status 2 and the statement engine's message, and writes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from huikuan.banking.services.importing import import_statement, read_mapping
from huikuan.banking.statements import StatementError
from huikuan.core.commands import actor_named, counting_progress


class Command(BaseCommand):
    help = "Import a bank or wallet statement into a bank account (created with a warning when unknown)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="statement file: CSV, XLS(X), WeChat/Alipay bill, MT940, CAMT.053, OFX, "
                                         "PDF, image")
        parser.add_argument("--account", required=True, help="the developer's account number the statement is of")
        parser.add_argument("--mapping", help="column mapping JSON (saved on the account and reused next time)")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["user"])
        bar, progress = counting_progress(options["no_progress"], "importing")

        try:
            mapping = None
            if options["mapping"]:
                try:
                    mapping = read_mapping(Path(options["mapping"]).read_text(encoding="utf-8"))
                except OSError as exc:
                    raise StatementError(f"cannot read the mapping file: {exc.strerror}", filename=options["mapping"])
            outcome = import_statement(actor=actor, source=options["file"], account_no=options["account"],
                                       mapping=mapping, progress=progress)
        except StatementError as exc:
            bar.close()
            self.stderr.write(f"error: {exc}")
            self.stderr.write("nothing was imported.")
            sys.exit(2)
        bar.close()
        statement = outcome.statement
        for warning in outcome.warnings:
            self.stderr.write(f"warning: {warning}")
        for gap in outcome.gaps:
            self.stderr.write(f"balance gap: {gap}")
        if outcome.already_imported:
            self.stdout.write(f"{statement.file_name}: this file was already imported into "
                              f"{statement.account.account_no} on {statement.imported_at:%Y-%m-%d %H:%M}; "
                              "nothing added.")
            return
        self.stdout.write(
            f"{statement.file_name} ({statement.format}) → {statement.account.account_no}: {outcome.total} line(s), "
            f"{outcome.new} new, {outcome.duplicates} already imported, {statement.rows_review} to review, "
            f"{len(outcome.gaps)} balance gap(s).")
