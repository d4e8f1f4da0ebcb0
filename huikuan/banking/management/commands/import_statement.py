"""`huikuan import_statement FILE [FILE ...] (--account ACCOUNT_NO | --account-from-name) [--mapping FILE.json]`
— see docs/reconciliation.md.

All or nothing per file; re-importing the same or an overlapping statement adds nothing. A bad file exits
with status 2 and the statement engine's message, and writes nothing. Several files: each imported on its own
(a bad one does not stop the others; the exit status is 2 if any failed), read and parsed on a second core while
the ones before are stored. `--account-from-name`: each file into the account its name gives (`6222…0001.csv`
→ account 6222…0001), for a folder of statements downloaded one per account.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.timezone import localtime

from huikuan.banking.services.importing import ImportOutcome, import_statement, import_statements, read_mapping
from huikuan.banking.statements import ColumnMapping, StatementError
from huikuan.core.commands import actor_named, counting_progress


class Command(BaseCommand):
    help = "Import bank or wallet statements into bank accounts (an unknown account is created with a warning)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="file",
                            help="statement file: CSV, XLS(X), WeChat/Alipay bill, MT940, CAMT.053, OFX, PDF, image")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--account", help="the developer's account number the statements are of")
        which.add_argument("--account-from-name", action="store_true",
                           help="each file into the account its name (without the extension) gives")
        parser.add_argument("--mapping", help="column mapping JSON (saved on the account and reused next time)")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["user"])
        files = [Path(name) for name in options["files"]]
        accounts = [path.stem if options["account_from_name"] else options["account"] for path in files]
        try:
            mapping = self._mapping(options["mapping"])
        except StatementError as exc:
            self._failed(exc)
            sys.exit(2)
        if len(files) == 1:
            bar, progress = counting_progress(options["no_progress"], "importing")
            try:
                outcome = import_statement(actor=actor, source=files[0], account_no=accounts[0], mapping=mapping,
                                           progress=progress)
            except StatementError as exc:
                bar.close()
                self._failed(exc)
                sys.exit(2)
            bar.close()
            self._report(outcome)
            return
        failed = 0
        bar, progress = counting_progress(options["no_progress"], "files")
        for done, (path, result) in enumerate(import_statements(
                actor=actor, files=list(zip(files, accounts, strict=True)), mapping=mapping), start=1):
            if isinstance(result, StatementError):
                failed += 1
                self._failed(result, path)
            else:
                self._report(result)
            progress(done, len(files))
        bar.close()
        if failed:
            self.stderr.write(f"{failed} of {len(files)} file(s) not imported.")
            sys.exit(2)

    @staticmethod
    def _mapping(name: str | None) -> ColumnMapping | None:
        if not name:
            return None
        try:
            return read_mapping(Path(name).read_text(encoding="utf-8"))
        except OSError as exc:
            raise StatementError(f"cannot read the mapping file: {exc.strerror}", filename=name)

    def _failed(self, exc: StatementError, path: Path | None = None) -> None:
        self.stderr.write(f"error: {exc}")
        self.stderr.write(f"{path.name}: nothing was imported." if path else "nothing was imported.")

    def _report(self, outcome: ImportOutcome) -> None:
        statement = outcome.statement
        for warning in outcome.warnings:
            self.stderr.write(f"warning: {warning}")
        for gap in outcome.gaps:
            self.stderr.write(f"balance gap: {gap}")
        if outcome.already_imported:
            self.stdout.write(f"{statement.file_name}: this file was already imported into "
                              f"{statement.account.account_no} on {localtime(statement.imported_at):%Y-%m-%d %H:%M}; "
                              "nothing added.")
            return
        self.stdout.write(
            f"{statement.file_name} ({statement.format}) → {statement.account.account_no}: {outcome.total} line(s), "
            f"{outcome.new} new, {outcome.duplicates} already imported, {statement.rows_review} to review, "
            f"{len(outcome.gaps)} balance gap(s).")

