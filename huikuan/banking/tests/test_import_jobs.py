"""The background import: a queued job imports once, reports progress and outcome, then auto-matches."""

from datetime import date

import pytest

from huikuan.banking.choices import ImportJobStatus, MatchStatus
from huikuan.banking.models import BankTransaction, ImportJob, Match
from huikuan.banking.services.jobs import queue_import, run_import_job

from .helpers import ACCOUNT, sold
from .statement_files import MARCH_1_5, csv_statement

pytestmark = pytest.mark.django_db


def test_an_uploaded_statement_is_imported_by_its_job_and_matched(django_capture_on_commit_callbacks, settings,
                                                                  tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given a contract the statement pays
    sold("HT-2026-0012", "张三", [("down_payment", "首付款", date(2026, 3, 9), "50000.00")])
    # when a statement is uploaded (the task runs eagerly when the upload commits)
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_import(actor=None, data=csv_statement(MARCH_1_5), filename="march.csv", account_no=ACCOUNT)
    # then the job is done, the lines are in, the payment is matched, and the upload is gone
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.percent) == (ImportJobStatus.DONE, 3, 3, 100)
    assert "3 new" in job.message and "1 matched automatically" in job.message
    assert BankTransaction.objects.count() == 3
    assert Match.objects.get(transaction__key="B001").status == MatchStatus.AUTO
    # and running the job again does nothing
    assert run_import_job(job.pk).status == ImportJobStatus.DONE
    assert BankTransaction.objects.count() == 3


def test_a_bad_upload_fails_the_job_with_the_reason_and_writes_nothing(django_capture_on_commit_callbacks, settings,
                                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_import(actor=None, data=b"\x00garbage" * 100, filename="x.bin", account_no=ACCOUNT)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJobStatus.FAILED and "unrecognised file" in job.message
    assert BankTransaction.objects.count() == 0 and list(tmp_path.glob("statements/*")) == []
