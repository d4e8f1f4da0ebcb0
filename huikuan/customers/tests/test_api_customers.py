"""REST API: customers are row-scoped and their ID numbers masked unless the user may see them."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.testing.factories import CustomerFactory, contract, staff

pytestmark = pytest.mark.django_db

ID_NUMBER = "110105198506150014"  # a valid resident ID, check digit included


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_id_numbers_are_masked_without_the_permission_and_shown_with_it():
    # given a buyer on a contract, a sales agent (no customers.view_id_number) and finance (has it)
    buyer = CustomerFactory(id_number=ID_NUMBER)
    c = contract(customer=buyer)
    agent = token_client(staff(Role.SALES, projects=[c.project]))
    clerk = token_client(staff(Role.FINANCE, projects=[c.project]))
    # when both read the customer and the contract
    seen_by_agent = agent.get(f"/api/customers/{buyer.pk}/").json()["id_number"]
    party_seen_by_agent = agent.get(f"/api/contracts/{c.pk}/").json()["parties"][0]["customer"]["id_number"]
    listed_for_agent = agent.get("/api/customers/").json()["results"][0]["id_number"]
    seen_by_clerk = clerk.get(f"/api/customers/{buyer.pk}/").json()["id_number"]
    party_seen_by_clerk = clerk.get(f"/api/contracts/{c.pk}/").json()["parties"][0]["customer"]["id_number"]
    # then the agent sees the first six and last four characters only, finance the whole number
    assert seen_by_agent == party_seen_by_agent == listed_for_agent == "110105********0014"
    assert seen_by_clerk == party_seen_by_clerk == ID_NUMBER


def test_customers_are_scoped_to_the_projects_of_their_contracts():
    # given buyers in two projects and a sales agent of the first
    mine, theirs = CustomerFactory(name="李四"), CustomerFactory(name="王五")
    a = contract(customer=mine)
    contract(customer=theirs)
    agent = token_client(staff(Role.SALES, projects=[a.project]))
    # when they list customers and open the other project's buyer
    names = [row["name"] for row in agent.get("/api/customers/").json()["results"]]
    other = agent.get(f"/api/customers/{theirs.pk}/")
    # then only their project's buyer is there
    assert names == ["李四"]
    assert other.status_code == 404
