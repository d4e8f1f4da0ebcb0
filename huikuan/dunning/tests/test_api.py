"""The dunning API: row scope, case work through services, money as decimal strings."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from huikuan.dunning.models import CollectionCase, PromiseToPay
from huikuan.dunning.services import scan_overdue
from huikuan.testing.factories import ProjectFactory, staff

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.dunning.tests.urls")]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def scanned(two_contracts):
    scan_overdue(date(2026, 4, 30))
    return two_contracts


def test_cases_are_listed_by_priority_within_scope(scanned, project):
    a, b = scanned
    mine = client_for(staff("collector", projects=[project]))
    other = client_for(staff("collector", projects=[ProjectFactory()]))
    # when
    rows = mine.get("/api/dunning/cases/").json()["results"]
    # then: A (1,000,000.00 × 52 days, yellow) before B; money as strings; outsiders see nothing
    assert [(r["contract_no"], r["overdue"], r["level"]) for r in rows] == [
        (a.contract_no, "1000000.00", "yellow"), (b.contract_no, "100000.00", "blue")]
    assert other.get("/api/dunning/cases/").json()["results"] == []
    assert other.get(f"/api/dunning/cases/{rows[0]['id']}/").status_code == 404


def test_case_work_through_the_api(scanned, project):
    a, _ = scanned
    user = staff("collector", projects=[project])
    api = client_for(user)
    case = CollectionCase.objects.get(contract=a)
    # hold needs a reason; with one it holds
    assert api.post(f"/api/dunning/cases/{case.pk}/hold/", {"until": "2026-05-10"}).status_code == 400
    held = api.post(f"/api/dunning/cases/{case.pk}/hold/", {"until": "2026-05-10", "reason": "出差"})
    assert held.json()["on_hold_until"] == "2026-05-10"
    # a promise to pay
    made = api.post("/api/dunning/promises/", {"case": case.pk, "amount": "5000.00", "pay_by": "2026-05-20",
                                                "made_on": "2026-04-30"}, format="json")
    assert made.status_code == 201 and made.json()["amount"] == "5000.00"
    assert PromiseToPay.objects.get().recorded_by == user
    # a float amount is refused
    assert api.post("/api/dunning/promises/", {"case": case.pk, "amount": 5000.5, "pay_by": "2026-05-20"},
                    format="json").status_code == 400
    # a call, and the escalation to red
    assert api.post(f"/api/dunning/cases/{case.pk}/call/", {"outcome": "no_answer"}).status_code == 201
    assert api.post(f"/api/dunning/cases/{case.pk}/escalate/", {"reason": "失联"}).json()["level"] == "red"
    # a refused operation answers 400 with the reason
    again = api.post(f"/api/dunning/cases/{case.pk}/escalate/", {"reason": "再升", "to_level": "red"})
    assert again.status_code == 400 and "already red" in again.json()["detail"]


def test_bulk_hold(scanned, project):
    api = client_for(staff("collector", projects=[project]))
    ids = list(CollectionCase.objects.values_list("pk", flat=True))
    result = api.post("/api/dunning/cases/bulk/", {"cases": ids, "operation": "hold", "reason": "春节",
                                                   "until": "2026-05-05"}, format="json").json()
    assert sorted(result["done"]) == sorted(ids) and result["refused"] == {}
    assert set(CollectionCase.objects.values_list("on_hold_until", flat=True)) == {date(2026, 5, 5)}


def test_dispute_and_restructuring_through_the_api(scanned, project):
    a, _ = scanned
    clerk = staff("customer_service", projects=[project])
    manager = staff("manager", projects=[project])
    manager.user_permissions.add(Permission.objects.get(codename="approve_restructuring"))
    api, boss = client_for(clerk), client_for(manager)
    line = a.receivables.get()
    opened = api.post("/api/dunning/disputes/", {"receivable": line.pk, "reason": "金额有误", "amount": "100.00"})
    assert opened.status_code == 201
    body = opened.json()
    assert body["amount"] == "100.00" and body["breached"] is False and 0 < body["seconds_left"] <= 86400
    case = CollectionCase.objects.get(contract=a)
    plan = {"case": case.pk, "kind": "extension", "receivables": [line.pk], "reason": "展期三个月",
            "lines": [{"due_date": "2027-01-31", "amount": "1000000.00"}]}
    item = api.post("/api/dunning/restructurings/", plan, format="json")
    assert item.status_code == 201 and item.json()["amount"] == "1000000.00"
    # the clerk may not approve; the manager may
    assert api.post(f"/api/dunning/restructurings/{item.json()['id']}/approve/").status_code == 403
    approved = boss.post(f"/api/dunning/restructurings/{item.json()['id']}/approve/")
    assert approved.json()["status"] == "approved"
