"""Statement imports as background jobs: the upload stores the file and queues a job; a worker claims it
(a conditional update that succeeds once), imports it, then auto-matches the account's new lines.

Progress: `total` is known once the file is parsed (outside the import's transaction, so the page polling
the job sees it); `done` reaches `total` when the lines are committed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huikuan.banking.statements import (
    MAPPED_FORMATS,
    ColumnMapping,
    StatementError,
    detect_format,
    preview_rows,
    try_mapping,
)

from ..account_numbers import canonical_account_no
from ..choices import ImportJobStatus
from ..models import ImportJob
from .importing import import_statement
from .reconciliation import reconcile


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "statements"
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue_import(*, actor: Any, data: bytes, filename: str, account_no: str,
                 mapping: ColumnMapping | None = None) -> ImportJob:
    """Keep the uploaded bytes and queue the import (the task starts once this transaction commits)."""
    from ..tasks import import_statement_job

    safe = "".join(ch for ch in Path(filename).name if ch.isalnum() or ch in "._-")[-80:] or "statement"
    path = upload_dir() / f"{uuid.uuid4().hex}_{safe}"
    path.write_bytes(data)
    job = ImportJob.objects.create(account_no=canonical_account_no(account_no), file_name=Path(filename).name[:255],
                                   path=str(path),
                                   mapping=mapping.to_dict() if mapping else None,
                                   created_by=actor if getattr(actor, "pk", None) else None)
    transaction.on_commit(lambda: import_statement_job.delay(job.pk))
    return job


def run_import_job(job_id: int) -> ImportJob:
    """Run a queued job once (a second call, or a second worker, finds it already claimed)."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(status=ImportJobStatus.RUNNING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        mapping = ColumnMapping.from_dict(job.mapping) if job.mapping else None
        outcome = import_statement(actor=job.created_by, source=job.path, filename=job.file_name,
                                   account_no=job.account_no, mapping=mapping, progress=progress)
    except StatementError as exc:
        _finish(job, ImportJobStatus.FAILED, f"{exc}\nNothing was imported.")
        return job
    summary = reconcile(actor=job.created_by, account=outcome.statement.account)
    lines = [f"{outcome.total} line(s), {outcome.new} new, {outcome.duplicates} already imported",
             f"{summary.auto} matched automatically, {summary.suggested} suggested, "
             f"{sum(summary.exceptions.values())} exception(s)", *outcome.warnings, *outcome.gaps]
    job.statement = outcome.statement
    job.total = job.done = outcome.total
    _finish(job, ImportJobStatus.DONE, "\n".join(lines))
    return job


def _finish(job: ImportJob, status: str, message: str) -> None:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "statement", "total", "done"])
    if status == ImportJobStatus.DONE or not _mappable(job.path):
        Path(job.path).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(path="")
    # else the failed job keeps its file for a retry with a column mapping (`retry_with_mapping`), FAILED_KEPT_DAYS


def _mappable(path: str) -> bool:
    """A file a column mapping could make readable: a table (CSV and the like, a workbook, a PDF)."""
    try:
        return detect_format(Path(path).read_bytes()) in MAPPED_FORMATS
    except OSError:
        return False


FAILED_KEPT_DAYS = 7


def can_retry(job: ImportJob) -> bool:
    """A failed import whose file is still here: it can be imported again with a column mapping."""
    return job.status == ImportJobStatus.FAILED and bool(job.path) and Path(job.path).exists()


def preview_of(job: ImportJob) -> list:
    """The first lines of a failed import's file as a column mapping reads them (`preview_rows`): StatementError when
    it cannot be retried."""
    if not can_retry(job):
        raise StatementError("this import cannot be retried: it did not fail, or its file is gone "
                             f"(a failed import's file is kept {FAILED_KEPT_DAYS} days); upload the file again")
    return preview_rows(Path(job.path).read_bytes())


@transaction.atomic
def retry_with_mapping(*, actor: Any, job: ImportJob, mapping: ColumnMapping) -> ImportJob:
    """Import a failed job's file again, with the column mapping a person gave (saved on the account when the
    import succeeds, and reused by its later imports): a new job takes the file over. The mapping is tried on the
    file's first lines first: StatementError (nothing queued) naming the line that does not fit it."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    try_mapping(preview_of(job), mapping)
    from ..tasks import import_statement_job

    retry = ImportJob.objects.create(account_no=job.account_no, file_name=job.file_name, path=job.path,
                                     mapping=mapping.to_dict(),
                                     created_by=actor if getattr(actor, "pk", None) else None)
    job.path = ""  # handed over
    job.save(update_fields=["path"])
    transaction.on_commit(lambda: import_statement_job.delay(retry.pk))
    return retry


def purge_failed_uploads(now: Any = None) -> int:
    """Delete the files of imports that failed more than FAILED_KEPT_DAYS ago and were not retried (idempotent)."""
    before = (now or timezone.now()) - timedelta(days=FAILED_KEPT_DAYS)
    purged = 0
    for job in ImportJob.objects.filter(status=ImportJobStatus.FAILED, finished_at__lt=before).exclude(path=""):
        Path(job.path).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(path="")
        purged += 1
    return purged
