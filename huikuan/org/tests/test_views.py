"""Project list and page: counts, row scope, query counts."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from huikuan.core.choices import Role
from huikuan.testing.factories import BuildingFactory, ProjectFactory, RegionFactory, UnitFactory, contract, staff

pytestmark = pytest.mark.django_db


def unit_in(project):
    return UnitFactory(building=BuildingFactory(project=project))


def test_project_list_shows_counts_and_signed_amount(client):
    # given project A with 3 units, 2 of them signed for 1,000,000.00 and 2,500,000.50
    region = RegionFactory(name="华东区域")
    a = ProjectFactory(name="翡翠湾", region=region)
    contract(unit=unit_in(a), price="1000000.00")
    contract(unit=unit_in(a), price="2500000.50")
    unit_in(a)
    client.force_login(staff(Role.MANAGER, all_projects=True))
    # when the project list is opened
    response = client.get(reverse("project-list"))
    # then A shows its region, 3 units, 2 signed contracts and 3,500,000.50 signed
    row = next(p for p in response.context["projects"] if p.pk == a.pk)
    assert (row.unit_count, row.contract_count, row.signed_amount) == (3, 2, D("3500000.50"))
    assert "华东区域" in response.text and "3,500,000.50" in response.text


def test_project_scope_by_region(client):
    # given a collector assigned to region East, and a project in another region
    east, west = RegionFactory(name="华东"), RegionFactory(name="华西")
    mine, other = ProjectFactory(name="东湖里", region=east), ProjectFactory(name="西山府", region=west)
    client.force_login(staff(Role.COLLECTOR, regions=[east]))
    # when they open the list and the other project's page
    listing = client.get(reverse("project-list"))
    # then they see their region's project only, and the other project is not found
    assert "东湖里" in listing.text and "西山府" not in listing.text
    assert client.get(reverse("project-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("project-detail", args=[mine.pk])).status_code == 200


def test_project_page_lists_its_contracts_with_totals(client):
    # given two contracts in project A and one in B
    a, b = ProjectFactory(), ProjectFactory()
    contract(unit=unit_in(a), contract_no="HT-A-1", price="100.00")
    contract(unit=unit_in(a), contract_no="HT-A-2", price="200.00")
    contract(unit=unit_in(b), contract_no="HT-B-1")
    client.force_login(staff(Role.FINANCE, all_projects=True))
    # when A's page is opened
    response = client.get(reverse("project-detail", args=[a.pk]))
    # then it lists A's contracts only and totals their price
    assert "HT-A-1" in response.text and "HT-A-2" in response.text and "HT-B-1" not in response.text
    assert response.context["totals"].price == D("300.00")


def test_project_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    # given 3 projects, then 30, each with a signed contract
    client.force_login(staff(Role.MANAGER, all_projects=True))

    def add(n):
        for _ in range(n):
            contract(unit=unit_in(ProjectFactory()))

    # The 6 queries: session, user, staff profile (row scope), count, one page of projects with their
    # region joined and unit / contract counts and signed amount as subqueries, staff profile again
    # (role in the user menu).
    add(3)
    with django_assert_num_queries(6):
        few = client.get(reverse("project-list"))
    add(27)
    with django_assert_num_queries(6):
        many = client.get(reverse("project-list"))
    # then 3 and 30 rows cost the same
    assert len(few.context["projects"]) == 3 and len(many.context["projects"]) == 30
