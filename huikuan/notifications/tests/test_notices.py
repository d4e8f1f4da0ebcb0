"""The outbox's refusals in the reader's language; every refusal the app writes has its template."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from huikuan.core.choices import Role
from huikuan.dunning.choices import CloseReason
from huikuan.notifications.choices import MessageStatus
from huikuan.notifications.models import Message, Template
from huikuan.notifications.notices import TEMPLATES, fitting, translated
from huikuan.notifications.services import enqueue
from huikuan.testing.factories import staff
from huikuan.testing.phrasebooks import hidden_templates
from huikuan.testing.refusals import refusals_written_in, sample_text

APP = Path(__file__).resolve().parents[1]
# what the pages show: the outbox's refusals, and the unknown channel and missing template they pass on
REFUSALS = {"NotificationError", "TemplateMissing", "UnknownChannel"}


def test_every_refusal_the_outbox_writes_has_a_template_and_reads_in_chinese():
    # given every refusal the app raises with a message of its own
    written = refusals_written_in(APP, REFUSALS)
    assert len(written) >= 5, written
    # then each fits a template, and in Chinese none is left in English
    assert [(where, text) for where, text in written if fitting(text) is None] == []
    with translation.override("zh-hans"):
        assert [(where, text) for where, text in written if translated(text) == text] == []


@pytest.mark.parametrize("text, chinese", [
    ("only failed messages can be queued again", "只有发送失败的消息才能重新加入发送队列"),
    ("no message template 'reminder' in en or zh-hans", "消息模板 'reminder' 没有English或简体中文版本"),
    ("no message template 'reminder' in zh-hans or zh-hans", "消息模板 'reminder' 没有简体中文版本"),
    ("unknown channel 'fax'; known: email, push, sms", "未知的发送渠道 'fax'；可用渠道：email, push, sms"),
])
def test_a_refusal_reads_in_chinese_with_its_values_in_place(text, chinese):
    with translation.override("zh-hans"):
        assert translated(text) == chinese


def test_a_message_no_template_fits_is_shown_as_written():
    with translation.override("zh-hans"):
        assert translated("SMTP: timed out") == "SMTP: timed out"


def test_each_template_reads_back_its_own_english():
    # a template filled with sample values is found again as itself (no template hides another)
    assert hidden_templates(TEMPLATES, fitting) == []


# --- the pages, in Chinese ---------------------------------------------------------------------


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _queued(buyer) -> Message:  # type: ignore[no-untyped-def]
    """A reminder queued for the buyer's contract."""
    customer, signed = buyer
    return enqueue(customer=customer, channel="email", template="overdue_reminder", idempotency_key="k1",
                   context={"contract": signed})


@pytest.mark.django_db
@pytest.mark.urls("huikuan.notifications.tests.urls")
def test_requeueing_a_message_that_did_not_fail_says_why_in_chinese(buyer):
    # given a queued message and a collector who may requeue
    _, signed = buyer
    message = _queued(buyer)
    user = staff(Role.COLLECTOR, projects=[signed.project])
    user.user_permissions.add(Permission.objects.get(codename="requeue_message"))
    # when they requeue it
    page = _signed_in(user).post(f"/notifications/messages/{message.pk}/requeue/", follow=True).content.decode()
    # then the page says why not, in Chinese
    assert "只有发送失败的消息才能重新加入发送队列" in page
    assert "only failed messages" not in page


@pytest.mark.django_db
@pytest.mark.urls("huikuan.notifications.tests.urls")
def test_the_preview_of_a_step_with_no_template_in_a_language_says_so_in_chinese(buyer):
    # given a step written only in English
    _, signed = buyer
    Template.objects.create(key="english_only", language="en", subject="Hello", body="Hello {{ customer_name }}")
    # when a collector previews it (the preview shows every language, Simplified Chinese first)
    page = _signed_in(staff(Role.COLLECTOR, projects=[signed.project])).get("/notifications/preview/", {
        "template": "english_only", "contract_no": signed.contract_no}).content.decode()
    # then the form says which version is missing, in Chinese
    assert "消息模板 &#x27;english_only&#x27; 没有简体中文版本" in page
    assert "no message template" not in page


