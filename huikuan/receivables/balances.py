"""Contract balances as of a date, over any number of contracts, in one streaming pass.

The one definition of `due`, `received`, `outstanding`, `overdue` and `late_fee` that the balances
report, the API, the contract page, the dashboard and the overdue scan all use:

* due — plan amounts whose due date is on or before the date;
* received — money received on the contract up to the date, refunds subtracted;
* outstanding — price − received;
* overdue — amounts whose (business-day-rolled) due date is before the date and that are still
  unpaid, receipts applied oldest-due first;
* late_fee — accrued up to the date from the contract terms (see `calculations`).

A plan line is worth its amount plus the entries that change its value up to the date (area-settlement
offsets, waivers, write-offs, restructurings, cancellation); allocations do not change its value —
which receipts pay it is decided oldest-due first.

Four ordered SQL queries (contracts, plan lines, value changes, receipts) are read with a server-side
cursor and merged by contract id in integer cents, so memory stays flat and no Decimal is built per
row; see docs/adr/0001-ledger-charges-and-entries.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from huikuan.core.money import ZERO
from huikuan.core.services import business_calendar
from huikuan.core.sql import cents_sql, ordinal_sql, stream_rows
from huikuan.sales.models import Contract

from .calculations import cents, fee_cents, from_cents, net_of_refunds, settle_cents
from .choices import LOAN_KINDS, EntryKind, ReceivableKind
from .models import LedgerEntry, Receipt, Receivable

VALUE_CHANGING = (EntryKind.ADJUSTMENT, EntryKind.WAIVER, EntryKind.WRITE_OFF, EntryKind.CANCELLATION)
NOT_PLAN = (ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION)


@dataclass(frozen=True)
class LineBalance:
    receivable_id: int
    kind: str
    due_date: date
    effective_due: date
    amount: Decimal        # what the line is worth at the date
    unpaid: Decimal
    days_late: int         # days past the effective due date (0: not late)

    @property
    def overdue(self) -> Decimal:
        return self.unpaid if self.days_late > 0 and self.unpaid > ZERO else ZERO


AMOUNT_NAMES = ("price", "due", "received", "outstanding", "overdue", "late_fee")


def cents_str(value: int) -> str:
    """Integer cents as the decimal string the reports print ("-1234.50"), without building a Decimal."""
    whole, part = divmod(-value if value < 0 else value, 100)
    return f"{'-' if value < 0 else ''}{whole}.{part:02d}"


class Figures:
    """The six figures as Decimals, made when read from `cents` (in the order of AMOUNT_NAMES)."""

    __slots__ = ()
    cents: Sequence[int]

    @property
    def price(self) -> Decimal:
        return from_cents(self.cents[0])

    @property
    def due(self) -> Decimal:
        return from_cents(self.cents[1])

    @property
    def received(self) -> Decimal:
        return from_cents(self.cents[2])

    @property
    def outstanding(self) -> Decimal:
        return from_cents(self.cents[3])

    @property
    def overdue(self) -> Decimal:
        return from_cents(self.cents[4])

    @property
    def late_fee(self) -> Decimal:
        return from_cents(self.cents[5])


@dataclass(frozen=True, slots=True)
class ContractBalance(Figures):
    """A contract's figures at the date. Held as integer cents (`cents`, in the order of AMOUNT_NAMES);
    each figure is also a Decimal property, made when read."""

    contract_id: int
    contract_no: str
    project_id: int
    status: str
    cents: tuple[int, int, int, int, int, int]
    lines: tuple[LineBalance, ...] = ()

    def as_json(self) -> dict[str, Any]:
        price, due, received, outstanding, overdue, late_fee = self.cents
        return {"contract_no": self.contract_no, "status": self.status, "price": cents_str(price),
                "due": cents_str(due), "received": cents_str(received), "outstanding": cents_str(outstanding),
                "overdue": cents_str(overdue), "late_fee": cents_str(late_fee)}


class BalanceTotals(Figures):
    """Sums of many balances, in integer cents; the same Decimal properties as a balance."""

    __slots__ = ("contracts", "cents")
    cents: list[int]

    def __init__(self) -> None:
        self.contracts = 0
        self.cents = [0, 0, 0, 0, 0, 0]

    def add(self, b: ContractBalance) -> None:
        self.contracts += 1
        mine, theirs = self.cents, b.cents
        for i in range(6):
            mine[i] += theirs[i]

    def merge(self, other: BalanceTotals) -> None:
        self.contracts += other.contracts
        for i in range(6):
            self.cents[i] += other.cents[i]

    def as_json(self) -> dict[str, Any]:
        return {"contracts": self.contracts, **{name: cents_str(value) for name, value in
                                                zip(AMOUNT_NAMES, self.cents, strict=True)}}


# --- reading -------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _ratio(value: object) -> Decimal | None:
    """Rates and ratios as exact decimals (SQLite stores them as REAL: 0.0005 comes back as a float)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _grouped(rows: Iterator[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """(contract id, its rows) from rows ordered by contract id (the first column)."""
    for key, group in groupby(rows, key=itemgetter(0)):
        yield key, list(group)


def _sources(as_of: date, contracts: QuerySet) -> tuple[Iterator[tuple], Iterator, Iterator, Iterator]:
    # Only table names from the models and the ORM's own compiled subquery go into the SQL text;
    # every value is a bound parameter.
    try:
        ids_sql, ids_params = contracts.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:   # a filter that can match nothing (e.g. a scope of no projects)
        return iter(()), iter(()), iter(()), iter(())
    c, r = Contract._meta.db_table, Receivable._meta.db_table
    e, p = LedgerEntry._meta.db_table, Receipt._meta.db_table
    in_scope = f"IN ({ids_sql})"
    contract_rows = stream_rows(
        f"SELECT id, contract_no, project_id, status, {cents_sql('price')}, late_fee_daily_rate, grace_days, "  # noqa: S608
        f"late_fee_cap_ratio FROM {c} WHERE id {in_scope} ORDER BY id", list(ids_params))
    not_plan = ", ".join(["%s"] * len(NOT_PLAN))
    line_rows = stream_rows(
        f"SELECT contract_id, id, {ordinal_sql('due_date')}, {cents_sql('amount')}, kind FROM {r} "  # noqa: S608
        f"WHERE contract_id {in_scope} AND kind NOT IN ({not_plan}) ORDER BY contract_id, due_date, id",
        [*ids_params, *NOT_PLAN])
    changing = ", ".join(["%s"] * len(VALUE_CHANGING))
    change_rows = stream_rows(
        f"SELECT contract_id, receivable_id, {cents_sql('SUM(amount)')} FROM {e} "  # noqa: S608
        f"WHERE contract_id {in_scope} AND kind IN ({changing}) AND posted_on <= %s "
        f"GROUP BY contract_id, receivable_id ORDER BY contract_id",
        [*ids_params, *VALUE_CHANGING, as_of.isoformat()])
    receipt_rows = stream_rows(
        f"SELECT contract_id, {ordinal_sql('received_on')}, {cents_sql('amount')} FROM {p} "  # noqa: S608
        f"WHERE contract_id {in_scope} AND received_on <= %s ORDER BY contract_id, received_on, id",
        [*ids_params, as_of.isoformat()])
    return contract_rows, _grouped(line_rows), _grouped(change_rows), _grouped(receipt_rows)


def _take(stream: Iterator[tuple[int, list[tuple]]], head: tuple[int, list[tuple]] | None,
          pk: int) -> tuple[list[tuple], tuple[int, list[tuple]] | None]:
    """The group of `pk` from an ordered stream of groups (and the stream's new head)."""
    while head is not None and head[0] < pk:
        head = next(stream, None)
    if head is not None and head[0] == pk:
        return head[1], next(stream, None)
    return [], head


# --- computing -----------------------------------------------------------------------------


def contract_balances(as_of: date, contracts: QuerySet[Contract] | None = None, *,
                      with_lines: bool = False) -> Iterator[ContractBalance]:
    """Yield one balance per contract of `contracts` (default: all), ordered by contract id.
    With `with_lines`, each balance carries its plan lines' positions (for the overdue scan)."""
    contracts = Contract.objects.all() if contracts is None else contracts
    calendar = business_calendar()

    @lru_cache(maxsize=16384)
    def rolled(ordinal: int) -> int:
        return calendar.roll_forward(date.fromordinal(ordinal)).toordinal()

    today = as_of.toordinal()
    contract_rows, lines_by, changes_by, receipts_by = _sources(as_of, contracts)
    lines_head, changes_head, receipts_head = next(lines_by, None), next(changes_by, None), next(receipts_by, None)
    for pk, number, project_id, status, price, rate, grace, cap_ratio in contract_rows:
        rows, lines_head = _take(lines_by, lines_head, pk)
        changes, changes_head = _take(changes_by, changes_head, pk)
        receipts, receipts_head = _take(receipts_by, receipts_head, pk)
        yield _balance(pk, number, project_id, status, price, _ratio(rate), grace, _ratio(cap_ratio),
                       rows, changes, receipts, today, rolled, with_lines)


def _balance(pk: int, number: str, project_id: int, status: str, price: int, rate: Decimal | None, grace: int,
             cap_ratio: Decimal | None, rows: list[tuple], changes: list[tuple], receipts: list[tuple], today: int,
             rolled: Any, with_lines: bool) -> ContractBalance:
    # rows come ordered by due date; rolling to business days keeps that order
    delta = {rid: value for _, rid, value in changes} if changes else None
    dues, amounts, accrues = [], [], []
    due = 0
    for _, rid, day, amount, kind in rows:
        if delta:
            amount += delta.get(rid, 0)
        dues.append(rolled(day))
        amounts.append(amount)
        accrues.append(kind not in LOAN_KINDS)
        if day <= today:
            due += amount
    money_in, received = [], 0
    for _, day, value in receipts:
        received += value
        if value > 0:
            money_in.append((day, value))
    refunded = sum(money for _, money in money_in) - received
    if refunded > 0:
        money_in = net_of_refunds(money_in, refunded)
    unpaid, weight = settle_cents(dues, amounts, accrues, money_in, today, grace)
    overdue = 0
    for eff, left in zip(dues, unpaid, strict=True):
        if eff < today and left > 0:
            overdue += left
    fee = 0
    if rate:
        ratio = _rate_ratio(rate)
        for w in weight:
            if w:
                fee += fee_cents(w, ratio)
    if cap_ratio is not None:
        fee = min(fee, cents((from_cents(price) * cap_ratio).quantize(Decimal("0.01"))))
    lines: tuple[LineBalance, ...] = ()
    if with_lines:
        lines = tuple(LineBalance(row[1], row[4], date.fromordinal(row[2]), date.fromordinal(eff),
                                  from_cents(amount), from_cents(left), max(0, today - eff))
                      for row, eff, amount, left in zip(rows, dues, amounts, unpaid, strict=True))
    return ContractBalance(pk, number, project_id, status, (price, due, received, price - received, overdue, fee),
                           lines)


@lru_cache(maxsize=64)
def _rate_ratio(rate: Decimal) -> tuple[int, int]:
    return rate.as_integer_ratio()


def balance_of(contract: Contract, as_of: date, *, with_lines: bool = False) -> ContractBalance:
    return next(contract_balances(as_of, Contract.objects.filter(pk=contract.pk), with_lines=with_lines))
