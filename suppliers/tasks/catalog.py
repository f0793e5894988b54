"""Celery task of the catalog: run a CSV/XLSX import job (a thin wrapper around the service)."""

from __future__ import annotations

from celery import shared_task

# the module, not the function: the import service enqueues this task (a cycle Python resolves for modules)
from suppliers.services import imports as import_services


@shared_task(name="suppliers.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int) -> str:
    return import_services.import_job_run(job_id=job_id).status
