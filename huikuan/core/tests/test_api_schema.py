"""The OpenAPI schema describes every endpoint, validates without warnings, and the docs work offline."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.testing.factories import staff

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/auth/token/", "/api/regions/", "/api/projects/", "/api/buildings/", "/api/units/", "/api/customers/",
    "/api/contracts/", "/api/contracts/{id}/", "/api/contracts/{id}/balance/", "/api/contracts/{id}/receivables/",
    "/api/contracts/{id}/refund/", "/api/contracts/{id}/settle-area/", "/api/contracts/{id}/cancel/",
    "/api/receivables/", "/api/receipts/", "/api/receipts/{id}/allocate/", "/api/allocations/",
    "/api/allocations/{id}/reverse/", "/api/ledger-entries/", "/api/waivers/", "/api/waivers/{id}/approve/",
    "/api/waivers/{id}/reject/",
]


def staff_client() -> APIClient:
    client = APIClient()
    user = staff(Role.AUDITOR, all_projects=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_schema_lists_every_endpoint_with_money_as_decimal_strings():
    # when the schema is fetched as JSON
    response = staff_client().get("/api/schema/", {"format": "json"})
    # then every path is there
    assert response.status_code == 200
    schema = response.json()
    assert sorted(set(PATHS) - set(schema["paths"])) == []
    # and amounts are strings in decimal format, the request bodies named
    receipt = schema["components"]["schemas"]["ReceiptDetail"]["properties"]
    assert (receipt["unallocated"]["type"], receipt["unallocated"]["format"]) == ("string", "decimal")
    allocate = schema["paths"]["/api/receipts/{id}/allocate/"]["post"]
    assert allocate["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Allocate")


def test_schema_validates_without_warnings(tmp_path):
    # when the schema is generated with validation and warnings as errors
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    # then it is written
    assert "/api/receipts/{id}/allocate/:" in target.read_text()


def test_swagger_ui_is_served_from_local_static_files():
    # when the docs page is opened
    response = staff_client().get("/api/docs/")
    # then it loads swagger-ui from the sidecar's static files, not from a CDN
    html = response.content.decode()
    assert response.status_code == 200
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
