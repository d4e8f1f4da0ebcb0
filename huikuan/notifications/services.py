"""The outbox: queue a message once, send it when it may go, retry until the gateway takes it.

* `enqueue` renders and stores a message under an idempotency key; the same key returns the
  message already stored, so a dunning step can be run again without a second message.
* `dispatch_due` (every minute, tasks.dispatch_outbox) claims each due message with a conditional
  `UPDATE … SET status='sending' WHERE id=… AND status='queued'` — only the worker whose update
  changed one row sends it — and then applies, in order: opt-out (suppressed), quiet hours for
  SMS and calls (deferred to the end of quiet hours), the per-customer daily limit (deferred to the
  next day) and finally the channel. A channel failure puts the message back in the queue with
  exponential backoff and the error; after the last attempt it is `failed`, still kept and
  re-queueable. Nothing is ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from huikuan.core.services import record
from huikuan.customers.models import Customer
from huikuan.sales.models import Contract

from . import conf
from .channels.base import Channel, ChannelError, Outgoing
from .channels.registry import UnknownChannel, get_channel
from .choices import MessageStatus
from .models import DeliveryAttempt, Message, OptOut
from .rendering import render
from .timing import backoff, in_quiet_hours, local_day_bounds, next_local_day_at, quiet_hours_end

QUEUED, SENDING, SENT, FAILED, SUPPRESSED = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT,
                                             MessageStatus.FAILED, MessageStatus.SUPPRESSED)
REASON_OPTED_OUT = "opted out"
REASON_QUIET_HOURS = "quiet hours"
REASON_DAILY_LIMIT = "daily limit reached"


class NotificationError(ValueError):
    pass


# --- queueing -------------------------------------------------------------------------------


def is_opted_out(customer: Customer | int, channel: str) -> bool:
    customer_id = customer if isinstance(customer, int) else customer.pk
    return OptOut.objects.filter(customer_id=customer_id, channel=channel).exists()


def _contract_of(context: dict[str, Any], related: Any) -> Contract | None:
    for candidate in (context.get("contract"), related, getattr(related, "contract", None)):
        if isinstance(candidate, Contract):
            return candidate
    return None


def enqueue(*, customer: Customer, channel: str, template: str, context: dict[str, Any], idempotency_key: str,
            related: Any = None, not_before: datetime | None = None) -> Message:
    """Queue `template` for `customer` on `channel`, once per `idempotency_key`.

    `context` may carry `contract`, `receivable` and `as_of` (the bill is rendered from them) and
    any other names the template uses. Returns the existing message when the key was used before
    (whatever its status), otherwise a new one: queued, or suppressed at once with the reason
    when the customer has no address on the channel or opted out of it.
    """
    if not idempotency_key:
        raise NotificationError("an idempotency key is required")
    existing = Message.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        sender = get_channel(channel)
    except UnknownChannel as exc:
        raise NotificationError(str(exc))
    rendered = render(template, channel, customer, context)
    recipient = sender.address_of(customer)
    status, reason = QUEUED, ""
    if not recipient:
        status, reason = SUPPRESSED, f"no {channel} address"
    elif is_opted_out(customer, channel):
        status, reason = SUPPRESSED, REASON_OPTED_OUT
    related_fields: dict[str, Any] = {}
    if related is not None:
        related_fields = {"related_type": ContentType.objects.get_for_model(related),
                          "related_id": str(related.pk)}
    try:
        with transaction.atomic():
            return Message.objects.create(
                customer=customer, contract=_contract_of(context, related), channel=channel,
                template_key=template, language=rendered.language, recipient=recipient,
                subject=rendered.subject, body=rendered.body, params=rendered.params,
                provider_template=rendered.provider_template, idempotency_key=idempotency_key,
                status=status, status_reason=reason, next_attempt_at=not_before or timezone.now(),
                **related_fields,
            )
    except IntegrityError:
        # another worker queued the same key between our look-up and our insert
        return Message.objects.get(idempotency_key=idempotency_key)


def suppress_pending(*, reason: str, related: Any = None, customer: Customer | None = None,
                     contract: Contract | None = None) -> int:
    """Stop every queued message about `related` / for `customer` / on `contract` (e.g. paid in full)."""
    if related is None and customer is None and contract is None:
        raise NotificationError("say which messages to stop")
    pending = Message.objects.filter(status=QUEUED)
    if related is not None:
        pending = pending.filter(related_type=ContentType.objects.get_for_model(related),
                                 related_id=str(related.pk))
    if customer is not None:
        pending = pending.filter(customer=customer)
    if contract is not None:
        pending = pending.filter(contract=contract)
    return pending.update(status=SUPPRESSED, status_reason=reason[:255], updated_at=timezone.now())


def requeue(*, actor: Any, message: Message, at: datetime | None = None) -> Message:
    """Give a failed message a fresh set of attempts, from `at` (default now)."""
    now = timezone.now()
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, status=FAILED).update(
            status=QUEUED, attempts=0, next_attempt_at=at or now, status_reason="", updated_at=now)
        if not changed:
            raise NotificationError("only failed messages can be queued again")
        record(actor, "notifications.requeue", message)
    message.refresh_from_db()
    return message


def opt_out(*, actor: Any, customer: Customer, channel: str, reason: str = "") -> OptOut:
    with transaction.atomic():
        found, created = OptOut.objects.get_or_create(
            customer=customer, channel=channel,
            defaults={"reason": reason, "created_by": actor if getattr(actor, "pk", None) else None})
        if created:
            record(actor, "notifications.opt_out", customer, channel=channel, reason=reason)
    return found


def opt_in(*, actor: Any, customer: Customer, channel: str) -> bool:
    with transaction.atomic():
        deleted, _ = OptOut.objects.filter(customer=customer, channel=channel).delete()
        if deleted:
            record(actor, "notifications.opt_in", customer, channel=channel)
    return bool(deleted)


# --- dispatching ----------------------------------------------------------------------------


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    deferred: int = 0
    taken_by_another_worker: int = 0
    released_stale: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def claim(pk: int, now: datetime) -> bool:
    """queued → sending for exactly one worker: the one whose UPDATE changed the row."""
    queued = Message.objects.filter(pk=pk, status=QUEUED)
    return queued.update(status=SENDING, claimed_at=now, updated_at=now) == 1


def _finish(message: Message, now: datetime, **changes: Any) -> None:
    Message.objects.filter(pk=message.pk, status=SENDING).update(claimed_at=None, updated_at=now, **changes)


def release_stale(now: datetime) -> int:
    """Messages a dead worker left in `sending` go back to the queue (they may have gone out once)."""
    cutoff = now - timedelta(seconds=conf.sending_timeout_seconds())
    return Message.objects.filter(status=SENDING, claimed_at__lt=cutoff).update(
        status=QUEUED, claimed_at=None, next_attempt_at=now, updated_at=now,
        last_error="the worker stopped while sending; queued again")


def sent_today(customer_id: int, now: datetime, excluding: int) -> int:
    start, end = local_day_bounds(now, conf.zone())
    return (Message.objects.filter(customer_id=customer_id).exclude(pk=excluding)
            .filter(Q(status=SENT, sent_at__gte=start, sent_at__lt=end) | Q(status=SENDING)).count())


def _deferral(message: Message, channel: Channel, now: datetime) -> tuple[datetime, str] | None:
    zone = conf.zone()
    start, end = conf.quiet_hours()
    if channel.quiet_hours and in_quiet_hours(now, zone, start, end):
        return quiet_hours_end(now, zone, end), REASON_QUIET_HOURS
    limit = conf.daily_limit()
    if limit and sent_today(message.customer_id, now, excluding=message.pk) >= limit:
        return next_local_day_at(now, zone, end), REASON_DAILY_LIMIT
    return None


def outgoing(message: Message) -> Outgoing:
    return Outgoing(
        message_id=message.pk, idempotency_key=message.idempotency_key, customer_id=message.customer_id,
        recipient=message.recipient, language=message.language, subject=message.subject, body=message.body,
        params={str(k): str(v) for k, v in (message.params or {}).items()},
        provider_template=message.provider_template,
    )


def _deliver(message: Message, channel: Channel, now: datetime, result: DispatchResult) -> None:
    attempt = message.attempts + 1
    number = DeliveryAttempt.objects.filter(message=message).count() + 1
    try:
        provider_id = channel.send(outgoing(message))
    except Exception as exc:  # noqa: BLE001 - a channel bug must not lose the message either
        error = exc if isinstance(exc, ChannelError) else ChannelError(f"{type(exc).__name__}: {exc}")
        DeliveryAttempt.objects.create(message=message, number=number, at=now, ok=False, error=str(error))
        if error.retryable and attempt < conf.max_attempts():
            delay = backoff(attempt, conf.retry_base_seconds(), conf.retry_cap_seconds())
            _finish(message, now, status=QUEUED, attempts=attempt, last_error=str(error), status_reason="",
                    next_attempt_at=now + delay)
            result.retrying += 1
        else:
            reason = "gave up after the last attempt" if error.retryable else "refused by the gateway"
            _finish(message, now, status=FAILED, attempts=attempt, last_error=str(error),
                    status_reason=reason)
            result.failed += 1
        return
    DeliveryAttempt.objects.create(message=message, number=number, at=now, ok=True,
                                   provider_id=provider_id[:128])
    _finish(message, now, status=SENT, attempts=attempt, provider_id=provider_id[:128], sent_at=now,
            status_reason="")
    result.sent += 1


def _process(message: Message, now: datetime, result: DispatchResult) -> None:
    try:
        channel = get_channel(message.channel)
    except UnknownChannel as exc:
        _finish(message, now, status=FAILED, last_error=str(exc), status_reason="unknown channel")
        result.failed += 1
        return
    if is_opted_out(message.customer_id, message.channel):
        _finish(message, now, status=SUPPRESSED, status_reason=REASON_OPTED_OUT)
        result.suppressed += 1
        return
    deferral = _deferral(message, channel, now)
    if deferral is not None:
        until, reason = deferral
        _finish(message, now, status=QUEUED, next_attempt_at=until, status_reason=reason)
        result.deferred += 1
        return
    _deliver(message, channel, now, result)


def dispatch_due(now: datetime | None = None, *, limit: int | None = None) -> DispatchResult:
    """Send the queued messages whose time has come (oldest first, at most `limit`)."""
    now = now or timezone.now()
    result = DispatchResult(released_stale=release_stale(now))
    due = (Message.objects.filter(status=QUEUED, next_attempt_at__lte=now)
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit or conf.batch_size()])
    for pk in list(due):
        if not claim(pk, now):
            result.taken_by_another_worker += 1
            continue
        _process(Message.objects.get(pk=pk), now, result)
    return result
