"""`huikuan report NAME [--as-of D] [--from D --to D] [--project P] [--json]` — every registered report.

The reports themselves live in modules that `@register` them (see huikuan/reports/registry.py);
this command only parses the options and writes the result to stdout.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huikuan.reports.registry import ReportOptions, UnknownReport, all_reports, get_report, write_json
from huikuan.sales.importing.values import parse_date


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc))


class _Stream(io.TextIOBase):
    """A text stream over the command's stdout that adds no line endings of its own."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.wrapper.flush()


class Command(BaseCommand):
    help = "Run a report: huikuan report NAME [--as-of DATE] [--json]. `huikuan report list` lists them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="the report (`list` shows them all)")
        parser.add_argument("--as-of", help="the date the report is as of (default: today)")
        parser.add_argument("--from", dest="date_from", help="start of a period (inclusive)")
        parser.add_argument("--to", dest="date_to", help="end of a period (inclusive)")
        parser.add_argument("--project", help="only this project (code or name)")
        parser.add_argument("--json", action="store_true", help="one JSON document instead of a table")
        parser.add_argument("--period", help="a quarter, e.g. 2026Q3 (kpis, quarterly)")
        parser.add_argument("--format", choices=["pdf", "pptx"], help="file format (quarterly)")
        parser.add_argument("--out", help="file to write (quarterly)")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                            help="a report-specific option (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] == "list":
            for report in all_reports():
                self.stdout.write(f"{report.name:<16} {report.help}")
            return
        try:
            report = get_report(options["name"])
        except UnknownReport as exc:
            raise CommandError(str(exc))
        extra = {}
        for item in options["option"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--option {item!r}: write KEY=VALUE")
            extra[key.strip()] = value.strip()
        for key in ("period", "format", "out"):
            if options[key]:
                extra.setdefault(key, options[key])
        report_options = ReportOptions(
            as_of=_date(options["as_of"]) or timezone.localdate(), date_from=_date(options["date_from"]),
            date_to=_date(options["date_to"]), project=options["project"], extra=extra, parallel=True)
        data = report.build(report_options)
        out = _Stream(self.stdout)   # written as produced: big reports never sit whole in memory
        if options["json"]:
            write_json(data, out)  # type: ignore[arg-type]
            out.write("\n")
        else:
            report.text(data, out)  # type: ignore[arg-type]
        out.flush()
