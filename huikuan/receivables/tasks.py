from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone


@shared_task
def post_late_fees(as_of: str | None = None) -> int:
    """Nightly: post onto each live contract's ledger the late fee accrued up to yesterday.

    Idempotent: each contract is brought up to what has accrued, so a second run (or a run after a
    crash half-way) posts nothing twice. Returns how many contracts got a new entry.
    """
    from huikuan.sales.models import Contract

    from .balances import contract_balances
    from .services import post_late_fees as post

    day = date.fromisoformat(as_of) if as_of else timezone.localdate() - timedelta(days=1)
    live = Contract.objects.live()
    owing = [b.contract_id for b in contract_balances(day, live) if b.late_fee > 0]
    posted = 0
    for contract in Contract.objects.filter(pk__in=owing).order_by("pk").iterator():
        if post(actor=None, contract=contract, as_of=day) is not None:
            posted += 1
    return posted
