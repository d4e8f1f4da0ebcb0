"""Payment in full closes the case at once: after any receipt or ledger movement commits, the
contract's open case is checked (and closed, its pending steps cancelled, when nothing is overdue)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from huikuan.receivables.models import LedgerEntry, Receipt

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
