"""The outbox's refusals in the reader's language; every refusal the app writes has its template."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from huikuan.core.choices import Role
from huikuan.notifications.models import Template
from huikuan.notifications.notices import TEMPLATES, fitting, translated
from huikuan.notifications.services import enqueue
from huikuan.testing.factories import staff
from huikuan.testing.phrasebooks import hidden_templates
from huikuan.testing.refusals import refusals_written_in

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


@pytest.mark.django_db
@pytest.mark.urls("huikuan.notifications.tests.urls")
def test_requeueing_a_message_that_did_not_fail_says_why_in_chinese(buyer):
    # given a queued message and a collector who may requeue
    customer, signed = buyer
    message = enqueue(customer=customer, channel="email", template="overdue_reminder", idempotency_key="k1",
                      context={"contract": signed})
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
