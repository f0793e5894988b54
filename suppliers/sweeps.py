"""The suppliers' sweeps: ``end_partnerships`` (R5: partnerships whose notice has run out end by themselves),
``import_jobs`` (imports whose worker died are resumed or failed) and ``product_uploads`` (editor
uploads no product took within a day are deleted with their files)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from distribution.core.errors import DomainError
from distribution.core.sweeps import SweepResult, due_ids

from .models import ImportJob, Partnership, ProductUpload
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


UNUSED_UPLOAD_AGE = timedelta(days=1)


def sweep_product_uploads(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Editor uploads left behind (the page was closed, the image removed) a day after upload: gone, with their files."""
    result = SweepResult("product_uploads")
    due = ProductUpload.objects.filter(product__isnull=True, created_at__lt=now - UNUSED_UPLOAD_AGE)
    for ids in due_ids(due):
        if dry_run:
            result.acted.extend(str(pk) for pk in ids)
            continue
        with transaction.atomic():
            # re-checked under the delete: an upload a product took meanwhile stays
            rows = list(due.filter(pk__in=ids).select_for_update(skip_locked=True).values_list("pk", "image"))
            ProductUpload.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
            storage = ProductUpload._meta.get_field("image").storage
            transaction.on_commit(lambda names=[name for _pk, name in rows], storage=storage: [storage.delete(n) for n in names])
        result.acted.extend(str(pk) for pk, _name in rows)
    return result
