"""What the matching engine matches against: every open receivable with what is known of its contract.

Read-only, a handful of queries for any number of receivables: the open lines (outstanding > 0 on the
ledger), the contract parties' names, learnt payer aliases, the payer accounts of earlier allocated
matches, and the lending bank of each loan line (from the mortgage pipeline).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from huikuan.banking.matching import OpenItem, name_key
from huikuan.banking.matching.normalize import contract_keys_and_codes
from huikuan.core.sql import cents_sql, ordinal_sql, stream_rows
from huikuan.customers.models import Customer
from huikuan.mortgages.models import LoanApplication
from huikuan.org.models import Building, Unit
from huikuan.receivables.choices import LOAN_KINDS, ReceivableKind
from huikuan.receivables.models import LedgerEntry, Receivable
from huikuan.sales.choices import ContractStatus
from huikuan.sales.models import Contract, ContractParty

from ..choices import ALLOCATED_STATUSES
from ..models import MatchLine, PayerAlias

# late fees and cancellation deductions are settled by a person, never by a bank match
NOT_MATCHED = (ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION)


def unit_label(building: str, number: str) -> str:
    """How a unit is written on a memo: 3栋 + 1202 → 3栋1202 (3栋1-1202 with a staircase)."""
    return f"{building}{number}" if building and not building[-1].isdigit() else f"{building}-{number}"


# at most this many contracts are named to the database in one query (SQLite's limit on bound parameters is 32,766
# since 3.32, 999 before); more are filtered here
NAMED_IN_SQL = 900


def build_open_items(project_ids: Iterable[int] | None = None, paid_since: date | None = None,
                     contract_ids: Iterable[int] | None = None) -> list[OpenItem]:
    """Open receivables; with `paid_since`, also the lines paid off that were due since then (outstanding 0),
    so that the engine recognises a second payment of them as a duplicate; with `contract_ids`, only those
    contracts' (see `contracts_named`)."""
    projects = None if project_ids is None else set(project_ids)
    only = None if contract_ids is None else set(contract_ids)
    names: dict[int, list[str]] = defaultdict(list)
    customers: dict[int, list[int]] = defaultdict(list)
    for contract_id, customer_id, name in _parties(only):
        names[contract_id].append(name)
        customers[contract_id].append(customer_id)
    alias_names: dict[int, set[str]] = defaultdict(set)
    alias_accounts: dict[int, set[str]] = defaultdict(set)
    aliases, matched, loans = PayerAlias.objects.all(), MatchLine.objects.all(), LoanApplication.objects.open()
    if only is not None and len(only) <= NAMED_IN_SQL:  # of these contracts only (their customers')
        aliases = aliases.filter(customer_id__in={c for people in customers.values() for c in people})
        matched = matched.filter(receivable__contract_id__in=only)
        loans = loans.filter(contract_id__in=only)
    for customer_id, name, account in aliases.values_list("customer_id", "name", "account"):
        if name:
            alias_names[customer_id].add(name)
        if account:
            alias_accounts[customer_id].add(account)
    seen_accounts: dict[int, set[str]] = defaultdict(set)
    for contract_id, account in (matched.filter(match__status__in=ALLOCATED_STATUSES)
                                 .exclude(match__transaction__counterparty_account="")
                                 .values_list("receivable__contract_id", "match__transaction__counterparty_account")
                                 .distinct()):
        seen_accounts[contract_id].add(account)
    lender = dict(loans.filter(receivable__isnull=False).values_list("receivable_id", "bank__name"))
    narrowed, ids = _scope("contract_id", only)
    if narrowed:  # the table name comes from the model; the ids are bound parameters
        narrowed = f" WHERE receivable_id IN (SELECT id FROM {Receivable._meta.db_table} WHERE 1 = 1{narrowed})"  # noqa: S608
    moved = dict(stream_rows(f"SELECT receivable_id, {cents_sql('SUM(amount)')} "  # noqa: S608
                             f"FROM {LedgerEntry._meta.db_table}{narrowed} GROUP BY receivable_id", ids))
    money, day = _Memo(lambda cents: Decimal(cents).scaleb(-2)), _Memo(date.fromordinal)
    since = paid_since.toordinal() if paid_since is not None else None
    no_names: tuple[str, ...] = ()
    nothing: frozenset[str] = frozenset()
    items: list[OpenItem] = []
    add, owed_change, bank_of = items.append, moved.get, lender.get
    current = None
    shared: tuple[tuple[str, ...], list[str] | tuple[str, ...], set[str] | frozenset[str],
                  set[str] | frozenset[str]] = ((), no_names, nothing, nothing)
    for pk, contract_id, kind, due, amount, contract_no, building, number, project_id in _plan_lines(projects, only):
        if only is not None and contract_id not in only:
            continue
        left = amount + owed_change(pk, 0)
        if left <= 0 and (left < 0 or since is None or due < since):
            continue
        if contract_id != current:
            current = contract_id
            people = customers.get(contract_id, ())
            # the contract's lists and sets, shared by its items (the engine only reads them); none: one empty set
            accounts = [alias_accounts[c] for c in people if c in alias_accounts]
            seen = seen_accounts.get(contract_id)
            if seen:
                accounts.append(seen)
            known = [alias_names[c] for c in people if c in alias_names]
            shared = ((unit_label(building, number),), names.get(contract_id, no_names),
                      set().union(*accounts) if accounts else nothing, set().union(*known) if known else nothing)
        # positional, in OpenItem's field order (receivable, contract, contract no., units, kind, due date,
        # outstanding, parties, known payer accounts, known payer names, lending bank, original amount, project)
        add(OpenItem(pk, contract_id, contract_no, shared[0], kind, day[due], money[left], shared[1], shared[2],
                     shared[3], bank_of(pk, "") if left > 0 and kind in LOAN_KINDS else "", money[amount], project_id))
    return items


