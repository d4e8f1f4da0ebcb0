from __future__ import annotations

from celery import shared_task


@shared_task
def dispatch_outbox() -> dict[str, int]:
    """Every minute: send the outbox's due messages (idempotent: a claimed message is sent once)."""
    from .services import dispatch_due

    return dispatch_due().as_dict()
