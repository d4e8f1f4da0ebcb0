"""Customer list and page: ID masking by permission, row scope."""

import pytest
from django.urls import reverse

from huikuan.core.choices import Role
from huikuan.testing.factories import BuildingFactory, CustomerFactory, ProjectFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db

ID = "110105198506150018"


@pytest.fixture
def buyer():
    project = ProjectFactory()
    customer = CustomerFactory(name="王芳", id_number=ID, is_vip=True)
    contract(unit=UnitFactory(building=BuildingFactory(project=project)), customer=customer, contract_no="HT-9")
    return project, customer


def test_sales_agent_sees_masked_id_numbers(client, buyer):
    # given a sales agent (no permission to see ID numbers) on the buyer's project
    project, customer = buyer
    client.force_login(staff(Role.SALES, projects=[project]))
    # when they open the customer list, the customer page and the contract page
    pages = [client.get(reverse("customer-list")), client.get(reverse("customer-detail", args=[customer.pk])),
             client.get(reverse("contract-detail", args=[customer.contract_parties.get().contract_id]))]
    # then the ID is masked everywhere
    for page in pages:
        assert "110105********0018" in page.text
        assert ID not in page.text


def test_finance_sees_full_id_numbers(client, buyer):
    # given a finance user (customers.view_id_number) on the buyer's project
    project, customer = buyer
    client.force_login(staff(Role.FINANCE, projects=[project]))
    # when they open the customer list and page
    listing = client.get(reverse("customer-list"))
    page = client.get(reverse("customer-detail", args=[customer.pk]))
    # then the full ID is shown, with the VIP flag and the contract
    assert ID in listing.text and ID in page.text
    assert "VIP" in page.text and "HT-9" in page.text


def test_customers_of_other_projects_are_out_of_scope(client, buyer):
    # given an agent assigned to a different project
    _project, customer = buyer
    client.force_login(staff(Role.SALES, projects=[ProjectFactory()]))
    # when they look for the buyer
    listing = client.get(reverse("customer-list"))
    page = client.get(reverse("customer-detail", args=[customer.pk]))
    # then the buyer is neither listed nor found
    assert "王芳" not in listing.text
    assert page.status_code == 404


def test_customer_search_by_name(client, buyer):
    # given the buyer and another customer on the same project
    project, _customer = buyer
    contract(unit=UnitFactory(building=BuildingFactory(project=project)), customer=CustomerFactory(name="李强"))
    client.force_login(staff(Role.FINANCE, all_projects=True))
    # when searching for 李
    response = client.get(reverse("customer-list"), {"q": "李"})
    # then only 李强 is listed
    assert [c.name for c in response.context["customers"]] == ["李强"]
