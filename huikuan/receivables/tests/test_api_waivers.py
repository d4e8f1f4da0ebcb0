"""REST API: waivers are requested by one person and decided by another."""

from datetime import date
from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.receivables.models import Waiver
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import contract, staff

pytestmark = pytest.mark.django_db

PLAN = [PlanLine("full_payment", 1, "房款", date(2026, 3, 9), D("1000.00"))]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_requester_cannot_approve_their_own_waiver_but_a_manager_can():
    # given a finance clerk (who may request and approve) and a manager
    c = contract(price="1000.00", plan=PLAN)
    line = c.receivables.get()
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    manager = token_client(staff(Role.MANAGER, projects=[c.project]))
    # when the clerk requests a waiver of 120.50 and then approves it
    waiver = clerk.post("/api/waivers/", {"receivable": line.pk, "amount": "120.50", "reason": "goodwill"},
                        format="json")
    assert waiver.status_code == 201, waiver.json()
    own = clerk.post(f"/api/waivers/{waiver.json()['id']}/approve/", {}, format="json")
    # then that is a 400 with the reason
    assert own.status_code == 400
    assert own.json() == {"detail": "a waiver must be approved by someone other than who requested it"}
    # when the manager approves it
    approved = manager.post(f"/api/waivers/{waiver.json()['id']}/approve/", {"note": "ok"}, format="json")
    # then it is approved and the receivable owes 879.50
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["amount"]) == ("approved", "120.50")
    assert manager.get(f"/api/receivables/{line.pk}/").json()["outstanding"] == "879.50"


def test_a_collector_may_request_but_not_decide_a_waiver():
    # given a collector of the project and a waiver they requested
    c = contract(price="1000.00", plan=PLAN)
    line = c.receivables.get()
    collector = token_client(staff(Role.COLLECTOR, projects=[c.project]))
    waiver = collector.post("/api/waivers/", {"receivable": line.pk, "amount": "10.00", "reason": "dispute"},
                            format="json").json()
    # when they try to reject it
    response = collector.post(f"/api/waivers/{waiver['id']}/reject/", {}, format="json")
    # then it is forbidden and the waiver is still requested
    assert response.status_code == 403
    assert Waiver.objects.get().status == "requested"


def test_a_waiver_larger_than_what_is_owed_is_refused():
    # given a receivable owing 1,000.00
    c = contract(price="1000.00", plan=PLAN)
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when a waiver of 1,000.01 is requested
    response = clerk.post("/api/waivers/", {"receivable": c.receivables.get().pk, "amount": "1000.01",
                                            "reason": "too much"}, format="json")
    # then it is a 400 with the reason
    assert response.status_code == 400
    assert response.json() == {"detail": "cannot waive 1000.01: the receivable owes 1000.00"}
