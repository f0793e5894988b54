"""Celery task of the catalog: run a CSV/XLSX import job (a thin wrapper around the service)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

# the module, not the function: the import service enqueues this task (a cycle Python resolves for modules)
from suppliers.services import imports as import_services


@shared_task(name="suppliers.tasks.run_import_job", ignore_result=True, soft_time_limit=600, time_limit=660)
def run_import_job(job_id: int) -> str:
    return import_services.import_job_run(job_id=job_id).status


def kick_import_job(payload: dict[str, Any]) -> None:
    """Outbox handler (``suppliers.import_job.kick``): send the job's task. The import itself runs in
    the task, outside the outbox's transaction, so its progress and lease are seen as it goes; a
    broker that refuses the task makes this raise, and the outbox retries it."""
    run_import_job.apply_async((payload["job_id"],))
