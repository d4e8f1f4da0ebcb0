"""Payment in full closes the case at once: after any receipt or ledger movement commits, the
contract's open case is checked (and closed, its pending steps cancelled, when nothing is overdue)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from huikuan.core.bulk import rows_in
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.receivables.signals import money_moved

log = logging.getLogger(__name__)


def _check_after_commit(contract_id: int | None) -> None:
    if contract_id is None:
        return

    def check() -> None:
        from .casework import close_if_paid

        try:
            close_if_paid(contract_id)
        except Exception:  # never let a case check break the money that just arrived
            log.exception("closing the collection case of contract %s failed", contract_id)

    transaction.on_commit(check)


@receiver(post_save, sender=Receipt, dispatch_uid="dunning.receipt_saved")
def receipt_saved(sender: Any, instance: Receipt, created: bool, **_: Any) -> None:
    if created and instance.amount > 0:
        _check_after_commit(instance.contract_id)


@receiver(post_save, sender=LedgerEntry, dispatch_uid="dunning.entry_saved")
def entry_saved(sender: Any, instance: LedgerEntry, created: bool, **_: Any) -> None:
    if created and instance.amount < 0:
        _check_after_commit(instance.contract_id)


@receiver(money_moved, dispatch_uid="dunning.money_moved")
def many_paid(sender: Any, contract_ids: list[int], **_: Any) -> None:
    """Receipts written many at once (reconciliation): the open cases among their contracts are checked."""
    from .casework import close_if_paid
    from .choices import CaseStatus
    from .models import CollectionCase

    # by the contract index alone, the ids as they are (thousands of contracts a window): the status checked here
    with_case = {contract_id for contract_id, status in rows_in(CollectionCase, ["contract", "status"], "contract",
                                                                 contract_ids) if status == CaseStatus.OPEN}
    for contract_id in sorted(with_case):
        try:
            close_if_paid(contract_id)
        except Exception:  # never let a case check break the money that just arrived
            log.exception("closing the collection case of contract %s failed", contract_id)
