"""`huikuan report balances`: per contract, what was due, received, outstanding and overdue at a date,
and the late fee accrued — straight from `receivables.balances.contract_balances` (the one definition).

    huikuan report balances --as-of 2026-03-31 [--project 锦江学府] [--json]
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from django.db import connections
from django.db.models import Q

from huikuan.org.models import Project
from huikuan.org.scope import scope_queryset
from huikuan.receivables.balances import BalanceTotals, ContractBalance, cents_str, contract_balances
from huikuan.sales.models import Contract

from .registry import RawJSON, ReportOptions, encode, register

AMOUNTS = ("price", "due", "received", "outstanding", "overdue", "late_fee")
PARALLEL_FROM = 20_000   # contracts; below this a second process costs more than it saves


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
    contracts = _contracts(options)

    project_json: dict[int, str] = {}

    def row(balance: ContractBalance) -> RawJSON:
        """The row as JSON text, written straight from the integer cents (the same text `encode` makes of
        `balance.as_json()` plus the project; a million rows never become dicts on the way out)."""
        name = project_json.get(balance.project_id)
        if name is None:
            name = project_json[balance.project_id] = encode(projects.get(balance.project_id, ""))
        price, due, received, outstanding, overdue, late_fee = balance.cents
        return RawJSON(
            f'{{"contract_no": {encode(balance.contract_no)}, "status": {encode(balance.status)}, '
            f'"price": "{cents_str(price)}", "due": "{cents_str(due)}", "received": "{cents_str(received)}", '
            f'"outstanding": "{cents_str(outstanding)}", "overdue": "{cents_str(overdue)}", '
            f'"late_fee": "{cents_str(late_fee)}", "project": {name}}}')

    def here(part: Any) -> Iterator[RawJSON]:
        for balance in contract_balances(options.as_of, part):
            totals.add(balance)
            yield row(balance)

    def elsewhere(part: Any) -> Iterator[RawJSON | BalanceTotals]:
        part_totals = BalanceTotals()
        for balance in contract_balances(options.as_of, part):
            part_totals.add(balance)
            yield row(balance)
        yield part_totals

    def rows() -> Iterator[RawJSON]:
        parts = split_in_two(contracts, here, elsewhere) if options.parallel else here(contracts)
        for item in parts:
            if isinstance(item, BalanceTotals):
                totals.merge(item)
            else:
                yield item

    return {"as_of": options.as_of.isoformat(), "project": options.project, "contracts": rows(),
            "totals": totals.as_json}


def split_in_two(contracts: Any, here: Callable[[Any], Iterator], elsewhere: Callable[[Any], Iterator]) -> Iterator:
    """Both cores at work: a forked helper process runs `elsewhere` over the second half of
    `contracts` (by id) into a spool file while this process yields `here` over the first half;
    then the helper's items follow, so the output keeps id order. Small sets, or a machine with one
    core, are done here alone."""
    count = contracts.count()
    if count < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        yield from here(contracts)
        return
    middle = contracts.order_by("pk").values_list("pk", flat=True)[count // 2]
    connections.close_all()   # never share a connection across fork; each side opens its own
    with tempfile.TemporaryFile() as spool:
        pid = os.fork()
        if pid == 0:   # the helper process
            status = 0
            try:
                for item in elsewhere(contracts.filter(pk__gte=middle)):
                    pickle.dump(item, spool)
                spool.flush()
            except BaseException:  # noqa: BLE001 — the parent learns of it from the exit status
                status = 1
            finally:
                connections.close_all()   # say goodbye to the database server before the abrupt exit
                os._exit(status)
        yield from here(contracts.filter(pk__lt=middle))
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise RuntimeError("the helper process computing the second half failed")
        spool.seek(0)
        while True:
            try:
                yield pickle.load(spool)  # noqa: S301 — our own spool, written by our own child
            except EOFError:
                break


def _render_text(data: dict[str, Any], out: TextIO) -> None:
    widths = (18, 14, 9) + (16,) * len(AMOUNTS)
    titles = ("合同编号 contract", "项目 project", "status") + AMOUNTS
    out.write(f"余额 balances as of {data['as_of']}\n")
    out.write(" ".join(t.ljust(w) if i < 3 else t.rjust(w) for i, (t, w) in enumerate(zip(titles, widths,
                                                                                            strict=True))) + "\n")
    for item in data["contracts"]:
        row = json.loads(item) if isinstance(item, RawJSON) else item
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
