"""Mapping a statement's columns by hand where detection could not decide: the failed import's first lines, a
field chosen per column, the mapping tried on them, the file imported again with it and kept on the account."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huikuan.banking.choices import ImportJobStatus
from huikuan.banking.models import BankAccount, BankTransaction, ImportJob
from huikuan.banking.services.jobs import FAILED_KEPT_DAYS, purge_failed_uploads
from huikuan.testing.factories import staff

from .helpers import ACCOUNT, clerk

pytestmark = [pytest.mark.django_db, pytest.mark.urls("huikuan.banking.tests.urls")]

# a bank's own headers no synonym covers, day-first dates with dots
UNKNOWN = "\n".join(["Buchung;Betrag;Wer;Zweck", "05.03.2026;1000.00;Zhang San;HT-2026-0012",
                     "06.03.2026;-15.00;Bank;Gebühr", ""]).encode()
FIELDS = {"header_line": "1", "date_format": "%d.%m.%Y", "dayfirst": "on",
          "col_0": "date", "col_1": "amount", "col_2": "counterparty", "col_3": "memo"}


@pytest.fixture
def failed(client, settings, tmp_path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """An upload whose headers detection could not read: its job failed, its file kept for a retry."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk("banking.import_statement"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/banking/statements/upload/",
                               {"account_no": ACCOUNT, "file": SimpleUploadedFile("bank.csv", UNKNOWN)})
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.status == ImportJobStatus.FAILED and Path(job.path).exists()
    return job


def test_a_failed_import_offers_to_map_its_columns(client, failed):
    # when the clerk opens the failed job, then the mapping page
    progress = client.get(f"/banking/jobs/{failed.pk}/").content.decode()
    assert f"/banking/jobs/{failed.pk}/mapping/" in progress
    page = client.get(f"/banking/jobs/{failed.pk}/mapping/")
    # then the file's lines are shown with a choice of field above each of its four columns
    html = page.content.decode()
    assert page.status_code == 200 and "Buchung" in html and "Zhang San" in html
    assert [f"col_{i}" in page.context["form"].fields for i in range(5)] == [True, True, True, True, False]


def test_the_mapping_imports_the_file_and_the_account_keeps_it(client, failed, django_capture_on_commit_callbacks):
    # when the clerk says which column is which
    kept = Path(failed.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/banking/jobs/{failed.pk}/mapping/", FIELDS)
    # then a new job imports the file with it, and the failed one has handed its file over
    retry = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response.status_code == 302 and retry.status == ImportJobStatus.DONE and "2 new" in retry.message
    assert sorted(BankTransaction.objects.values_list("counterparty", "amount")) == [
        ("Bank", -15), ("Zhang San", 1000)]
    assert ImportJob.objects.get(pk=failed.pk).path == retry.path == "" and not kept.exists()
    saved = BankAccount.objects.get(account_no=ACCOUNT).column_mapping
    assert saved["columns"] == {"date": 0, "amount": 1, "counterparty": 2, "memo": 3}
    # and the account's next statement in that layout is imported without being asked
    later = UNKNOWN.replace(b"05.03.2026;1000.00", b"09.03.2026;250.00").replace(b"06.03.2026", b"10.03.2026")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/banking/statements/upload/",
                               {"account_no": ACCOUNT, "file": SimpleUploadedFile("april.csv", later)})
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.status == ImportJobStatus.DONE and BankTransaction.objects.count() == 4


@pytest.mark.parametrize(("change", "says"), [
    ({"col_1": "counterparty", "col_2": "amount"}, "line 2"),  # 'Zhang San' is no amount
    ({"col_3": "date"}, "two columns"),
    ({"col_0": "", "col_1": "amount"}, "needs a 'date' column"),
])
def test_a_mapping_that_does_not_fit_the_lines_is_refused_with_the_reason(client, failed, change, says):
    response = client.post(f"/banking/jobs/{failed.pk}/mapping/", {**FIELDS, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and says in " ".join(response.context["form"].non_field_errors())
    assert "errorlist" in response.content.decode()  # shown on the page
    assert ImportJob.objects.count() == 1 and BankTransaction.objects.count() == 0


def test_only_people_who_may_import_map_columns(client, failed):
    client.force_login(staff("auditor", all_projects=True))  # sees the accounts, may not import
    assert client.get(f"/banking/jobs/{failed.pk}/mapping/").status_code == 403
    client.force_login(staff("sales", all_projects=True))
    assert client.get(f"/banking/jobs/{failed.pk}/mapping/").status_code == 403


def test_a_failed_imports_file_is_purged_after_a_week_unless_retried(failed):
    # given the failed job's file, kept
    assert purge_failed_uploads() == 0 and Path(failed.path).exists()
    # when a week has passed / then it is deleted and the job no longer offers a retry
    later = timezone.make_aware(datetime(2030, 1, 1)) if failed.finished_at is None else \
        failed.finished_at + timedelta(days=FAILED_KEPT_DAYS, seconds=1)
    assert purge_failed_uploads(now=later) == 1 and not Path(failed.path).exists()
    assert ImportJob.objects.get(pk=failed.pk).path == "" and purge_failed_uploads(now=later) == 0
