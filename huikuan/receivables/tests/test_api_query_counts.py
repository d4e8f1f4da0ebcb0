"""Query-count guards on the list endpoints: the count does not grow with the number of rows.

Every request by a scoped staff member with a token pays the same fixed queries:
  1. the token, with its user joined (TokenAuthentication)
  2. the user's role groups (StaffRolePermission)
  3-6. the row scope: staff profile, its regions, its projects, the projects those give (org.scope)
then the page itself (below). 3 and 25 contracts must cost the same.
"""

from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.receivables import services
from huikuan.testing.factories import ProjectFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

FIXED = 6  # token, roles, and the four scope queries above


@pytest.fixture
def sales_project():
    project = ProjectFactory()
    client = APIClient()
    user = staff(Role.SALES, projects=[project])
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return project, client


def add_contracts(project, n):
    for _ in range(n):
        c = contract(method="mortgage", unit=UnitFactory(building__project=project))
        services.post_receipt(actor=None, contract=c, amount="100000.00", received_on=date(2026, 3, 9))


def count_list_queries(client, url, max_queries, assert_max):
    with assert_max(max_queries) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()["count"]


def test_contract_list_query_count_does_not_grow_with_contracts(sales_project, django_assert_max_num_queries):
    # given a sales agent's project with 3 contracts, then 25
    project, client = sales_project
    # FIXED + 5: count; contracts with project, unit and building joined; parties with customers joined;
    # the user's own and group permissions (asked once, to decide whether ID numbers are masked)
    expected = FIXED + 5
    add_contracts(project, 3)
    small = count_list_queries(client, "/api/contracts/", expected, django_assert_max_num_queries)
    add_contracts(project, 22)
    large = count_list_queries(client, "/api/contracts/", expected, django_assert_max_num_queries)
    # then both pages cost the same
    assert (small, large) == ((expected, 3), (expected, 25))


def test_receivable_list_query_count_does_not_grow_with_rows(sales_project, django_assert_max_num_queries):
    # given 3 contracts' plans, then 25 contracts' plans (each line with its outstanding amount)
    project, client = sales_project
    # FIXED + 2: count; receivables with the contract joined and outstanding as one correlated subquery
    expected = FIXED + 2
    add_contracts(project, 3)
    small, small_rows = count_list_queries(client, "/api/receivables/", expected, django_assert_max_num_queries)
    add_contracts(project, 22)
    large, large_rows = count_list_queries(client, "/api/receivables/", expected, django_assert_max_num_queries)
    # then both cost the same though the second has many more rows
    assert small == large == expected
    assert large_rows > small_rows >= 3


def test_receipt_list_query_count_does_not_grow_with_receipts(sales_project, django_assert_max_num_queries):
    # given 3 receipts, then 25
    project, client = sales_project
    # FIXED + 2: count; receipts with the contract joined and unallocated as one correlated subquery
    expected = FIXED + 2
    add_contracts(project, 3)
    small = count_list_queries(client, "/api/receipts/", expected, django_assert_max_num_queries)
    add_contracts(project, 22)
    large = count_list_queries(client, "/api/receipts/", expected, django_assert_max_num_queries)
    # then both cost the same
    assert (small, large) == ((expected, 3), (expected, 25))
