"""REST API: posting and allocating receipts, reversing allocations, refusals and authentication."""

from datetime import date
from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.receivables.models import LedgerEntry, Receipt
from huikuan.sales.plans import PlanLine
from huikuan.testing.factories import contract, staff

pytestmark = pytest.mark.django_db

PLAN = [
    PlanLine("down_payment", 1, "首付款", date(2026, 3, 9), D("300000.00")),
    PlanLine("mortgage_loan", 1, "按揭款", date(2026, 4, 1), D("700000.00")),
]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def finance_client() -> APIClient:
    return token_client(staff(Role.FINANCE, all_projects=True))


def test_posting_a_receipt_allocates_oldest_due_first_with_exact_decimal_strings():
    # given a mortgage contract: down payment 300,000.00 due 9 March, loan 700,000.00 due 1 April
    c = contract(method="mortgage", plan=PLAN)
    down, loan = c.receivables.order_by("due_date")
    # when finance posts 350,000.00 over the API (token auth)
    response = finance_client().post("/api/receipts/", {
        "contract": c.pk, "amount": "350000.00", "received_on": "2026-03-09", "reference": "BANK-001",
    }, format="json")
    # then the down payment is paid and 50,000.00 goes to the loan, all as two-place strings
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["allocated"], body["unallocated"]) == ("350000.00", "350000.00", "0.00")
    assert [(a["receivable"], a["allocated"]) for a in body["allocations"]] == [
        (down.pk, "300000.00"), (loan.pk, "50000.00")]
    lines = finance_client().get("/api/receivables/", {"contract": c.pk}).json()["results"]
    assert [(r["name"], r["amount"], r["outstanding"]) for r in lines] == [
        ("首付款", "300000.00", "0.00"), ("按揭款", "700000.00", "650000.00")]


def test_a_receipt_posted_without_allocation_keeps_its_money_as_credit():
    # given a contract
    c = contract(method="mortgage", plan=PLAN)
    # when a receipt is posted with allocate=false
    body = finance_client().post("/api/receipts/", {
        "contract": c.pk, "amount": "1000.50", "received_on": "2026-03-09", "allocate": False,
    }, format="json").json()
    # then all of it is unallocated
    assert (body["allocated"], body["unallocated"], body["allocations"]) == ("0.00", "1000.50", [])


def test_allocating_to_named_receivables_leaves_the_rest_on_the_receipt():
    # given an unallocated receipt of 100,000.00
    client = finance_client()
    c = contract(method="mortgage", plan=PLAN)
    _down, loan = c.receivables.order_by("due_date")
    receipt = client.post("/api/receipts/", {"contract": c.pk, "amount": "100000.00", "received_on": "2026-03-09",
                                             "allocate": False}, format="json").json()
    # when 40,000.00 of it is allocated to the loan by name
    response = client.post(f"/api/receipts/{receipt['id']}/allocate/",
                           {"targets": [{"receivable": loan.pk, "amount": "40000.00"}]}, format="json")
    # then the loan got exactly that and 60,000.00 stays as credit on the receipt
    assert response.status_code == 200, response.json()
    assert response.json()["unallocated"] == "60000.00"
    assert [(a["receivable"], a["allocated"]) for a in response.json()["allocations"]] == [(loan.pk, "40000.00")]


def test_allocating_without_targets_goes_oldest_due_first():
    # given an unallocated receipt of 300,000.01
    client = finance_client()
    c = contract(method="mortgage", plan=PLAN)
    down, loan = c.receivables.order_by("due_date")
    receipt = client.post("/api/receipts/", {"contract": c.pk, "amount": "300000.01", "received_on": "2026-03-09",
                                             "allocate": False}, format="json").json()
    # when it is allocated with no targets
    response = client.post(f"/api/receipts/{receipt['id']}/allocate/", {}, format="json")
    # then the down payment takes 300,000.00 and the loan the last cent
    assert [(a["receivable"], a["allocated"]) for a in response.json()["allocations"]] == [
        (down.pk, "300000.00"), (loan.pk, "0.01")]
    assert response.json()["unallocated"] == "0.00"


def test_allocating_more_than_the_receipt_holds_is_refused_with_the_reason():
    # given an unallocated receipt of 100,000.00
    client = finance_client()
    c = contract(method="mortgage", plan=PLAN)
    _down, loan = c.receivables.order_by("due_date")
    receipt = client.post("/api/receipts/", {"contract": c.pk, "amount": "100000.00", "received_on": "2026-03-09",
                                             "allocate": False}, format="json").json()
    # when 100,000.01 is allocated to the loan
    response = client.post(f"/api/receipts/{receipt['id']}/allocate/",
                           {"targets": [{"receivable": loan.pk, "amount": "100000.01"}]}, format="json")
    # then it is a 400 naming what the receipt holds, and nothing was written
    assert response.status_code == 400
    assert response.json() == {"detail": f"receipt {receipt['number']} holds 100000.00, cannot allocate 100000.01"}
    assert LedgerEntry.objects.filter(contract=c).count() == 0


