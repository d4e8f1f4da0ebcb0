from __future__ import annotations

from celery import shared_task


@shared_task
def import_statement_job(job_id: int) -> str:
    """Import an uploaded statement (then auto-match its account). Idempotent: a job runs once."""
    from .services.jobs import run_import_job

    return str(run_import_job(job_id).status)


@shared_task
def reconcile_pending() -> dict:
    """Auto-match every bank line nobody has matched yet (safe to run at any time, and twice)."""
    from .services.reconciliation import reconcile

    return reconcile().as_dict()


@shared_task
def purge_failed_uploads() -> int:
    """Delete the kept files of imports that failed a week ago and were not retried with a column mapping."""
    from .services.jobs import purge_failed_uploads as purge

    return purge()
