"""An import whose worker died does not stay ``running``: the ``import_jobs`` sweep resumes it (its lease
passed) or, after the last attempt, fails it with a message the supplier sees (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from distribution.core import sweeps
from suppliers import services
from suppliers.models import ImportJob, Product
from suppliers.services import imports as services_imports
from tests.suppliers.test_services_import import category, csv_upload, manager, row, supplier  # noqa: F401

pytestmark = pytest.mark.django_db


def _queued_job(manager, supplier, django_capture_on_commit_callbacks, rows=None) -> ImportJob:  # noqa: F811
    with django_capture_on_commit_callbacks(execute=False):
        return services.import_job_create(actor=manager, supplier=supplier, upload=csv_upload(rows or [row()]))


def _left_running_by_a_dead_worker(job: ImportJob, *, attempts: int, lease_passed_by=timedelta(seconds=1)) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, attempts=attempts, lease_until=timezone.now() - lease_passed_by, progress=37
    )


def test_a_running_job_whose_lease_passed_is_resumed_and_then_imports(manager, supplier, category, django_capture_on_commit_callbacks):  # noqa: F811
    job = _queued_job(manager, supplier, django_capture_on_commit_callbacks)
    _left_running_by_a_dead_worker(job, attempts=1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = sweeps.run_sweep("import_jobs", now=timezone.now())

    job.refresh_from_db()
    assert result.acted == [f"{job.pk}:pending"]
    assert job.status == ImportJob.Status.PENDING and job.progress == 0
    assert len(callbacks) == 1  # its task is queued again
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED and job.attempts == 2
    assert Product.objects.filter(supplier=supplier).count() == 1


def test_after_the_last_attempt_the_job_fails_with_a_message_on_its_page(
    client, manager, supplier, category, django_capture_on_commit_callbacks,  # noqa: F811
):
    job = _queued_job(manager, supplier, django_capture_on_commit_callbacks)
    _left_running_by_a_dead_worker(job, attempts=2)

    sweeps.run_sweep("import_jobs", now=timezone.now())

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None and job.lease_until is None
    client.force_login(manager)
    page = client.get(reverse("suppliers:import_detail", args=[job.pk]), headers={"Accept-Language": "en"})
    assert "The import stopped because the server processing it was interrupted (2 attempts)" in page.content.decode()
    assert Product.objects.filter(supplier=supplier).count() == 0


def test_a_job_whose_worker_still_renews_its_lease_is_left_alone(manager, supplier, category, django_capture_on_commit_callbacks):  # noqa: F811
    job = _queued_job(manager, supplier, django_capture_on_commit_callbacks)
    _left_running_by_a_dead_worker(job, attempts=1, lease_passed_by=-timedelta(minutes=1))

    result = sweeps.run_sweep("import_jobs", now=timezone.now())

    assert result.acted == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_a_run_that_lost_its_lease_stops_without_importing_and_the_resumed_run_imports_once(
    manager, supplier, category, django_capture_on_commit_callbacks, monkeypatch,  # noqa: F811
):
    rows = [row(title=f"商品{i}", code=f"P-{i}") for i in range(120)]
    job = _queued_job(manager, supplier, django_capture_on_commit_callbacks, rows=rows)
    real = services_imports._progress

    def stalls_past_its_lease(job_id, attempt, done, total):
        # the worker hangs longer than its lease; meanwhile the sweep takes the job over
        ImportJob.objects.filter(pk=job_id).update(lease_until=timezone.now() - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=False):
            assert services.import_job_recover(job_id=job_id).status == ImportJob.Status.PENDING
        real(job_id, attempt, done, total)

    monkeypatch.setattr(services_imports, "_progress", stalls_past_its_lease)
    stale = services.import_job_run(job_id=job.pk)
    assert stale.status == ImportJob.Status.PENDING
    assert Product.objects.filter(supplier=supplier).count() == 0

    monkeypatch.setattr(services_imports, "_progress", real)
    resumed = services.import_job_run(job_id=job.pk)
    assert resumed.status == ImportJob.Status.SUCCEEDED
    assert Product.objects.filter(supplier=supplier).count() == 120


def test_each_progress_step_renews_the_lease(manager, supplier, category, django_capture_on_commit_callbacks, monkeypatch, settings):  # noqa: F811
    settings.IMPORT_JOB_LEASE = timedelta(seconds=30)
    leases = []
    real = services_imports._progress

    def spy(job_id, attempt, done, total):
        real(job_id, attempt, done, total)
        leases.append(ImportJob.objects.values_list("lease_until", flat=True).get(pk=job_id))

    monkeypatch.setattr(services_imports, "_progress", spy)
    rows = [row(title=f"商品{i}", code=f"P-{i}") for i in range(120)]
    job = _queued_job(manager, supplier, django_capture_on_commit_callbacks, rows=rows)
    before = timezone.now()
    job = services.import_job_run(job_id=job.pk)

    assert len(leases) == 2 and all(before + timedelta(seconds=29) < lease <= timezone.now() + timedelta(seconds=30) for lease in leases)
    assert job.status == ImportJob.Status.SUCCEEDED and job.lease_until is None