def test_an_amount_sent_as_a_float_is_refused():
    # given a contract
    c = contract(method="mortgage", plan=PLAN)
    # when the amount arrives as a JSON number with a fraction
    response = finance_client().post("/api/receipts/", {"contract": c.pk, "amount": 350000.5,
                                                        "received_on": "2026-03-09"}, format="json")
    # then it is refused, not rounded
    assert response.status_code == 400
    assert "decimal strings" in response.json()["amount"][0]
    assert not Receipt.objects.exists()


def test_reversing_an_allocation_needs_a_reason_and_gives_the_money_back_to_the_receipt():
    # given a receipt allocated to the down payment
    client = finance_client()
    c = contract(method="mortgage", plan=PLAN)
    receipt = client.post("/api/receipts/", {"contract": c.pk, "amount": "300000.00", "received_on": "2026-03-09"},
                          format="json").json()
    allocation_id = receipt["allocations"][0]["id"]
    # when it is reversed without a reason, then with one
    refused = client.post(f"/api/allocations/{allocation_id}/reverse/", {}, format="json")
    reversed_ = client.post(f"/api/allocations/{allocation_id}/reverse/", {"reason": "wrong contract"},
                            format="json")
    # then the first is a 400 on the field, the second a reversing entry; the receipt holds its money again
    assert refused.status_code == 400 and "reason" in refused.json()
    assert reversed_.status_code == 201, reversed_.json()
    assert (reversed_.json()["reverses"], reversed_.json()["allocated"]) == (allocation_id, "-300000.00")
    assert client.get(f"/api/receipts/{receipt['id']}/").json()["unallocated"] == "300000.00"
    assert client.get(f"/api/allocations/{allocation_id}/").json()["reversed"] is True
    # and reversing twice is a 400 with the reason
    again = client.post(f"/api/allocations/{allocation_id}/reverse/", {"reason": "again"}, format="json")
    assert again.json() == {"detail": "this allocation was already undone"}


def test_a_sales_agent_may_not_post_receipts():
    # given a sales agent of the contract's project
    c = contract(method="mortgage", plan=PLAN)
    agent = staff(Role.SALES, projects=[c.project])
    # when they post a receipt
    response = token_client(agent).post("/api/receipts/", {"contract": c.pk, "amount": "1.00",
                                                           "received_on": "2026-03-09"}, format="json")
    # then it is forbidden (no receivables.add_receipt) and nothing was written
    assert response.status_code == 403
    assert not Receipt.objects.exists()


def test_an_auditor_reads_but_cannot_post():
    # given an auditor who sees every project
    c = contract(method="mortgage", plan=PLAN)
    client = token_client(staff(Role.AUDITOR, all_projects=True))
    # when they read, then post
    read = client.get("/api/receipts/")
    write = client.post("/api/receipts/", {"contract": c.pk, "amount": "1.00", "received_on": "2026-03-09"},
                        format="json")
    # then reading works and posting is forbidden
    assert read.status_code == 200
    assert write.status_code == 403
    assert not Receipt.objects.exists()


def test_anonymous_requests_are_refused():
    # given no credentials
    client = APIClient()
    # when the lists are read
    responses = [client.get(url) for url in ("/api/contracts/", "/api/receipts/", "/api/receivables/")]
    # then each is refused
    assert [r.status_code for r in responses] == [403, 403, 403]


def test_a_script_gets_a_token_and_a_browser_uses_its_session():
    # given a finance user with a password
    user = staff(Role.FINANCE, all_projects=True, username="cashier")
    user.set_password("s3cret-pw")
    user.save()
    # when a script asks for a token and a browser logs in
    token = APIClient().post("/api/auth/token/", {"username": "cashier", "password": "s3cret-pw"},
                             format="json").json()["token"]
    script, browser = APIClient(), APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert browser.login(username="cashier", password="s3cret-pw")
    # then both are let in
    assert script.get("/api/receipts/").status_code == 200
    assert browser.get("/api/receipts/").status_code == 200
    # and a wrong password gets no token
    assert APIClient().post("/api/auth/token/", {"username": "cashier", "password": "nope"}).status_code == 400
