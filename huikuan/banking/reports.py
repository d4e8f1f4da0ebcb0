"""Reports of the banking app: `huikuan report reconciliation` and the rows of `huikuan export_matches`.

reconciliation, for the period [date_from, date_to] (default: the 7 days ending on as_of):
* `accounts`: per bank account (escrow ones flagged, with their project) the money-in lines imported in
  the period and what became of them: auto-matched, confirmed, suggested, unidentified, exceptions by kind,
  each with a count and an amount; and the money-out lines (`money_out`: refunds, reversals, fees, transfers
  out, negative amounts), which reconciliation flags as `reversal` exceptions — counted there too;
* `sales_vs_finance`: what the sales side expects (plan lines due in the period) against what finance has
  (receipts in the period), with the lists of differences: lines due and still owed at the end of the period,
  receipts in the period not (fully) allocated, bank money-in lines not matched to any contract.
Row scope: with a `user`, only the accounts, contracts and receipts they may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db.models import Q

from huikuan.core.money import ZERO, money_str
from huikuan.receivables.choices import PLAN_KINDS
from huikuan.receivables.models import Receipt, Receivable
from huikuan.reports.registry import ReportOptions, register

from .choices import ALLOCATED_STATUSES, ExceptionKind, MatchStatus
from .models import BankAccount, BankTransaction, Match, MatchLine


def period_of(options: ReportOptions) -> tuple[date, date]:
    end = options.date_to or options.as_of
    start = options.date_from or end - timedelta(days=6)
    return start, end


def _scoped(qs: Any, user: Any) -> Any:
    return qs if user is None else qs.visible_to(user)


def account_figures(start: date, end: date, user: Any = None) -> list[dict[str, Any]]:
    txns = _scoped(BankTransaction.objects, user).money_in().filter(date__gte=start, date__lte=end)
    figures: dict[int, dict[str, Any]] = {}
    accounts = {a.pk: a for a in _scoped(BankAccount.objects, user).select_related("project", "bank")}

    def bucket(account_id: int) -> dict[str, Any]:
        if account_id not in figures:
            a = accounts[account_id]
            figures[account_id] = {
                "account_no": a.account_no, "name": a.name, "bank": a.bank.name if a.bank else "",
                "is_escrow": a.is_escrow, "project": a.project.name if a.project else "",
                "imported": {"count": 0, "amount": ZERO},
                **{k: {"count": 0, "amount": ZERO} for k in ("auto", "confirmed", "suggested", "unidentified",
                                                            "unmatched", "money_out")},
                "exceptions": {k: {"count": 0, "amount": ZERO} for k in ExceptionKind.values},
            }
        return figures[account_id]

    out = _scoped(BankTransaction.objects, user).money_out().filter(date__gte=start, date__lte=end)
    live = {m.transaction_id: m for m in Match.objects.live().filter(Q(transaction__in=txns) | Q(transaction__in=out))}
    for t in out.filter(account_id__in=list(accounts)).order_by():
        row = bucket(t.account_id)
        _add(row["money_out"], t.amount)
        m = live.get(t.pk)
        if m is not None and m.exception_kind:
            _add(row["exceptions"][m.exception_kind], t.amount)
    for t in txns.filter(account_id__in=list(accounts)).order_by():
        row = bucket(t.account_id)
        _add(row["imported"], t.amount)
        m = live.get(t.pk)
        if m is None:
            _add(row["unmatched"], t.amount)
        elif m.status in (MatchStatus.AUTO, MatchStatus.CONFIRMED, MatchStatus.SUGGESTED):
            _add(row["auto" if m.status == MatchStatus.AUTO else str(m.status)], t.amount)
        elif m.exception_kind == ExceptionKind.UNIDENTIFIED:
            _add(row["unidentified"], t.amount)
        if m is not None and m.exception_kind:
            _add(row["exceptions"][m.exception_kind], t.amount)
    return [_money(figures[k]) for k in sorted(figures, key=lambda k: figures[k]["account_no"])]


CHART_PARTS = ("auto", "confirmed", "suggested", "unidentified", "other")


def collections_chart(accounts: list[dict[str, Any]], limit: int | None = None) -> dict[str, Any]:
    """The money in of each account (rows of `account_figures`) split into what became of it, as decimal strings
    for a stacked bar: auto-matched, confirmed, suggested, unidentified, and `other` — the rest of what was
    imported (exceptions a person settles: duplicates, over- and under-payments held back; lines not matched yet),
    so that the parts of a bar (stacked in the order of `parts`) add up to the money in of its account to the cent.
    With `limit`, only that many accounts, those with the most money in (in that order); `hidden` says how many were
    left out."""
    if limit is not None and len(accounts) > limit:
        shown = sorted(accounts, key=lambda row: (-Decimal(row["imported"]["amount"]), row["account_no"]))[:limit]
    else:
        shown = accounts
    series: dict[str, list[str]] = {part: [] for part in CHART_PARTS}
    for row in shown:
        drawn = ZERO
        for part in CHART_PARTS[:-1]:
            amount = Decimal(row[part]["amount"])
            drawn += amount
            series[part].append(money_str(amount))
        series["other"].append(money_str(Decimal(row["imported"]["amount"]) - drawn))
    return {"accounts": [row["account_no"] for row in shown], "parts": list(CHART_PARTS), "series": series,
            "hidden": len(accounts) - len(shown)}


def _add(cell: dict[str, Any], amount: Decimal) -> None:
    cell["count"] += 1
    cell["amount"] += amount


def _money(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _money(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return money_str(value)
    return value


def sales_vs_finance(start: date, end: date, user: Any = None) -> dict[str, Any]:
    due = (_scoped(Receivable.objects, user).filter(kind__in=PLAN_KINDS, due_date__gte=start, due_date__lte=end,
                                                    contract__status="signed")
           .with_outstanding().select_related("contract").order_by("due_date", "contract__contract_no", "pk"))
    receipts = (_scoped(Receipt.objects, user).filter(received_on__gte=start, received_on__lte=end, amount__gt=0)
                .with_unallocated().select_related("contract").order_by("received_on", "number"))
    expected = sum((r.amount for r in due), ZERO)
    received = sum((r.amount for r in receipts), ZERO)
    unpaid = [{"contract_no": r.contract.contract_no, "item": r.name, "due_date": r.due_date,
               "amount": money_str(r.amount), "outstanding": money_str(r.outstanding)}
              for r in due if r.outstanding > ZERO]
    unallocated = [{"receipt": r.number, "contract_no": r.contract.contract_no if r.contract else "",
                    "received_on": r.received_on, "amount": money_str(r.amount),
                    "unallocated": money_str(r.unallocated), "reference": r.reference}
                   for r in receipts if r.unallocated > ZERO]
    settled = set(Match.objects.filter(status__in=ALLOCATED_STATUSES).values_list("transaction_id", flat=True))
    bank_only = [{"account_no": t.account.account_no, "date": t.date, "amount": money_str(t.amount),
                  "counterparty": t.counterparty, "memo": t.memo, "reference": t.reference}
                 for t in (_scoped(BankTransaction.objects, user).money_in()
                           .filter(date__gte=start, date__lte=end).select_related("account").order_by("date", "pk"))
                 if t.pk not in settled]
    return {"expected": money_str(expected), "received": money_str(received),
            "difference": money_str(received - expected),
            "expected_unpaid": unpaid, "received_unallocated": unallocated, "bank_unmatched": bank_only}


def render_text(data: dict[str, Any], out: TextIO) -> None:
    out.write(f"Reconciliation {data['from']} – {data['to']}\n")
    for a in data["accounts"]:
        flag = " [escrow " + a["project"] + "]" if a["is_escrow"] else ""
        out.write(f"{a['account_no']}{flag}: imported {a['imported']['count']} ({a['imported']['amount']}), "
                  f"auto {a['auto']['count']}, confirmed {a['confirmed']['count']}, "
                  f"suggested {a['suggested']['count']}, unidentified {a['unidentified']['count']}, "
                  f"not matched {a['unmatched']['count']}; "
                  f"money out {a['money_out']['count']} ({a['money_out']['amount']}); exceptions: "
                  + (", ".join(f"{kind} {cell['count']}" for kind, cell in a["exceptions"].items() if cell["count"])
                     or "none") + "\n")
    s = data["sales_vs_finance"]
    out.write(f"expected {s['expected']}, received {s['received']}, difference {s['difference']}; "
              f"{len(s['expected_unpaid'])} line(s) still owed, {len(s['received_unallocated'])} receipt(s) "
              f"unallocated, {len(s['bank_unmatched'])} bank line(s) unmatched\n")


@register("reconciliation", text=render_text,
          help="bank lines per account: imported, matched, queued, exceptions; sales vs finance differences")
def reconciliation(options: ReportOptions) -> dict[str, Any]:
    start, end = period_of(options)
    return {"from": start, "to": end, "accounts": account_figures(start, end, options.user),
            "sales_vs_finance": sales_vs_finance(start, end, options.user)}


# --- export_matches -------------------------------------------------------------------------

EXPORT_FIELDS = ["bank_ref", "date", "amount", "account_no", "contract_no", "receivable", "due_date", "proposed",
                 "allocated", "status", "exception", "confidence", "reason"]


def match_rows(user: Any = None, account: BankAccount | None = None) -> Generator[dict[str, Any], None, None]:
    """One row per allocation (proposed or made) of every live match; a match with no line gives one row."""
    matches = _scoped(Match.objects, user).live().select_related("transaction__account").order_by(
        "transaction__date", "transaction_id")
    if account is not None:
        matches = matches.filter(transaction__account=account)
    lines: dict[int, list[MatchLine]] = defaultdict(list)
    for line in (MatchLine.objects.filter(match__in=matches).select_related("receivable__contract")
                 .order_by("match_id", "receivable__due_date", "pk")):
        lines[line.match_id].append(line)
    for m in matches.iterator(chunk_size=1000):
        t = m.transaction
        base = {"bank_ref": t.bank_ref or t.key, "date": t.date.isoformat(), "amount": money_str(t.amount),
                "account_no": t.account.account_no, "status": m.status, "exception": m.exception_kind,
                "confidence": f"{m.confidence:.4f}", "reason": "; ".join(str(r) for r in m.reasons)}
        if not lines.get(m.pk):
            yield {**base, "contract_no": "", "receivable": "", "due_date": "", "proposed": "0.00", "allocated": "0.00"}
            continue
        for line in lines[m.pk]:
            r = line.receivable
            yield {**base, "contract_no": r.contract.contract_no, "receivable": f"{r.name} {r.due_date.isoformat()}",
                   "due_date": r.due_date.isoformat(), "proposed": money_str(line.amount),
                   "allocated": money_str(line.amount if line.ledger_entry_id else ZERO)}
