"""`huikuan parse_statement FILE [--json] [--mapping FILE.json]`: print normalised transactions.

No database access: it only reads the file and prints what the statement engine makes of it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from huikuan.banking.statements import ColumnMapping, StatementError, parse_statement


class Command(BaseCommand):
    help = "Parse a bank or wallet statement and print its transactions (no database access)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="statement file: CSV, XLS(X), WeChat/Alipay bill, MT940, CAMT.053, OFX, PDF, image"
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per transaction line")
        parser.add_argument("--mapping", help="column mapping JSON file saved for this bank account")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            mapping = None
            if options["mapping"]:
                try:
                    mapping = ColumnMapping.from_json(Path(options["mapping"]).read_text(encoding="utf-8"))
                except OSError as exc:
                    raise StatementError(f"cannot read the mapping file: {exc.strerror}", filename=options["mapping"])
            result = parse_statement(path, mapping=mapping)
        except StatementError as exc:
            self.stderr.write(f"error: {exc}")
            sys.exit(2)
        self.stderr.write(f"detected format: {result.format}")
        if result.account:
            self.stderr.write(f"account: {result.account}")
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["json"]:
            for tx in result.transactions:
                self.stdout.write(json.dumps(tx.as_json(), ensure_ascii=False))
            return
        self._table(result)

    def _table(self, result) -> None:
        headers = ["line", "date", "amount", "dir", "counterparty", "account", "memo", "balance", "ref", "conf"]
        rows = []
        for tx in result.transactions:
            j = tx.as_json()
            rows.append([
                str(tx.line_no), j["date"], f'{j["amount"]} {tx.currency}', tx.direction[:3], tx.counterparty,
                tx.counterparty_account, tx.memo[:40], j["balance"] or "", tx.bank_ref, f"{tx.confidence:.2f}",
            ])
        widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
        right = {0, 2, 7, 9}

        def fmt(cells):
            out = []
            for i, c in enumerate(cells):
                pad = " " * (widths[i] - _width(c))
                out.append(pad + c if i in right else c + pad)
            return "  ".join(out).rstrip()

        self.stdout.write(fmt(headers))
        self.stdout.write("  ".join("-" * w for w in widths))
        for r in rows:
            self.stdout.write(fmt(r))
        self.stdout.write(f"{len(rows)} transaction(s)")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
