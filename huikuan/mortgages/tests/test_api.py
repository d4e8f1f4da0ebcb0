"""The mortgage API: opening, moving (legal and illegal), documents, bank policies, row scope, schema."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from huikuan.core.choices import Role
from huikuan.mortgages.choices import DocumentKind, Stage
from huikuan.mortgages.models import DocumentTemplate, LoanApplication, Notice
from huikuan.testing.factories import contract, staff

from .helpers import bank, ready

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.mortgages.tests.urls")]


def specialist_client(**scope):  # type: ignore[no-untyped-def]
    user = staff(Role.MORTGAGE, **(scope or {"all_projects": True}))
    user.user_permissions.add(*Permission.objects.filter(codename__in=["move_stage", "record_policy"]))
    client = APIClient()
    client.force_authenticate(user)
    return client, user


def test_open_move_and_refuse_an_illegal_move_over_the_api():
    client, user = specialist_client()
    DocumentTemplate.objects.create(kind=DocumentKind.INCOME_PROOF, name="收入证明")
    c = contract(method="mortgage", sign_date=date(2026, 9, 1))
    # when the applications are opened
    opened = client.post("/api/loan-applications/", {"contract": c.pk, "bank": bank("ICBC").pk,
                                                     "specialist": user.pk, "on": "2026-09-02"}, format="json")
    assert opened.status_code == 201, opened.content
    app = opened.json()[0]
    assert (app["amount"], app["stage"], app["expected_disbursement_on"]) == ("700000.00", "documents", "2026-10-08")
    # an illegal move is a 400 with the reason
    refused = client.post(f"/api/loan-applications/{app['id']}/move/", {"to_stage": "approved", "on": "2026-09-03"},
                          format="json")
    assert refused.status_code == 400
    assert "cannot move from" in refused.json()["detail"]
    # pre-check, document received, then the submission is a stage change posted to /stage-changes/
    client.post(f"/api/loan-applications/{app['id']}/pre-check/", {"result": "clear", "on": "2026-09-02"},
                format="json")
    doc = client.get(f"/api/loan-documents/?application={app['id']}").json()["results"][0]
    assert client.post(f"/api/loan-documents/{doc['id']}/receive/", {"on": "2026-09-03"},
                       format="json").json()["status"] == "received"
    moved = client.post("/api/stage-changes/", {"application": app["id"], "to_stage": "submitted",
                                                "on": "2026-09-03", "note": "报件"}, format="json")
    assert moved.status_code == 201, moved.content
    assert (moved.json()["from_stage"], moved.json()["to_stage"], moved.json()["note"]) == (
        "documents", "submitted", "报件")
    detail = client.get(f"/api/loan-applications/{app['id']}/").json()
    assert [s["to_stage"] for s in detail["stage_changes"]] == ["documents", "submitted"]


def test_applications_outside_the_users_projects_are_invisible():
    c = contract(method="mortgage", sign_date=date(2026, 9, 1))
    mine = contract(method="mortgage", sign_date=date(2026, 9, 1))
    admin_client, _ = specialist_client()
    for k in (c, mine):
        admin_client.post("/api/loan-applications/", {"contract": k.pk, "bank": bank("ICBC").pk,
                                                      "on": "2026-09-02"}, format="json")
    client, _ = specialist_client(projects=[mine.project])
    listed = client.get("/api/loan-applications/").json()["results"]
    assert [a["contract_no"] for a in listed] == [mine.contract_no]
    other = LoanApplication.objects.get(contract=c)
    assert client.get(f"/api/loan-applications/{other.pk}/").status_code == 404
    assert client.post("/api/stage-changes/", {"application": other.pk, "to_stage": Stage.WITHDRAWN},
                       format="json").status_code == 400


def test_a_policy_posted_over_the_api_carries_its_diff_and_notifies():
    client, user = specialist_client()
    icbc = bank("ICBC")
    body = {"bank": icbc.pk, "effective_from": "2026-01-01", "lpr_spread_bp": -30, "first_home_min_down": "0.15",
            "second_home_min_down": "0.25", "approval_days": 7, "monthly_quota": "50000000.00"}
    assert client.post("/api/bank-policies/", body, format="json").status_code == 201
    c = contract(method="mortgage", sign_date=date(2026, 9, 1))
    client.post("/api/loan-applications/", {"contract": c.pk, "bank": icbc.pk, "specialist": user.pk,
                                            "on": "2026-09-02"}, format="json")
    changed = client.post("/api/bank-policies/", {**body, "effective_from": "2026-09-01", "approval_days": 10},
                          format="json")
    assert changed.status_code == 201
    assert changed.json()["diff"] == {"approval_days": {"old": "7", "new": "10", "tighter": True}}
    assert changed.json()["monthly_quota"] == "50000000.00"
    assert Notice.objects.filter(recipient=user).count() == 1


def test_money_as_float_is_refused():
    client, _ = specialist_client()
    response = client.post("/api/bank-policies/", {
        "bank": bank("ICBC").pk, "effective_from": "2026-01-01", "lpr_spread_bp": 0, "first_home_min_down": "0.2",
        "second_home_min_down": "0.3", "approval_days": 7, "monthly_quota": 1000.5}, format="json")
    assert response.status_code == 400


def test_the_endpoints_are_in_the_openapi_schema():
    client, _ = specialist_client()
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/loan-applications/", "/api/loan-applications/{id}/move/", "/api/stage-changes/",
                 "/api/loan-documents/", "/api/bank-policies/"):
        assert path in schema["paths"], path


def test_notices_are_mine_to_read_and_mark_read_over_the_api():
    from huikuan.mortgages.services import notify

    client, user = specialist_client()
    _, other = specialist_client()
    first, _ = notify(user, "sla_breach", key="a", message="面签超时")
    second, _ = notify(user, "document_due", key="b", message="收入证明将到期")
    theirs, _ = notify(other, "sla_breach", key="a", message="别人的")
    # my notices only, newest first
    listed = client.get("/api/mortgage-notices/").json()
    assert [n["id"] for n in listed["results"]] == [second.pk, first.pk]
    assert client.get(f"/api/mortgage-notices/{theirs.pk}/").status_code == 404
    # one read, then only the other is unread
    one = client.post(f"/api/mortgage-notices/{first.pk}/read/")
    assert one.status_code == 200 and one.json()["is_read"] is True
    assert [n["id"] for n in client.get("/api/mortgage-notices/", {"unread": "1"}).json()["results"]] == [second.pk]
    # all read: marks mine, never someone else's (naming their id changes nothing)
    assert client.post("/api/mortgage-notices/read-all/", {"ids": [theirs.pk]}, format="json").json() == {"marked": 0}
    assert client.post("/api/mortgage-notices/read-all/", {}, format="json").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "/api/mortgage-notices/read-all/" in client.get("/api/schema/", {"format": "json"}).json()["paths"]


def test_submitting_over_the_banks_quota_needs_a_reason_over_the_api():
    client, user = specialist_client()
    icbc = bank("ICBC")
    client.post("/api/bank-policies/", {
        "bank": icbc.pk, "effective_from": "2026-01-01", "lpr_spread_bp": -30, "first_home_min_down": "0.15",
        "second_home_min_down": "0.25", "approval_days": 7, "monthly_quota": "500000.00"}, format="json")
    c = contract(method="mortgage", sign_date=date(2026, 9, 1))   # a loan of 700,000.00
    made = client.post("/api/loan-applications/", {"contract": c.pk, "bank": icbc.pk, "specialist": user.pk,
                                                   "on": "2026-09-02"}, format="json").json()
    app = LoanApplication.objects.get(number=made[0]["number"])
    ready(app, user, date(2026, 9, 2))
    refused = client.post(f"/api/loan-applications/{app.pk}/move/", {"to_stage": "submitted", "on": "2026-09-03"},
                          format="json")
    assert refused.status_code == 400 and "quota" in str(refused.json())
    moved = client.post(f"/api/loan-applications/{app.pk}/move/", {
        "to_stage": "submitted", "on": "2026-09-03", "over_quota_reason": "客户指定"}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == Stage.SUBMITTED
