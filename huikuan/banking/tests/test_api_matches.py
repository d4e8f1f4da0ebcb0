"""The banking API: scoped reads, the review decisions as actions, statement upload as a job."""

from datetime import date
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from huikuan.banking.choices import MatchStatus
from huikuan.banking.models import Match
from huikuan.banking.services.reconciliation import reconcile
from huikuan.testing.factories import ProjectFactory, staff

from .helpers import ACCOUNT, bank_lines, clerk, outstanding, sold
from .statement_files import MARCH_1_5, csv_statement

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.banking.tests.urls")]

DOWN = [("down_payment", "首付款", date(2026, 3, 9), "300000.00")]


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_queue_lists_live_matches_with_decimal_strings_and_filters():
    sold("HT-2026-0012", "张三", DOWN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "A1"),
               ("2026-03-08", "77.00", "某人", "", "", "A2"))
    reconcile()
    response = api(clerk()).get("/api/matches/", {"status": "exception", "exception_kind": "underpayment"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["transaction"]["amount"], row["lines"][0]["amount"], row["lines"][0]["allocated"]) == (
        "100000.00", "100000.00", False)
    assert row["lines"][0]["contract_no"] == "HT-2026-0012"


def test_confirm_split_reject_and_unmatch_through_the_api():
    c = sold("HT-2026-0012", "张三", DOWN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "A1"))
    reconcile()
    client = api(clerk())
    m = Match.objects.live().get()
    # confirm
    response = client.post(f"/api/matches/{m.pk}/confirm/", {"note": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == MatchStatus.CONFIRMED
    assert outstanding(c) == [D("200000.00")]
    # confirming again is refused with the reason
    response = client.post(f"/api/matches/{m.pk}/confirm/", {}, format="json")
    assert response.status_code == 400 and "only suggestions and exceptions" in response.json()["detail"]
    # unmatch puts it back in the queue
    response = client.post(f"/api/matches/{m.pk}/unmatch/", {"reason": "wrong"}, format="json")
    assert response.status_code == 200 and response.json()["exception_kind"] == "unidentified"
    assert outstanding(c) == [D("300000.00")]
    # split it again onto the line
    requeued = response.json()["id"]
    receivable = c.receivables.get().pk
    response = client.post(f"/api/matches/{requeued}/split/",
                           {"lines": [{"receivable": receivable, "amount": "60000.00"}]}, format="json")
    assert response.status_code == 200 and outstanding(c) == [D("240000.00")]


def test_a_clerk_without_the_review_permission_cannot_decide_and_an_auditor_only_reads():
    sold("HT-2026-0012", "张三", DOWN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "A1"))
    reconcile()
    m = Match.objects.live().get()
    auditor = staff("auditor", all_projects=True)
    assert api(auditor).get("/api/matches/").json()["count"] == 1
    assert api(auditor).post(f"/api/matches/{m.pk}/confirm/", {}, format="json").status_code == 403
    no_perm = staff("manager", all_projects=True)   # sees matches, may not decide them
    assert api(no_perm).post(f"/api/matches/{m.pk}/confirm/", {}, format="json").status_code == 403
    assert api(staff("sales", all_projects=True)).get("/api/matches/").status_code == 403


def test_rows_outside_the_users_projects_are_invisible():
    sold("HT-2026-0012", "张三", DOWN)
    bank_lines(("2026-03-08", "100000.00", "张三", "", "HT-2026-0012", "A1"))
    reconcile()
    outsider = clerk(all_projects=False, projects=[ProjectFactory()])
    assert api(outsider).get("/api/matches/").json()["count"] == 0
    m = Match.objects.live().get()
    assert api(outsider).post(f"/api/matches/{m.pk}/confirm/", {}, format="json").status_code == 404


def test_uploading_a_statement_queues_a_job_that_imports_it(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    user = clerk("banking.import_statement", "banking.review_match")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("march.csv", csv_statement(MARCH_1_5), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post("/api/statements/upload/", {"file": upload, "account_no": ACCOUNT},
                                  format="multipart")
    assert response.status_code == 202
    job = api(user).get(f"/api/import-jobs/{response.json()['id']}/").json()
    assert (job["status"], job["percent"]) == ("done", 100)
    txns = api(user).get("/api/bank-transactions/", {"account_no": ACCOUNT}).json()
    assert txns["count"] == 3 and sorted(t["amount"] for t in txns["results"]) == ["-12.50", "3000.50", "50000.00"]
    accounts = api(user).get("/api/bank-accounts/").json()["results"]
    assert [(a["account_no"], a["is_escrow"]) for a in accounts] == [(ACCOUNT, False)]


def test_a_failed_import_is_previewed_and_retried_with_a_mapping_through_the_api(settings, tmp_path,
                                                                                 django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_views_mapping import UNKNOWN

    settings.MEDIA_ROOT = tmp_path
    user = clerk("banking.import_statement")
    # given an upload whose headers detection could not read
    with django_capture_on_commit_callbacks(execute=True):
        response = api(user).post("/api/statements/upload/", {"file": SimpleUploadedFile("bank.csv", UNKNOWN),
                                                               "account_no": ACCOUNT}, format="multipart")
    job = response.json()["id"]
    assert api(user).get(f"/api/import-jobs/{job}/").json()["status"] == "failed"
    # when a client reads its first lines
    preview = api(user).get(f"/api/import-jobs/{job}/preview/").json()
    assert preview["lines"][0] == {"line": 1, "cells": ["Buchung", "Betrag", "Wer", "Zweck"]}
    assert len(preview["lines"]) == 3 and preview["header_line"] is None and preview["columns"] == {}
    # then a mapping that does not fit is refused with the line, nothing queued
    wrong = {"columns": {"date": 0, "amount": 2}, "header_line": 1, "date_format": "%d.%m.%Y"}
    refused = api(user).post(f"/api/import-jobs/{job}/retry/", {"mapping": wrong}, format="json")
    assert refused.status_code == 400 and "line 2" in refused.content.decode()
    assert api(user).post(f"/api/import-jobs/{job}/retry/", {"mapping": {"columns": {}}}, format="json"
                          ).status_code == 400
    # and one that fits imports the file
    mapping = {"columns": {"date": 0, "amount": 1, "counterparty": 2, "memo": 3}, "header_line": 1,
               "date_format": "%d.%m.%Y"}
    with django_capture_on_commit_callbacks(execute=True):
        retried = api(user).post(f"/api/import-jobs/{job}/retry/", {"mapping": mapping}, format="json")
    assert retried.status_code == 202
    assert api(user).get(f"/api/import-jobs/{retried.json()['id']}/").json()["status"] == "done"
    assert api(user).get("/api/bank-transactions/", {"account_no": ACCOUNT}).json()["count"] == 2
    # a second retry of the same failed job is refused: its file went to the first
    again = api(user).post(f"/api/import-jobs/{job}/retry/", {"mapping": mapping}, format="json")
    assert again.status_code == 400 and "cannot be retried" in again.content.decode()
    # and so is its preview
    preview = api(user).get(f"/api/import-jobs/{job}/preview/")
    assert preview.status_code == 400 and "cannot be retried" in preview.content.decode()


def test_a_banks_disbursement_list_is_posted_for_its_transfer_and_places_it(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huikuan.banking.models import BankTransaction, DisbursementList
    from huikuan.mortgages.models import Bank

    from .test_reconcile_disbursements import _xlsx_list, approved_loans

    # given three approved loans and their batch transfer on the statement
    contracts = approved_loans(Bank.objects.create(code="ABC", name="中国农业银行"))
    bank_lines(("2026-03-25", "1850000.00", "中国农业银行", "", "放款", "B240"))
    txn = BankTransaction.objects.get(bank_ref="B240")
    data = _xlsx_list(tmp_path / "list.xlsx").read_bytes()
    # when someone who may not review posts the bank's list / then it is refused
    reader = staff("auditor", all_projects=True)
    upload = SimpleUploadedFile("list.xlsx", data)
    assert api(reader).post(f"/api/bank-transactions/{txn.pk}/disbursement-list/", {"file": upload},
                            format="multipart").status_code == 403
    # and when a reviewer does, each buyer's loan is paid from the transfer
    upload = SimpleUploadedFile("list.xlsx", data)
    response = api(clerk()).post(f"/api/bank-transactions/{txn.pk}/disbursement-list/", {"file": upload},
                                 format="multipart")
    assert response.status_code == 200 and response.json()["status"] == "auto"
    assert [outstanding(c)[1] for c in contracts] == [D("0.00"), D("0.00"), D("0.00")]
    # a second list for the same transfer is refused: it is matched already
    again = api(clerk()).post(f"/api/bank-transactions/{txn.pk}/disbursement-list/",
                              {"file": SimpleUploadedFile("list.xlsx", data)}, format="multipart")
    assert again.status_code == 400 and "already matched" in again.content.decode()
    assert DisbursementList.objects.count() == 1  # the refused list is not kept