def contracts_named(numbers: Iterable[str] = (), names: Iterable[str] = ()) -> set[int]:
    """The signed contracts the engine would find under these contract numbers or party names, however each is
    written (their lookup keys: `contract_lookup_key`, `name_key`) — for a match that needs only them (a bank's
    disbursement list), instead of an index of every open receivable. Two narrow passes: the contracts' numbers,
    the customers' names."""
    number_keys, name_keys = set(numbers) - {""}, {name_key(n) for n in names} - {""}
    c, cu, p = Contract._meta.db_table, Customer._meta.db_table, ContractParty._meta.db_table
    found: set[int] = set()
    if number_keys:
        # table names come from the models; the status is a bound parameter
        rows = list(stream_rows(f"SELECT id, contract_no FROM {c} WHERE status = %s",  # noqa: S608
                                [ContractStatus.SIGNED]))
        digits, codes = contract_keys_and_codes([number for _, number in rows])
        found.update(pk for (pk, _), d, code in zip(rows, digits, codes, strict=True)
                     if d in number_keys or code in number_keys)
    if name_keys:
        keys: dict[str, str] = {}
        people = set()
        for pk, name in stream_rows(f"SELECT id, name FROM {cu}", []):  # noqa: S608 - the model's table
            key = keys.get(name)
            if key is None:
                key = keys[name] = name_key(name)
            if key in name_keys:
                people.add(pk)
        # their contracts by the parties' customer index, then those signed (one join would walk every contract)
        scope, ids = _scope("customer_id", people)
        theirs = {contract_id for contract_id, customer_id in stream_rows(
            f"SELECT contract_id, customer_id FROM {p} WHERE 1 = 1{scope}", ids)  # noqa: S608 - bound ids
            if customer_id in people}
        scope, ids = _scope("id", theirs)
        found.update(pk for pk, in stream_rows(f"SELECT id FROM {c} WHERE status = %s{scope}",  # noqa: S608
                                               [ContractStatus.SIGNED, *ids]) if pk in theirs)
    return found


def _scope(column: str, values: set[int] | None) -> tuple[str, list[int]]:
    """A condition narrowing a query to these values of the column (all when None; the caller filters a long list
    itself), and its parameters."""
    if values is None or len(values) > NAMED_IN_SQL:
        return "", []
    if not values:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})", sorted(values)


def _parties(contracts: set[int] | None) -> Iterator[tuple[int, int, str]]:
    """(contract, customer, name) of every party of a signed contract (of these contracts, if given)."""
    p, c, cu = ContractParty._meta.db_table, Contract._meta.db_table, Customer._meta.db_table
    scope, params = _scope("c.id", contracts)
    # table names come from the models; the status and the ids are bound parameters
    rows = stream_rows(f"SELECT p.contract_id, p.customer_id, cu.name FROM {p} p "  # noqa: S608
                       f"JOIN {c} c ON c.id = p.contract_id JOIN {cu} cu ON cu.id = p.customer_id "
                       f"WHERE c.status = %s{scope}", [ContractStatus.SIGNED, *params])
    return rows if contracts is None else (row for row in rows if row[0] in contracts)


def _plan_lines(projects: set[int] | None, contracts: set[int] | None = None) -> Iterator[tuple]:
    """(id, contract, kind, due date, amount in cents, contract no., building, unit, project) of every plan line of
    a signed contract that a bank match may pay, contract by contract in due-date order (of these projects and
    contracts, if given: a long list of contracts is left to the caller to filter)."""
    r, c = Receivable._meta.db_table, Contract._meta.db_table
    u, b = Unit._meta.db_table, Building._meta.db_table
    params: list[Any] = [ContractStatus.SIGNED, *NOT_MATCHED]
    scope = ""
    if projects is not None:
        scope = f" AND c.project_id IN ({', '.join(['%s'] * len(projects))})" if projects else " AND 1 = 0"
        params += sorted(projects)
    narrowed, ids = _scope("c.id", contracts)
    scope += narrowed
    params += ids
    # table names come from the models; every value is a bound parameter
    return stream_rows(
        f"SELECT r.id, r.contract_id, r.kind, {ordinal_sql('r.due_date')}, {cents_sql('r.amount')}, "  # noqa: S608
        f"c.contract_no, b.name, u.number, c.project_id FROM {r} r JOIN {c} c ON c.id = r.contract_id "
        f"JOIN {u} u ON u.id = c.unit_id JOIN {b} b ON b.id = u.building_id "
        f"WHERE c.status = %s AND r.kind NOT IN (%s, %s){scope} ORDER BY c.id, r.due_date, r.id", params)


class _Memo(dict):
    """`memo[key]`: `make(key)`, built once per distinct key (plans repeat amounts and due dates)."""

    def __init__(self, make: Callable[[Any], Any]):
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value
