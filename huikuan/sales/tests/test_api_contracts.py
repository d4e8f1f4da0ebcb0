"""REST API: contracts — row scope, filters, detail, balance, and the money actions on a contract."""

from datetime import date
from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import BuildingFactory, CustomerFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

PLAN = [
    PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
    PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 1), D("700000.00")),
]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def two_projects():
    a = contract(method="mortgage", plan=PLAN, unit=UnitFactory(building=BuildingFactory()), contract_no="A-1")
    b = contract(method="mortgage", plan=PLAN, unit=UnitFactory(building=BuildingFactory()), contract_no="B-1")
    return a, b


def test_a_sales_agent_sees_only_their_projects_contracts_and_ledger():
    # given contracts in projects A and B, money on both, and a sales agent of project A
    a, b = two_projects()
    clerk = staff(Role.FINANCE, all_projects=True)
    for c in (a, b):
        services.post_receipt(actor=clerk, contract=c, amount="1000.00", received_on=date(2026, 3, 9))
    agent = token_client(staff(Role.SALES, projects=[a.project]))
    # when they read the lists
    contracts = agent.get("/api/contracts/").json()["results"]
    receivables = agent.get("/api/receivables/").json()["results"]
    receipts = agent.get("/api/receipts/").json()["results"]
    allocations = agent.get("/api/allocations/").json()["results"]
    # then only project A's rows are there
    assert [c["contract_no"] for c in contracts] == ["A-1"]
    assert {r["contract"] for r in receivables} == {a.pk}
    assert {r["contract"] for r in receipts} == {a.pk}
    assert {r["contract"] for r in allocations} == {a.pk}
    assert [p["id"] for p in agent.get("/api/projects/").json()["results"]] == [a.project_id]


def test_another_projects_contract_is_not_found():
    # given a sales agent of project A and finance staff of project A
    a, b = two_projects()
    agent = token_client(staff(Role.SALES, projects=[a.project]))
    clerk = token_client(staff(Role.FINANCE, projects=[a.project]))
    # when they open B's contract, its balance and plan, or post money on it
    urls = [f"/api/contracts/{b.pk}/", f"/api/contracts/{b.pk}/balance/", f"/api/contracts/{b.pk}/receivables/",
            f"/api/receivables/{b.receivables.first().pk}/"]
    refund = clerk.post(f"/api/contracts/{b.pk}/refund/", {"amount": "1.00", "on": "2026-03-10", "reason": "x"},
                        format="json")
    receipt = clerk.post("/api/receipts/", {"contract": b.pk, "amount": "1.00", "received_on": "2026-03-09"},
                         format="json")
    # then B does not exist for them
    assert [agent.get(url).status_code for url in urls] == [404, 404, 404, 404]
    assert refund.status_code == 404
    assert receipt.status_code == 400 and "contract" in receipt.json()
    # while A opens
    assert agent.get(f"/api/contracts/{a.pk}/").status_code == 200


def test_contracts_filter_by_project_status_method_sign_date_and_search():
    # given three contracts with different methods, dates and buyers
    wang = CustomerFactory(name="王小明")
    contract(method="mortgage", plan=PLAN, contract_no="HT-2026-001", customer=wang,
                  sign_date=date(2026, 1, 5))
    c2 = contract(method="lump_sum", contract_no="HT-2026-002", sign_date=date(2026, 2, 10))
    c3 = contract(method="lump_sum", contract_no="HT-2026-003", sign_date=date(2026, 3, 20))
    services.cancel_contract(actor=None, contract=c3, on=date(2026, 3, 21), reason="buyer withdrew")
    client = token_client(staff(Role.MANAGER, all_projects=True))

    def numbers(**params):
        return [c["contract_no"] for c in client.get("/api/contracts/", params).json()["results"]]

    # when / then
    assert numbers(payment_method="lump_sum") == ["HT-2026-003", "HT-2026-002"]
    assert numbers(status="cancelled") == ["HT-2026-003"]
    assert numbers(project=c2.project_id) == ["HT-2026-002"]
    assert numbers(sign_date_after="2026-01-06", sign_date_before="2026-03-20") == ["HT-2026-003", "HT-2026-002"]
    assert numbers(search="王小明") == ["HT-2026-001"]
    assert numbers(search="2026-002") == ["HT-2026-002"]


