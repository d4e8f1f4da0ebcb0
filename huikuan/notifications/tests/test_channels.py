"""Channels against real local servers: SMTP (aiosmtpd), the SMS gateway, the push webhook."""

import json
import time
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest

from huikuan.notifications.channels import registry
from huikuan.notifications.channels.push import sign, verify
from huikuan.notifications.channels.sms import signature
from huikuan.notifications.choices import MessageStatus
from huikuan.notifications.models import Message
from huikuan.notifications.services import dispatch_due, enqueue

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fresh_channels():
    registry._load.cache_clear()
    yield
    registry._load.cache_clear()


def queue(customer, signed, channel, key="case-7:step-2"):
    return enqueue(customer=customer, channel=channel, template="overdue_reminder", idempotency_key=key,
                   context={"contract": signed, "as_of": date(2026, 3, 19)}, not_before=MORNING)


def test_an_email_really_arrives_at_the_smtp_server(buyer, smtp_server, settings):
    # given a real SMTP server and the reminder queued for 王芳
    settings.NOTIFICATIONS_FROM_EMAIL = "催收中心 <collections@huikuan.example>"
    customer, signed = buyer
    message = queue(customer, signed, "email")
    # when the outbox is dispatched
    result = dispatch_due(MORNING)
    # then one e-mail arrived, to her, with the Chinese subject and the bill in the body
    assert result.sent == 1
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["wangfang@example.cn"]
    assert envelope.mail_from == "collections@huikuan.example"
    arrived = message_from_bytes(envelope.original_content, policy=policy.default)
    # (the long encoded subject is folded onto a continuation line; the parser keeps its leading blank)
    assert arrived["Subject"].lstrip() == "【逾期提醒】合同 HT-TEST-001 待付 ¥201,000.00"
    assert arrived["X-Huikuan-Idempotency-Key"] == "case-7:step-2"
    body = arrived.get_content()
    assert "截至今日违约金：¥1,000.00" in body
    assert "- 首付款：应付日期 2026年3月9日，金额 ¥300,000.00，未付 ¥200,000.00（已逾期 10 天）" in body
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id == arrived["Message-ID"]


def test_smtp_server_down_keeps_the_email_queued_with_the_error(buyer, settings):
    # given nothing listens on the SMTP port
    from huikuan.notifications.tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    customer, signed = buyer
    message = queue(customer, signed, "email")
    # when dispatched
    dispatch_due(MORNING)
    # then the message waits for a retry with the error kept
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.last_error.startswith("SMTP: ConnectionRefusedError")


@pytest.fixture
def aliyun(settings, local_http):
    settings.NOTIFICATIONS_SMS_BACKEND = "huikuan.notifications.channels.sms.AliyunSmsChannel"
    settings.NOTIFICATIONS_SMS_ENDPOINT = local_http.url
    settings.NOTIFICATIONS_SMS_ACCESS_KEY_ID = "test-key-id"
    settings.NOTIFICATIONS_SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.NOTIFICATIONS_SMS_SIGN_NAME = "示例置业"
    settings.NOTIFICATIONS_SMS_TEMPLATE_CODE = "SMS_100001"
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    return local_http


def test_sms_gateway_request_has_the_provider_shape_and_a_valid_signature(buyer, aliyun):
    # given the gateway accepts
    aliyun.answers = [(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0",
                             "RequestId": "r1"})]
    customer, signed = buyer
    message = queue(customer, signed, "sms")
    # when dispatched
    assert dispatch_due(MORNING).sent == 1
    # then one form POST arrived with the SendSms parameters and a signature we can recompute
    [request] = aliyun.requests
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    names = ("Action", "Version", "AccessKeyId", "PhoneNumbers", "SignName", "TemplateCode", "OutId",
             "SignatureMethod", "SignatureVersion", "Format")
    assert {k: form[k] for k in names} == {
        "Action": "SendSms", "Version": "2017-05-25", "AccessKeyId": "test-key-id",
        "PhoneNumbers": "13800138000", "SignName": "示例置业", "TemplateCode": "SMS_100001",
        "OutId": "case-7:step-2",
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "Format": "JSON"}
    params = json.loads(form["TemplateParam"])
    assert (params["name"], params["contract_no"], params["amount"], params["late_fee"]) == (
        "王芳", "HT-TEST-001", "201,000.00", "1,000.00")
    unsigned = {k: v for k, v in form.items() if k != "Signature"}
    assert form["Signature"] == signature(unsigned, "test-secret")
    assert form["Signature"] != signature(unsigned, "another-secret")
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "900619746936498440^0")


