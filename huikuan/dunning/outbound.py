"""The one place dunning hands a message to the notifications app (the outbox).

`huikuan.notifications.services.enqueue(*, customer, channel, template, context, idempotency_key,
related=None)` stores a message once per key, renders the bill itself from `contract`, `receivable`
and `as_of` in the context, and sends it respecting quiet hours, opt-outs and daily limits. If that
module is not installed, `send` answers None and the step is recorded as "pending_channel";
`steps.resend_pending` hands those over once it is there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from huikuan.core.money import money_str

# notifications' default templates per step channel (a step's own `template` wins)
TEMPLATES = {"courtesy": "courtesy_reminder", "sms": "overdue_reminder", "email": "overdue_reminder",
             "push": "overdue_reminder"}


def _enqueue() -> Callable[..., Any] | None:
    try:
        from huikuan.notifications.services import enqueue
    except ImportError:
        return None
    return enqueue  # type: ignore[no-any-return]


def template_for(step_channel: str, step_template: str = "") -> str:
    return step_template or TEMPLATES.get(step_channel, "overdue_reminder")


def message_channel(step_channel: str, customer: Any) -> str:
    """The outbox channel for a step: a courtesy reminder goes by e-mail when there is an address,
    else by SMS."""
    if step_channel == "courtesy":
        return "email" if getattr(customer, "email", "") else "sms"
    return step_channel


def message_context(*, contract: Any, as_of: date, receivable: Any = None, chase: Decimal | None = None,
                    late_fee: Decimal | None = None, extra: dict | None = None) -> dict[str, Any]:
    """What the outbox renders from: the bill inputs, and — when part of the overdue amount is
    disputed — the amount still chased instead of the whole overdue."""
    context: dict[str, Any] = {"contract": contract, "as_of": as_of, **(extra or {})}
    if receivable is not None:
        context["receivable"] = receivable
    if chase is not None:
        context["overdue"] = _money(chase)
        if late_fee is not None:
            context["amount_to_pay"] = _money(chase + late_fee)
    return context


def _money(amount: Decimal) -> str:
    try:
        from huikuan.notifications.formatting import money_text
    except ImportError:
        return money_str(amount)
    return money_text(amount)  # type: ignore[no-any-return]


def send(*, customer: Any, channel: str, template: str, context: dict, idempotency_key: str,
         related: Any = None) -> Any | None:
    """Queue a message; None when no channel is wired yet."""
    enqueue = _enqueue()
    if enqueue is None:
        return None
    return enqueue(customer=customer, channel=channel, template=template, context=context,
                   idempotency_key=idempotency_key, related=related)


def stop_pending(*, contract: Any, reason: str) -> int:
    """Payment in full: messages still waiting in the outbox for this contract are not sent."""
    try:
        from huikuan.notifications.services import suppress_pending
    except ImportError:
        return 0
    return int(suppress_pending(reason=reason, contract=contract))
