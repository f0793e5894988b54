"""Celery tasks of the suppliers app (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="suppliers.tasks.run_import_job", ignore_result=True, soft_time_limit=600, time_limit=660)
def run_import_job(job_id: int) -> str:
    from suppliers.services.imports import import_job_run

    return import_job_run(job_id=job_id).status
