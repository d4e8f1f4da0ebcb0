"""Row locks taken before money moves, always in the same order (receipt first, then receivables in
primary-key order) so two transactions can never deadlock on each other."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Receipt, Receivable


def lock_receipt(receipt_id: int) -> Receipt:
    return Receipt.objects.select_for_update().get(pk=receipt_id)


def lock_receivables(ids: Iterable[int]) -> dict[int, Receivable]:
    rows = Receivable.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {row.pk: row for row in rows}