def test_contract_detail_nests_parties_discounts_and_the_plan_with_outstanding():
    # given a contract with 350,000.00 received
    c = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=None, contract=c, amount="350000.00", received_on=date(2026, 3, 9))
    client = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when its detail is read
    body = client.get(f"/api/contracts/{c.pk}/").json()
    # then it shows the buyer, the price and each line with what it still owes
    assert (body["price"], body["list_price"], body["payment_method"]) == ("1000000.00", "1000000.00", "mortgage")
    assert [p["customer"]["name"] for p in body["parties"]] == [c.parties.get().customer.name]
    assert body["discounts"] == []
    assert [(r["name"], r["amount"], r["outstanding"]) for r in body["receivables"]] == [
        ("首付款", "300000.00", "0.00"), ("按揭款", "700000.00", "650000.00")]


def test_balance_as_of_a_date_uses_the_balances_definition():
    # given 200,000.00 received against a 300,000.00 down payment due 9 March 2026 (a Monday)
    c = contract(method="mortgage", plan=PLAN, grace_days=0)
    services.post_receipt(actor=None, contract=c, amount="200000.00", received_on=date(2026, 3, 9))
    client = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when the balance is asked as of 19 March
    response = client.get(f"/api/contracts/{c.pk}/balance/", {"as_of": "2026-03-19"})
    # then due, received, outstanding and overdue are exact; 100,000.00 is overdue for 10 days at 0.05 %
    assert response.status_code == 200
    assert response.json() == {
        "as_of": "2026-03-19", "contract_id": c.pk, "contract_no": c.contract_no, "status": "signed",
        "price": "1000000.00", "due": "300000.00", "received": "200000.00", "outstanding": "800000.00",
        "overdue": "100000.00", "late_fee": "500.00",
    }
    # and a bad date is a 400
    assert client.get(f"/api/contracts/{c.pk}/balance/", {"as_of": "19/03/2026"}).status_code == 400


def test_cancelling_a_contract_needs_the_permission_and_refunds_what_was_paid_less_deductions():
    # given a contract with 300,000.00 paid, a sales agent and finance staff of its project
    c = contract(method="mortgage", plan=PLAN)
    services.post_receipt(actor=None, contract=c, amount="300000.00", received_on=date(2026, 3, 9))
    agent = token_client(staff(Role.SALES, projects=[c.project]))
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    payload = {"on": "2026-04-10", "reason": "buyer withdrew", "deductions": "20000.00"}
    # when the agent, then finance, cancel it
    forbidden = agent.post(f"/api/contracts/{c.pk}/cancel/", payload, format="json")
    done = clerk.post(f"/api/contracts/{c.pk}/cancel/", payload, format="json")
    again = clerk.post(f"/api/contracts/{c.pk}/cancel/", payload, format="json")
    # then the agent is refused, finance refunds 280,000.00, and a second cancellation is a 400
    assert forbidden.status_code == 403
    assert done.status_code == 201, done.json()
    assert (done.json()["paid"], done.json()["deductions"], done.json()["refunded"]) == (
        "300000.00", "20000.00", "280000.00")
    assert again.json() == {"detail": f"contract {c.contract_no} is already cancelled"}


def test_settling_the_area_within_three_percent_charges_at_the_unit_price():
    # given a 100.00 m² contract at 1,000,000.00 (10,000.00 per m²)
    c = contract(method="mortgage", plan=PLAN)
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when the registered area is 102.00 m²
    response = clerk.post(f"/api/contracts/{c.pk}/settle-area/", {"registered_area": "102.00", "on": "2026-06-01"},
                          format="json")
    # then the buyer owes 20,000.00 more
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["unit_price"], response.json()["buyer_may_cancel"]) == (
        "20000.00", "10000.00", False)


def test_refunding_over_payment_through_the_api():
    # given a contract paid 1,200.00 against 1,000.00 owed
    c = contract(price="1000.00", plan=[PlanLine("full_payment", 1, "房款", date(2026, 3, 9), D("1000.00"))])
    services.post_receipt(actor=None, contract=c, amount="1200.00", received_on=date(2026, 3, 9))
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when 200.01 and then 200.00 are refunded
    too_much = clerk.post(f"/api/contracts/{c.pk}/refund/", {"amount": "200.01", "on": "2026-03-10",
                                                             "reason": "over-payment"}, format="json")
    done = clerk.post(f"/api/contracts/{c.pk}/refund/", {"amount": "200.00", "on": "2026-03-10",
                                                         "reason": "over-payment"}, format="json")
    # then the first is a 400 naming the credit, the second a negative receipt
    assert too_much.json() == {"detail": f"contract {c.contract_no} holds 200.00 of credit; cannot refund 200.01"}
    assert done.status_code == 201
    assert (done.json()["amount"], done.json()["method"]) == ("-200.00", "refund")