def test_sms_gateway_500s_are_retried_with_backoff_until_it_accepts(buyer, aliyun):
    # given the gateway answers 500 twice, then accepts
    aliyun.answers = [(500, {"Code": "ServiceUnavailable"}), (500, {"Code": "ServiceUnavailable"}),
                      (200, {"Code": "OK", "BizId": "biz-3"})]
    customer, signed = buyer
    message = queue(customer, signed, "sms")
    # when dispatched at 10:00, then when each retry falls due (60 s, then 120 s later)
    dispatch_due(MORNING)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        MessageStatus.QUEUED, 1, MORNING + timedelta(seconds=60))
    assert message.last_error.startswith("SMS gateway HTTP 500")
    dispatch_due(MORNING + timedelta(seconds=60))
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, MORNING + timedelta(seconds=180))
    dispatch_due(MORNING + timedelta(seconds=180))
    # then the third request succeeded and the message is sent once
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (MessageStatus.SENT, 3, "biz-3")
    assert len(aliyun.requests) == 3
    assert {dict(parse_qsl(r.body.decode()))["OutId"] for r in aliyun.requests} == {"case-7:step-2"}


def test_sms_refused_for_a_bad_number_fails_without_retrying(buyer, aliyun):
    # given the gateway says the number is illegal
    aliyun.answers = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    customer, signed = buyer
    message = queue(customer, signed, "sms")
    # when dispatched
    dispatch_due(MORNING)
    # then the message failed at once, with the gateway's words
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.last_error == "SMS gateway refused: isv.MOBILE_NUMBER_ILLEGAL 非法手机号"


def test_push_webhook_is_signed_with_hmac_sha256(buyer, settings, local_http):
    # given the push webhook and its shared secret
    settings.NOTIFICATIONS_PUSH_URL = local_http.url + "push"
    settings.NOTIFICATIONS_PUSH_SECRET = "push-secret"
    local_http.answers = [(202, {"id": "push-77"})]
    customer, signed = buyer
    message = queue(customer, signed, "push")
    # when dispatched
    assert dispatch_due(MORNING).sent == 1
    # then the body is JSON with the message and the signature recomputes from timestamp and body
    [request] = local_http.requests
    timestamp = request.headers["X-Huikuan-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert request.headers["X-Huikuan-Signature"] == sign(request.body, timestamp, "push-secret")
    assert verify(request.body, timestamp, request.headers["X-Huikuan-Signature"], "push-secret")
    assert not verify(request.body, timestamp, request.headers["X-Huikuan-Signature"], "wrong-secret")
    assert not verify(request.body + b" ", timestamp, request.headers["X-Huikuan-Signature"], "push-secret")
    payload = json.loads(request.body)
    assert (payload["id"], payload["customer"], payload["title"]) == (
        "case-7:step-2", customer.pk, "【逾期提醒】合同 HT-TEST-001 待付 ¥201,000.00")
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "push-77")


def test_a_stale_push_signature_is_rejected():
    body = b'{"id": "x"}'
    stamp = "1700000000"
    assert verify(body, stamp, sign(body, stamp, "s"), "s", now=1700000000 + 299)
    assert not verify(body, stamp, sign(body, stamp, "s"), "s", now=1700000000 + 301)


def test_file_sms_backend_writes_one_json_line(buyer, settings, tmp_path):
    # given the development SMS backend writing to a file
    settings.NOTIFICATIONS_SMS_FILE = tmp_path / "sms.jsonl"
    customer, signed = buyer
    queue(customer, signed, "sms")
    # when dispatched
    dispatch_due(MORNING)
    # then the line holds the phone number and the short text
    [line] = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    written = json.loads(line)
    assert (written["id"], written["to"]) == ("case-7:step-2", "13800138000")
    assert written["text"].startswith("【huikuan】王芳您好，合同HT-TEST-001逾期未付¥200,000.00")
    assert Message.objects.get().status == MessageStatus.SENT
