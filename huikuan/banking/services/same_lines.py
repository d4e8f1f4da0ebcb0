"""Lines already stored under another key: the same day's line of an account exported twice in different ways.

A line's key is the bank's reference, else a hash of its fields (`statements.transaction_key`), so the same
statement imported again adds nothing. But the same lines can come back with other keys: the account's statement
downloaded once as the bank's CSV and once as MT940 (other fields, a reference in one and not the other), or an
export whose layout the bank changed (a memo column more). Where the bank gives a balance after each line, a line
with the same date, amount and balance as a line already stored is that line: a balance is the account's running
total, so two different lines share all three only when the account went back to the same figure with the same
amount the same day — so each stored line stands for one line of a file, no more (lines of the file counted in
order against the stored ones). Lines without a balance are left to their keys: two equal payments on one day are
common, and telling them apart needs what a person sees (the engine flags a payer paying the same amount twice).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from ..models import BankAccount, BankTransaction

Fingerprint = tuple[date, Decimal, Decimal]


def drop_stored_lines(account: BankAccount, rows: list[tuple],
                      fields: tuple[str, ...]) -> tuple[list[tuple], list[str]]:
    """``rows`` (tuples in the order of ``fields``, with key, date, amount and balance among them) less those already
    stored for the account under another key, and a warning for each one dropped."""
    at = {name: fields.index(name) for name in ("key", "date", "amount", "balance", "line_no")}
    with_balance = [r for r in rows if r[at["balance"]] is not None]
    if not with_balance or not account.pk:
        return rows, []
    days = [r[at["date"]] for r in with_balance]
    stored = BankTransaction.objects.filter(account=account, date__gte=min(days), date__lte=max(days),
                                            balance__isnull=False)
    keys = {r[at["key"]] for r in rows}
    taken: set[str] = set()  # keys of this file stored already: those lines are this file's (ON CONFLICT skips them)
    unclaimed: dict[Fingerprint, list[tuple[int, str]]] = defaultdict(list)
    for key, day, amount, balance, line_no, file_name in stored.values_list(
            "key", "date", "amount", "balance", "line_no", "statement__file_name").order_by("date", "pk"):
        if key in keys:
            taken.add(key)
        else:
            unclaimed[(day, amount, balance)].append((line_no, file_name))
    if not unclaimed:
        return rows, []
    kept, warnings = [], []
    for row in rows:
        key, day, amount, balance = (row[at[name]] for name in ("key", "date", "amount", "balance"))
        same = unclaimed.get((day, amount, balance)) if balance is not None and key not in taken else None
        if not same:
            kept.append(row)
            continue
        line_no, file_name = same.pop(0)
        warnings.append(f"line {row[at['line_no']]}: the same line as line {line_no} of {file_name} ({day}, {amount}, "
                        f"balance {balance}) under another reference: not stored again")
    return kept, warnings
