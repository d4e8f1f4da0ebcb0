"""`huikuan report balances`: per contract, what was due, received, outstanding and overdue at a date,
and the late fee accrued — straight from `receivables.balances.contract_balances` (the one definition).

    huikuan report balances --as-of 2026-03-31 [--project 锦江学府] [--json]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import Q

from huikuan.org.models import Project
from huikuan.org.scope import scope_queryset
from huikuan.receivables.balances import BalanceTotals, contract_balances
from huikuan.sales.models import Contract

from .registry import ReportOptions, register

AMOUNTS = ("price", "due", "received", "outstanding", "overdue", "late_fee")


def _contracts(options: ReportOptions) -> Any:
    contracts: Any = Contract.objects.all()
    if options.user is not None:
        contracts = scope_queryset(contracts, options.user, "project")
    if options.project:
        contracts = contracts.filter(Q(project__code=options.project) | Q(project__name=options.project))
    return contracts


def balances_data(options: ReportOptions) -> dict[str, Any]:
    """{"as_of", "contracts": iterator of rows, "totals": callable} — stream it with write_json, or
    pass it through registry.materialise for plain lists (API, pages)."""
    totals = BalanceTotals()
    projects = dict(Project.objects.values_list("pk", "name"))

    def rows() -> Iterator[dict[str, Any]]:
        for balance in contract_balances(options.as_of, _contracts(options)):
            totals.add(balance)
            row = balance.as_json()
            row["project"] = projects.get(balance.project_id, "")
            yield row

    return {"as_of": options.as_of.isoformat(), "project": options.project, "contracts": rows(),
            "totals": totals.as_json}


def _render_text(data: dict[str, Any], out: TextIO) -> None:
    widths = (18, 14, 9) + (16,) * len(AMOUNTS)
    titles = ("合同编号 contract", "项目 project", "status") + AMOUNTS
    out.write(f"余额 balances as of {data['as_of']}\n")
    out.write(" ".join(t.ljust(w) if i < 3 else t.rjust(w) for i, (t, w) in enumerate(zip(titles, widths,
                                                                                            strict=True))) + "\n")
    for row in data["contracts"]:
        cells = (row["contract_no"], row["project"], row["status"]) + tuple(row[k] for k in AMOUNTS)
        out.write(" ".join(c.ljust(w) if i < 3 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + "\n")
    totals = data["totals"]() if callable(data["totals"]) else data["totals"]
    out.write(f"{'合计 total':<18} {totals['contracts']:>14} contract(s) "
              + " ".join(totals[k].rjust(16) for k in AMOUNTS) + "\n")


@register("balances", text=_render_text,
          help="due, received, outstanding, overdue and late fee per contract at --as-of")
def balances(options: ReportOptions) -> dict[str, Any]:
    return balances_data(options)
