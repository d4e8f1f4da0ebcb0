"""Signals the ledger sends for writes that bypass model saves (many-row inserts)."""

from __future__ import annotations

from django.dispatch import Signal

# sent after the transaction that posted receipts or allocations commits; `contract_ids`: the contracts touched
money_moved = Signal()
