"""A real Celery worker is killed with SIGKILL in the middle of an import: the job does not stay ``running``.

The worker is a separate process (``celery worker -Q imports --pool=solo``) on the test's database and a
private redis-server broker; the test waits until it is checking rows, kills it, lets the lease pass
(``now`` handed to the sweep), and a second worker finishes the resumed job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from distribution.core import sweeps
from suppliers import services
from suppliers.models import ImportJob, Product
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import CategoryFactory, SupplierFactory
from tests.suppliers.test_services_import import csv_upload, row

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROWS = 1000


def _start_worker(broker_url: str, name: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DB_POOL": "0",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "distribution", "worker", "--queues=imports", "--pool=solo", "--concurrency=1",
         f"--hostname={name}@%h", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def test_an_import_whose_worker_is_killed_is_resumed_and_completed_by_another_worker(app_on_private_redis):
    supplier = SupplierFactory()
    manager = member(supplier)
    CategoryFactory(name="上衣", parent=CategoryFactory(name="服飾"))
    upload = csv_upload([row(title=f"商品{i}", code=f"K-{i}") for i in range(ROWS)])
    broker = app_on_private_redis.url(0)

    first = _start_worker(broker, "doomed")
    try:
        job = services.import_job_create(actor=manager, supplier=supplier, upload=upload)  # queued on commit
        _wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, processed_rows__gt=0).exists(),
            timeout=60, what="the worker to start checking rows",
        )  # fmt: skip
    finally:
        _kill(first)  # SIGKILL: no chance to clean up
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING and job.lease_until is not None

    # the sweep leaves it alone while the lease runs, then takes it over
    assert sweeps.run_sweep("import_jobs", now=job.lease_until - timedelta(seconds=1)).acted == []
    result = sweeps.run_sweep("import_jobs", now=job.lease_until + timedelta(seconds=1))
    assert result.acted == [f"{job.pk}:pending"]

    second = _start_worker(broker, "rescuer")
    try:
        _wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120, what="the resumed import")
    finally:
        _kill(second)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.attempts == 2
    assert Product.objects.filter(supplier=supplier).count() == ROWS
