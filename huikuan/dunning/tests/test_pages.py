"""The pages render within row scope and change things only through the services."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from huikuan.dunning.bill import dispute_token
from huikuan.dunning.models import CollectionCase, Dispute
from huikuan.dunning.services import open_dispute, scan_overdue
from huikuan.testing.factories import ProjectFactory, staff

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.dunning.tests.urls")]


@pytest.fixture
def scanned(two_contracts):
    scan_overdue(date(2026, 4, 30))
    return two_contracts


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_worklist_in_priority_order_and_in_scope(scanned, project):
    a, b = scanned
    page = logged_in(staff("collector", projects=[project])).get("/dunning/").content.decode()
    assert page.index(a.contract_no) < page.index(b.contract_no)
    assert "1,000,000.00" in page
    other = logged_in(staff("collector", projects=[ProjectFactory()])).get("/dunning/").content.decode()
    assert a.contract_no not in other
    filtered = logged_in(staff("collector", projects=[project])).get("/dunning/?level=blue").content.decode()
    assert b.contract_no in filtered and a.contract_no not in filtered


def test_bulk_escalate_from_the_worklist(scanned, project):
    client = logged_in(staff("collector", projects=[project]))
    ids = [str(pk) for pk in CollectionCase.objects.values_list("pk", flat=True)]
    response = client.post("/dunning/", {"case": ids, "operation": "escalate", "reason": "月底清理"})
    assert response.status_code == 302
    assert sorted(CollectionCase.objects.values_list("level", flat=True)) == ["red", "yellow"]


def test_auditors_cannot_work_cases(scanned, project):
    client = logged_in(staff("auditor", projects=[project]))
    case = CollectionCase.objects.first()
    assert client.post(f"/dunning/cases/{case.pk}/", {"operation": "call", "outcome": "no_answer"}).status_code == 403


def test_case_page_shows_steps_and_title_hold_and_records_a_call(scanned, project):
    a, _ = scanned
    case = CollectionCase.objects.get(contract=a)
    client = logged_in(staff("collector", projects=[project]))
    page = client.get(f"/dunning/cases/{case.pk}/").content.decode()
    assert "逾期短信" in page and "律师函" in page
    client.post(f"/dunning/cases/{case.pk}/", {"operation": "call", "outcome": "no_answer", "note": "无人接听"})
    assert case.actions.filter(kind="call", outcome="no_answer").count() == 1


def test_dispute_screen_and_the_customer_link(scanned, project):
    _, b = scanned
    line = b.receivables.get(due_date=date(2026, 4, 20))
    # a customer opens a dispute through the link in a reminder (no login)
    response = Client().post(f"/dunning/d/{dispute_token(line.pk)}/", {"reason": "我已经转账了"})
    assert response.status_code == 200
    dispute = Dispute.objects.get()
    assert (dispute.source, dispute.amount) == ("customer_link", line.amount)
    assert Client().get("/dunning/d/forged-token/").status_code == 404
    # the notifications app's link (contract only) offers the contract's open charges
    links = pytest.importorskip("huikuan.notifications.dispute_links")
    page = Client().get(f"/dunning/d/{links.dispute_token(b)}/").content.decode()
    assert f'value="{line.pk}"' in page
    # staff see it with its timer
    client = logged_in(staff("customer_service", projects=[project]))
    assert "sla-timer" in client.get("/dunning/disputes/").content.decode()
    client.post(f"/dunning/disputes/{dispute.pk}/", {"operation": "respond", "text": "已收到，核实中"})
    dispute.refresh_from_db()
    assert dispute.first_response == "已收到，核实中"


def test_report_pages(scanned, project):
    client = logged_in(staff("manager", projects=[project]))
    aging = client.get("/dunning/reports/aging/?as_of=2026-04-30").content.decode()
    assert "江湾府" in aging and "1,100,000.00" in aging and "aging-chart" in aging
    open_dispute(receivable=scanned[1].receivables.get(due_date=date(2026, 4, 20)), reason="x")
    report = client.get("/dunning/reports/dunning/?from=2026-04-01&to=2026-04-30")
    assert report.status_code == 200 and "steps-data" in report.content.decode()


def test_scan_overdue_command(two_contracts):
    out = StringIO()
    call_command("scan_overdue", "--as-of", "2026-04-30", "--no-progress", stdout=out)
    assert out.getvalue().strip() == "scan 2026-04-30: done, 2 contracts"
    call_command("scan_overdue", "--as-of", "2026-04-30", "--no-progress", stdout=out)
    assert CollectionCase.objects.count() == 2
