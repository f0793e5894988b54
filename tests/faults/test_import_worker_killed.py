"""A real Celery worker is killed with SIGKILL in the middle of an import: the job does not stay ``running``.

The worker is a separate process (``celery worker -Q imports --pool=solo``) on the test's database and a
private redis-server broker; the test waits until it is checking rows, kills it, lets the lease pass
(``now`` handed to the sweep), and a second worker finishes the resumed job.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from distribution.core import sweeps
from suppliers import services
from suppliers.models import ImportJob, Product
from tests.faults.conftest import kill, start_worker, wait_for
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import CategoryFactory, SupplierFactory
from tests.suppliers.test_services_import import csv_upload, row

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.real_broker]
ROWS = 1000


def test_an_import_whose_worker_is_killed_is_resumed_and_completed_by_another_worker(app_on_private_redis):
    supplier = SupplierFactory()
    manager = member(supplier)
    CategoryFactory(name="上衣", parent=CategoryFactory(name="服飾"))
    upload = csv_upload([row(title=f"商品{i}", code=f"K-{i}") for i in range(ROWS)])
    broker = app_on_private_redis.url(0)

    first = start_worker(broker, "doomed", queues="imports")
    try:
        job = services.import_job_create(actor=manager, supplier=supplier, upload=upload)  # queued on commit
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, processed_rows__gt=0).exists(),
            timeout=60, what="the worker to start checking rows",
        )  # fmt: skip
    finally:
        kill(first)  # SIGKILL: no chance to clean up
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.lease_until is not None

    # the sweep leaves it alone while the lease runs, then takes it over
    assert sweeps.run_sweep("import_jobs", now=job.lease_until - timedelta(seconds=1)).acted == []
    result = sweeps.run_sweep("import_jobs", now=job.lease_until + timedelta(seconds=1))
    assert result.acted == [f"{job.pk}:pending"]

    second = start_worker(broker, "rescuer", queues="imports")
    try:
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120, what="the resumed import")
    finally:
        kill(second)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.attempts == 2
    assert Product.objects.filter(supplier=supplier).count() == ROWS
