"""`huikuan import_disbursement_list FILE --transaction REF [--account ACCOUNT_NO]`: a bank's list of the buyers one
batch transfer pays (放款清单: CSV, XLS or XLSX), stored and matched to that transfer — each row's loan line paid
from it. A list that does not add up, or a row that finds no open loan, leaves the match for a person. A bad file,
an unknown or ambiguous transfer, or one already matched exits 2 with the reason, nothing written."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from huikuan.banking.services.disbursements import place_by_list, transfer_referenced
from huikuan.banking.statements import StatementError
from huikuan.core.commands import actor_named


class Command(BaseCommand):
    help = "Import a bank's disbursement list and match the batch transfer it explains."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the list (CSV, XLS or XLSX)")
        parser.add_argument("--transaction", required=True,
                            help="the transfer: its bank reference (or the key the import gave it)")
        parser.add_argument("--account", help="the account it arrived on, when the reference is not unique")
        parser.add_argument("--user", help="username recorded as the actor in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            txn = transfer_referenced(options["transaction"], options["account"])
            path = Path(options["file"])
            listing, match = place_by_list(actor=actor_named(options["user"]), txn=txn, data=path.read_bytes(),
                                           file_name=path.name)
        except StatementError as exc:
            if exc.line and not exc.filename:
                exc.filename = Path(options["file"]).name
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        except OSError as exc:
            self.stderr.write(f"error: {options['file']}: cannot read the file: {exc.strerror}")
            sys.exit(2)
        lines = list(match.lines.all())
        allocated = sum((line.amount for line in lines if line.allocated), start=Decimal("0.00"))
        proposed = sum((line.amount for line in lines), start=Decimal("0.00"))
        self.stdout.write(f"{txn.reference} {txn.amount}: {listing.rows.count()} row(s) listing {listing.total}; "
                          f"{match.status}: {allocated} allocated of {proposed} proposed")
        for reason in match.reasons:
            self.stdout.write(f"  {reason}")
