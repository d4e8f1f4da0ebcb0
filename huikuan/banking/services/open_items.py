"""What the matching engine matches against: every open receivable with what is known of its contract.

Read-only, a handful of queries for any number of receivables: the open lines (outstanding > 0 on the
ledger), the contract parties' names, learnt payer aliases, the payer accounts of earlier allocated
matches, and the lending bank of each loan line (from the mortgage pipeline).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from huikuan.banking.matching import OpenItem
from huikuan.core.money import ZERO
from huikuan.mortgages.models import LoanApplication
from huikuan.receivables.choices import LOAN_KINDS, ReceivableKind
from huikuan.receivables.models import Receivable
from huikuan.sales.choices import ContractStatus
from huikuan.sales.models import ContractParty

from ..choices import ALLOCATED_STATUSES
from ..models import MatchLine, PayerAlias

# late fees and cancellation deductions are settled by a person, never by a bank match
NOT_MATCHED = (ReceivableKind.LATE_FEE, ReceivableKind.DEDUCTION)


def unit_label(building: str, number: str) -> str:
    """How a unit is written on a memo: 3栋 + 1202 → 3栋1202 (3栋1-1202 with a staircase)."""
    return f"{building}{number}" if building and not building[-1].isdigit() else f"{building}-{number}"


def build_open_items(project_ids: Iterable[int] | None = None, paid_since: date | None = None) -> list[OpenItem]:
    """Open receivables; with `paid_since`, also the lines paid off that were due since then (outstanding 0),
    so that the engine recognises a second payment of them as a duplicate."""
    owing = Q(outstanding__gt=ZERO)
    if paid_since is not None:
        owing |= Q(outstanding=ZERO, due_date__gte=paid_since)
    rows = (Receivable.objects.with_outstanding()
            .filter(owing, contract__status=ContractStatus.SIGNED)
            .exclude(kind__in=NOT_MATCHED)
            .order_by("contract_id", "due_date", "pk")
            .values_list("pk", "contract_id", "kind", "due_date", "outstanding", "amount", "contract__contract_no",
                         "contract__unit__building__name", "contract__unit__number", "contract__project_id"))
    if project_ids is not None:
        rows = rows.filter(contract__project_id__in=list(project_ids))
    found = list(rows)
    names: dict[int, list[str]] = defaultdict(list)
    customers: dict[int, list[int]] = defaultdict(list)
    for contract_id, customer_id, name in (ContractParty.objects.filter(contract__status=ContractStatus.SIGNED)
                                           .values_list("contract_id", "customer_id", "customer__name")):
        names[contract_id].append(name)
        customers[contract_id].append(customer_id)
    alias_names: dict[int, set[str]] = defaultdict(set)
    alias_accounts: dict[int, set[str]] = defaultdict(set)
    for customer_id, name, account in PayerAlias.objects.values_list("customer_id", "name", "account"):
        if name:
            alias_names[customer_id].add(name)
        if account:
            alias_accounts[customer_id].add(account)
    seen_accounts: dict[int, set[str]] = defaultdict(set)
    for contract_id, account in (MatchLine.objects.filter(match__status__in=ALLOCATED_STATUSES)
                                 .exclude(match__transaction__counterparty_account="")
                                 .values_list("receivable__contract_id", "match__transaction__counterparty_account")
                                 .distinct()):
        seen_accounts[contract_id].add(account)
    loan_ids = [r[0] for r in found if r[2] in LOAN_KINDS and r[4] > ZERO]
    lender = dict(LoanApplication.objects.open().filter(receivable_id__in=loan_ids)
                  .values_list("receivable_id", "bank__name")) if loan_ids else {}
    items = []
    for pk, contract_id, kind, due, outstanding, amount, contract_no, building, number, project_id in found:
        people = customers.get(contract_id, [])
        items.append(OpenItem(
            receivable_id=pk, contract_id=contract_id, contract_no=contract_no,
            unit_labels=(unit_label(building, number),), kind=kind, due_date=due, outstanding=outstanding,
            party_names=names.get(contract_id, []),
            known_payer_accounts=seen_accounts.get(contract_id, set()).union(
                *(alias_accounts.get(c, set()) for c in people)),
            known_payer_names=set().union(*(alias_names.get(c, set()) for c in people)),
            bank=lender.get(pk, ""), original_amount=amount, project=project_id))
    return items
