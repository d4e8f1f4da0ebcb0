"""The `aging` and `dunning` reports in the reports registry:

    huikuan report aging --as-of 2026-04-30 [--project P] [--json] [--option live=1]
    huikuan report dunning --from 2026-04-01 --to 2026-04-30 [--json]
"""

from __future__ import annotations

from typing import Any, TextIO

from huikuan.reports.registry import ReportOptions, register

from .aging_report import aging_report
from .dunning_report import dunning_report


def render_aging_text(data: dict[str, Any], out: TextIO) -> None:
    out.write(f"aging as of {data['as_of']} ({data['source']})\n")
    for label, amount in data["buckets"].items():
        out.write(f"  {label:<10} {amount:>18}\n")
    for level, figures in data["levels"].items():
        out.write(f"  {level:<10} {figures['count']:>6} {figures['amount']:>18}\n")
    out.write(f"  overdue {data['overdue_total']}, over 30 days {data['overdue_over_30']} "
              f"({data['overdue_over_30_ratio']} of {data['receivables_due']} due)\n")
    for name, row in data["by_project"].items():
        out.write(f"  {name}: overdue {row['overdue_total']}, over 30 days {row['overdue_over_30']}\n")


@register("aging", help="overdue by aging bucket and warning level, per project / region / customer type",
          text=render_aging_text)
def aging(options: ReportOptions) -> dict[str, Any]:
    return aging_report(options.as_of, user=options.user, project=options.project,
                        live=options.extra.get("live") in {"1", "true", "yes"})


@register("dunning", help="steps run, promises, money recovered after each step, disputes and SLA breaches")
def dunning(options: ReportOptions) -> dict[str, Any]:
    date_to = options.date_to or options.as_of
    date_from = options.date_from or date_to.replace(day=1)
    return dunning_report(date_from, date_to, user=options.user, project=options.project)
