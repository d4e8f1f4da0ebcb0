"""Outbox pages and API: row scope through the customer's contracts, filters, preview, requeue, task."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.notifications.choices import MessageStatus
from huikuan.notifications.models import Message
from huikuan.notifications.services import enqueue
from huikuan.notifications.tasks import dispatch_outbox
from huikuan.testing.factories import CustomerFactory, ProjectFactory, UnitFactory, contract, staff

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.notifications.tests.urls")]

MORNING = datetime(2026, 3, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
API = "/api/notifications-test/messages/"


def queue(customer, signed, key):
    return enqueue(customer=customer, channel="email", template="overdue_reminder", idempotency_key=key,
                   context={"contract": signed, "as_of": date(2026, 3, 19)}, not_before=MORNING)


@pytest.fixture
def two_projects(buyer):
    """王芳's message (project of HT-TEST-001), 李雷's (another project), a collector of the first."""
    customer, signed = buyer
    other_customer = CustomerFactory(name="李雷", email="lilei@example.cn")
    other = contract(unit=UnitFactory(building__project=ProjectFactory()), customer=other_customer,
                     contract_no="HT-OTHER-9")
    mine = queue(customer, signed, "mine")
    theirs = queue(other_customer, other, "theirs")
    collector = staff(Role.COLLECTOR, projects=[signed.project])
    return collector, mine, theirs


def test_outbox_page_shows_only_messages_in_scope_with_status_filter(client, two_projects):
    # given a collector of 王芳's project
    collector, mine, theirs = two_projects
    Message.objects.filter(pk=mine.pk).update(status=MessageStatus.FAILED, last_error="SMTP down")
    client.force_login(collector)
    # when they open the outbox, then filter failed and queued
    page = client.get("/notifications/").content.decode()
    failed = client.get("/notifications/", {"status": "failed"}).content.decode()
    queued = client.get("/notifications/", {"status": "queued"}).content.decode()
    # then only 王芳's message appears, under "failed"
    assert "王芳" in page and "李雷" not in page
    assert "HT-TEST-001" in failed
    assert "HT-TEST-001" not in queued
    # and the other project's message is a 404
    assert client.get(f"/notifications/messages/{theirs.pk}/").status_code == 404
    detail = client.get(f"/notifications/messages/{mine.pk}/").content.decode()
    assert "SMTP down" in detail and "截至今日违约金：¥1,000.00" in detail


def test_template_preview_renders_every_language_for_a_visible_contract(client, two_projects):
    # given the collector
    collector, _, _ = two_projects
    client.force_login(collector)
    # when they preview the overdue reminder for HT-TEST-001 as of 19 March
    response = client.get("/notifications/preview/", {
        "template": "overdue_reminder", "contract_no": "HT-TEST-001", "as_of": "2026-03-19"})
    html = response.content.decode()
    # then the three languages' e-mails show the exact amounts
    assert response.status_code == 200
    assert "截至今日违约金：¥1,000.00" in html
    assert "截至今日違約金：¥1,000.00" in html
    assert "Late fee to date: CNY 1,000.00" in html
    assert html.count('class="panel preview"') == 6
    # and a contract outside their scope is not found
    hidden = client.get("/notifications/preview/", {
        "template": "overdue_reminder", "contract_no": "HT-OTHER-9"})
    assert "没有您可查看的该编号合同。" in hidden.content.decode()   # the zh-Hans default UI
    assert 'class="panel preview"' not in hidden.content.decode()


def test_api_lists_messages_in_scope_and_hides_the_rest(two_projects):
    # given the collector with a token-less API client
    collector, mine, theirs = two_projects
    api = APIClient()
    api.force_authenticate(collector)
    # when they list and read messages
    listed = api.get(API).json()
    # then only the message in scope is there, and the other is a 404
    assert [m["idempotency_key"] for m in listed["results"]] == ["mine"]
    assert listed["results"][0]["contract_no"] == "HT-TEST-001"
    assert api.get(f"{API}{theirs.pk}/").status_code == 404
    detail = api.get(f"{API}{mine.pk}/").json()
    assert (detail["status"], detail["deliveries"]) == ("queued", [])
    assert "截至今日违约金：¥1,000.00" in detail["body"]
    assert api.get(API, {"status": "sent"}).json()["results"] == []


def test_api_requeue_needs_the_permission(two_projects):
    # given a failed message and a collector without the requeue permission
    collector, mine, _ = two_projects
    Message.objects.filter(pk=mine.pk).update(status=MessageStatus.FAILED)
    api = APIClient()
    api.force_authenticate(collector)
    # when they try, they are refused; once granted, it is queued again
    assert api.post(f"{API}{mine.pk}/requeue/").status_code == 403
    collector.user_permissions.add(Permission.objects.get(codename="requeue_message"))
    collector = type(collector).objects.get(pk=collector.pk)
    api.force_authenticate(collector)
    response = api.post(f"{API}{mine.pk}/requeue/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "queued"
    # and a queued message cannot be requeued
    assert api.post(f"{API}{mine.pk}/requeue/").status_code == 400


def test_the_celery_task_dispatches_the_outbox(two_projects):
    # given two messages queued in the past
    # when the periodic task runs (eagerly in tests)
    result = dispatch_outbox.delay().get()
    # then both went out
    assert result["sent"] == 2
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
