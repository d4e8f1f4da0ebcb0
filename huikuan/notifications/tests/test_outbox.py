"""The outbox: idempotency, claiming, retries with backoff, quiet hours, opt-out, the daily limit."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from huikuan.notifications.choices import MessageStatus
from huikuan.notifications.models import DeliveryAttempt, Message
from huikuan.notifications.services import (
    NotificationError,
    claim,
    dispatch_due,
    enqueue,
    opt_out,
    requeue,
    suppress_pending,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=SHANGHAI)


def queue(customer, signed, *, channel="email", key="case-1:step-1:email", template="overdue_reminder",
          at=MORNING):
    return enqueue(customer=customer, channel=channel, template=template, idempotency_key=key,
                   context={"contract": signed, "as_of": date(2026, 3, 19)}, related=signed, not_before=at)


def test_the_same_key_queues_one_message_and_sends_it_once(buyer):
    # given the same dunning step queued twice
    customer, signed = buyer
    first = queue(customer, signed)
    second = queue(customer, signed)
    # when the outbox is dispatched twice
    dispatch_due(MORNING)
    dispatch_due(MORNING + timedelta(minutes=1))
    # then there is one message, sent once
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wangfang@example.cn"]
    message = Message.objects.get()
    assert (message.status, message.attempts, message.sent_at) == (MessageStatus.SENT, 1, MORNING)
    assert message.contract == signed and message.related == signed


def test_a_claimed_message_cannot_be_claimed_by_a_second_worker(buyer):
    # given a queued message
    customer, signed = buyer
    message = queue(customer, signed)
    # when two workers try to claim it
    results = [claim(message.pk, MORNING), claim(message.pk, MORNING)]
    # then exactly one gets it, and a dispatch sends nothing more
    assert results == [True, False]
    assert dispatch_due(MORNING).sent == 0
    assert len(mail.outbox) == 0


def test_a_message_left_in_sending_by_a_dead_worker_is_queued_again(buyer, settings):
    # given a message claimed 11 minutes ago by a worker that died (timeout 10 minutes)
    settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS = 600
    customer, signed = buyer
    message = queue(customer, signed)
    claim(message.pk, MORNING)
    # when the outbox is dispatched 11 minutes later
    result = dispatch_due(MORNING + timedelta(minutes=11))
    # then it was released and sent
    assert (result.released_stale, result.sent) == (1, 1)
    assert Message.objects.get().status == MessageStatus.SENT


def test_sms_at_half_past_ten_at_night_waits_until_eight_but_email_goes(buyer, settings, tmp_path):
    # given an SMS and an e-mail queued at 22:30 Shanghai time
    settings.NOTIFICATIONS_SMS_FILE = tmp_path / "sms.jsonl"
    customer, signed = buyer
    night = datetime(2026, 3, 19, 22, 30, tzinfo=SHANGHAI)
    sms = queue(customer, signed, channel="sms", key="k:sms", at=night)
    email = queue(customer, signed, channel="email", key="k:email", at=night)
    # when the outbox is dispatched at 22:30
    result = dispatch_due(night)
    # then the e-mail went, the SMS is deferred to 08:00 the next morning
    sms.refresh_from_db()
    email.refresh_from_db()
    assert (result.sent, result.deferred) == (1, 1)
    assert email.status == MessageStatus.SENT
    assert (sms.status, sms.status_reason, sms.attempts) == (MessageStatus.QUEUED, "quiet hours", 0)
    assert sms.next_attempt_at == datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI)
    # and at 07:59 it still waits, at 08:00 it goes
    assert dispatch_due(datetime(2026, 3, 20, 7, 59, tzinfo=SHANGHAI)).sent == 0
    assert dispatch_due(datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI)).sent == 1
    assert len((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_sms_just_after_midnight_waits_until_eight_the_same_morning(buyer):
    # given an SMS due at 00:30 Shanghai time (16:30 UTC the day before)
    customer, signed = buyer
    early = datetime(2026, 3, 19, 16, 30, tzinfo=UTC)
    sms = queue(customer, signed, channel="sms", key="k:sms", at=early)
    # when dispatched then
    dispatch_due(early)
    # then it waits until 08:00 of 20 March (Shanghai), not of the 21st
    sms.refresh_from_db()
    assert sms.next_attempt_at == datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI)


def test_an_opted_out_customer_is_not_contacted_on_that_channel(buyer):
    # given a queued e-mail, then the customer opts out of e-mail
    customer, signed = buyer
    message = queue(customer, signed)
    opt_out(actor=None, customer=customer, channel="email", reason="客户来电要求退订")
    # when dispatched
    result = dispatch_due(MORNING)
    # then the message is suppressed with the reason and nothing is sent
    message.refresh_from_db()
    assert (result.suppressed, len(mail.outbox)) == (1, 0)
    assert (message.status, message.status_reason) == (MessageStatus.SUPPRESSED, "opted out")
    # and a message queued after the opt-out is suppressed at once
    later = queue(customer, signed, key="case-1:step-2:email")
    assert (later.status, later.status_reason) == (MessageStatus.SUPPRESSED, "opted out")


def test_a_customer_without_an_address_is_suppressed_with_the_reason(buyer):
    customer, signed = buyer
    customer.email = ""
    message = queue(customer, signed)
    assert (message.status, message.status_reason) == (MessageStatus.SUPPRESSED, "no email address")


def test_the_daily_limit_defers_the_rest_to_the_next_day(buyer, settings):
    # given a limit of 2 messages a day and 3 queued for the same customer
    settings.NOTIFICATIONS_DAILY_LIMIT = 2
    customer, signed = buyer
    for step in (1, 2, 3):
        queue(customer, signed, key=f"case-1:step-{step}:email")
    # when dispatched in the morning
    result = dispatch_due(MORNING)
    # then two went and the third waits until 08:00 tomorrow
    assert (result.sent, result.deferred) == (2, 1)
    waiting = Message.objects.get(status=MessageStatus.QUEUED)
    assert waiting.idempotency_key == "case-1:step-3:email"
    assert (waiting.status_reason, waiting.next_attempt_at) == (
        "daily limit reached", datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI))
    # and the next morning it goes
    assert dispatch_due(datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI)).sent == 1
    assert len(mail.outbox) == 3


def test_payment_in_full_stops_pending_messages(buyer):
    # given two queued messages about the contract
    customer, signed = buyer
    queue(customer, signed, key="a")
    queue(customer, signed, key="b")
    # when the dunning case closes
    stopped = suppress_pending(related=signed, reason="paid in full")
    # then both are suppressed and nothing goes out
    assert stopped == 2
    assert dispatch_due(MORNING).sent == 0
    assert set(Message.objects.values_list("status", "status_reason")) == {
        (MessageStatus.SUPPRESSED, "paid in full")}


def test_an_unknown_channel_is_refused_when_queueing(buyer):
    customer, signed = buyer
    with pytest.raises(NotificationError):
        queue(customer, signed, channel="fax")
    assert Message.objects.count() == 0


class FlakyChannel:
    """Fails the first `failures` sends."""

    name, label, quiet_hours = "email", "E-mail", False
    calls: list = []
    failures = 0

    def address_of(self, customer):
        return customer.email

    def send(self, message):
        from huikuan.notifications.channels.base import ChannelError

        FlakyChannel.calls.append(message.idempotency_key)
        if len(FlakyChannel.calls) <= FlakyChannel.failures:
            raise ChannelError("SMTP: connection refused")
        return "<id@test>"


@pytest.fixture
def flaky(settings):
    from huikuan.notifications.channels import registry

    registry._load.cache_clear()
    settings.NOTIFICATIONS_CHANNELS = {"email": "huikuan.notifications.tests.test_outbox.FlakyChannel"}
    FlakyChannel.calls = []
    yield FlakyChannel
    registry._load.cache_clear()


def test_failures_are_retried_with_exponential_backoff_then_fail_and_can_be_requeued(buyer, settings, flaky):
    # given a gateway that refuses every send, 60 s base backoff and 3 attempts at most
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    flaky.failures = 99
    customer, signed = buyer
    message = queue(customer, signed)
    # when dispatched: first try fails → next at +60 s
    dispatch_due(MORNING)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        MessageStatus.QUEUED, 1, MORNING + timedelta(seconds=60))
    assert message.last_error == "SMTP: connection refused"
    # not before its time
    assert dispatch_due(MORNING + timedelta(seconds=59)).retrying == 0
    # second try at +60 s fails → next 120 s later
    dispatch_due(MORNING + timedelta(seconds=60))
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, MORNING + timedelta(seconds=180))
    # third and last try fails → failed, kept with its error
    dispatch_due(MORNING + timedelta(seconds=180))
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.FAILED, 3, "SMTP: connection refused")
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == 3
    # when someone requeues it and the gateway is back
    flaky.failures = 0
    flaky.calls = []
    requeue(actor=None, message=message, at=MORNING + timedelta(hours=1))
    dispatch_due(MORNING + timedelta(hours=1))
    # then it is sent
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "<id@test>")
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("number", "ok")) == [
        (1, False), (2, False), (3, False), (4, True)]
