"""The suppliers' sweeps: ``end_partnerships`` (R5: partnerships whose notice has run out end by themselves)
and ``import_jobs`` (imports whose worker died are resumed or failed)."""

from __future__ import annotations

import logging
from datetime import datetime

from distribution.core.errors import DomainError
from distribution.core.sweeps import SweepResult, due_ids

from .models import ImportJob, Partnership
from .services.partnerships import partnership_end_due

logger = logging.getLogger(__name__)


def due_partnerships(now: datetime):
    return Partnership.objects.filter(status=Partnership.Status.TERMINATION_PENDING, ends_at__lte=now)


def end_partnerships(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """End every partnership pending termination whose ``ends_at`` has passed. Idempotent.

    Ids are claimed in SKIP LOCKED batches; each is ended in its own transaction by
    ``partnership_end_due``, which re-checks the state under its lock.
    """
    result = SweepResult(name="end_partnerships")
    if dry_run:
        result.acted = [f"partnership #{pk}" for pk in due_partnerships(now).order_by("pk").values_list("pk", flat=True)]
        return result
    for batch in due_ids(due_partnerships(now)):
        for pk in batch:
            try:
                if partnership_end_due(partnership_id=pk, now=now) is not None:
                    result.acted.append(f"partnership #{pk}")
            except DomainError as exc:  # a state another actor changed meanwhile
                logger.warning("end_partnerships: partnership #%s: %s", pk, exc.message)
                result.failed.append(f"partnership #{pk}: {exc.message}")
    return result


def sweep_import_jobs(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Running import jobs whose worker died (lease passed): resumed or failed (``import_job_recover``)."""
    from .services.imports import import_job_recover

    result = SweepResult("import_jobs")
    due = ImportJob.objects.filter(status=ImportJob.Status.RUNNING, lease_until__lt=now)
    for ids in due_ids(due):
        for pk in ids:
            if dry_run:
                result.acted.append(str(pk))
            elif (job := import_job_recover(job_id=pk, now=now)) is not None:
                result.acted.append(f"{pk}:{job.status}")
    return result
