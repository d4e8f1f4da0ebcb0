"""REST API: regions, projects, buildings and units follow the user's row scope."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.testing.factories import ProjectFactory, RegionFactory, UnitFactory, staff

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_region_assignment_shows_that_regions_projects_buildings_and_units_only():
    # given two regions with a project and a unit each, and a manager of the east region
    east, west = RegionFactory(name="华东"), RegionFactory(name="华西")
    east_unit = UnitFactory(building__project=ProjectFactory(region=east))
    west_unit = UnitFactory(building__project=ProjectFactory(region=west))
    client = token_client(staff(Role.MANAGER, regions=[east]))

    def ids(url):
        return [row["id"] for row in client.get(url).json()["results"]]

    # when they list each level, then only the east side is there
    assert ids("/api/regions/") == [east.pk]
    assert ids("/api/projects/") == [east_unit.building.project_id]
    assert ids("/api/buildings/") == [east_unit.building_id]
    assert ids("/api/units/") == [east_unit.pk]
    # and the west unit is not found
    assert client.get(f"/api/units/{west_unit.pk}/").status_code == 404


def test_units_carry_areas_as_decimal_strings():
    # given a unit of 89.50 m² pre-sale area
    unit = UnitFactory(pre_sale_area="89.50")
    client = token_client(staff(Role.FINANCE, all_projects=True))
    # when it is read
    body = client.get(f"/api/units/{unit.pk}/").json()
    # then areas are two-place strings and the project is named
    assert (body["pre_sale_area"], body["surveyed_area"], body["project"]) == (
        "89.50", None, unit.building.project_id)