# --- a message's status reason -----------------------------------------------------------------


def _reasons_written_in(source: Path) -> list[tuple[int, str]]:
    """Each status reason the outbox writes: a `REASON_…` constant, a `status_reason=` given as text, and the text
    put into a variable named `reason` (both sides of a conditional), as (line, sample text)."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.keyword) and node.arg == "status_reason":
            values = [node.value]
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                for n, name in enumerate(names):
                    if isinstance(name, ast.Name) and (name.id == "reason" or name.id.startswith("REASON_")):
                        value = node.value
                        values.append(value.elts[n] if isinstance(value, ast.Tuple) else value)
        for value in values:
            branches = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            found += [(node.lineno, text) for text in map(sample_text, branches) if text]
    return found


def test_every_status_reason_the_outbox_writes_has_a_template_and_reads_in_chinese():
    # given every reason the outbox's services write on a message
    written = _reasons_written_in(APP / "services.py")
    assert {"opted out", "quiet hours", "no 12 address", "refused by the gateway", "unknown channel"} <= {
        text for _, text in written}, written
    # then each fits a template, and in Chinese none is left in English
    assert [(line, text) for line, text in written if fitting(text) is None] == []
    with translation.override("zh-hans"):
        assert [(line, text) for line, text in written if translated(text) == text] == []


@pytest.mark.parametrize("reason", CloseReason.values)
def test_messages_stopped_by_a_closed_case_say_why_in_chinese(reason):
    # the reason dunning gives the outbox when a case closes (casework.close_case → outbound.stop_pending)
    text = f"collection case closed: {reason}"
    assert fitting(text) is not None
    with translation.override("zh-hans"):
        assert translated(text) != text and "collection" not in translated(text)


@pytest.mark.django_db
@pytest.mark.urls("huikuan.notifications.tests.urls")
def test_the_outbox_shows_why_a_message_was_stopped_in_chinese(buyer):
    # given a message stopped because the customer opted out (the gateway had refused it before)
    _, signed = buyer
    stopped = _queued(buyer)
    Message.objects.filter(pk=stopped.pk).update(status=MessageStatus.SUPPRESSED, status_reason="opted out",
                                                 last_error="550 mailbox unavailable")
    client = _signed_in(staff(Role.COLLECTOR, projects=[signed.project]))
    # when a collector opens the outbox and the message
    listed = client.get("/notifications/").content.decode()
    detail = client.get(f"/notifications/messages/{stopped.pk}/").content.decode()
    # then the reason reads in Chinese, and the gateway's own error as it wrote it
    with translation.override("zh-hans"):
        chinese = translated("opted out")
    assert chinese != "opted out"
    assert chinese in listed and chinese in detail
    assert "opted out" not in listed and "opted out" not in detail
    assert "550 mailbox unavailable" in detail


@pytest.mark.parametrize("channel, chinese", [("email", "没有电子邮箱接收地址"), ("sms", "没有短信接收地址")])
def test_a_missing_address_names_its_channel_in_chinese(channel, chinese):
    with translation.override("zh-hans"):
        assert translated(f"no {channel} address") == chinese
        assert translated("no fax address") == "没有fax接收地址"  # a channel no one configured: as written


@pytest.mark.django_db
@pytest.mark.urls("huikuan.notifications.tests.urls")
def test_the_outbox_names_channels_in_chinese(buyer):
    # given a queued e-mail
    _, signed = buyer
    queued = _queued(buyer)
    client = _signed_in(staff(Role.COLLECTOR, projects=[signed.project]))
    # when a collector opens the outbox and the message
    listed = client.get("/notifications/").content.decode()
    detail = client.get(f"/notifications/messages/{queued.pk}/").content.decode()
    # then the channel reads as its Chinese name, in the table, the filter and the message's page
    assert listed.count("电子邮箱") >= 2 and "短信" in listed
    assert '<option value="email" >电子邮箱</option>' in listed.replace("\n", "")
    assert "电子邮箱 · " in detail
