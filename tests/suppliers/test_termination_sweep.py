"""The end_partnerships sweep (R5): the partnership ends by itself at ``ends_at``."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from distribution.core import sweeps
from distribution.core.models import AuditEvent
from suppliers.models import Partnership
from suppliers.services import partnerships as svc
from tests.concurrency import race
from tests.suppliers.factories import PartnershipFactory
from tests.suppliers.partners_helpers import celery_eager, fast_hasher, supplier_with_member  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]

NOW = timezone.make_aware(timezone.datetime(2026, 3, 1, 10, 0))


@pytest.fixture
def noticed():
    """A partnership with a 10-day notice given at NOW."""
    user, supplier = supplier_with_member()
    partnership = PartnershipFactory(supplier=supplier, started_at=NOW - timedelta(days=100))
    svc.partnership_give_notice(actor=user, partnership=partnership, reason="違規", ends_at=NOW + timedelta(days=10), now=NOW)
    return Partnership.objects.get(pk=partnership.pk)


def status_of(partnership):
    return Partnership.objects.get(pk=partnership.pk).status


def test_end_partnerships_is_registered():
    assert "end_partnerships" in sweeps.registered_sweeps()


def test_sweep_one_second_before_ends_at_does_nothing(noticed):
    result = sweeps.run_sweep("end_partnerships", now=noticed.ends_at - timedelta(seconds=1))
    assert result.count == 0
    assert status_of(noticed) == Partnership.Status.TERMINATION_PENDING


def test_sweep_at_ends_at_terminates_and_unpublishes_the_store_list(noticed):
    with mock.patch("resellers.services.store_list_on_partnership_ended") as hook:
        result = sweeps.run_sweep("end_partnerships", now=noticed.ends_at)

    assert result.acted == [f"partnership #{noticed.pk}"]
    p = Partnership.objects.get(pk=noticed.pk)
    assert (p.status, p.terminated_at, p.terminated_by) == (Partnership.Status.TERMINATED, noticed.ends_at, "supplier")
    hook.assert_called_once()
    assert AuditEvent.objects.filter(action="partnership.ended_by_notice", object_id=str(p.pk), actor=None).count() == 1


def test_sweep_twice_is_idempotent(noticed):
    first = sweeps.run_sweep("end_partnerships", now=noticed.ends_at + timedelta(days=1))
    second = sweeps.run_sweep("end_partnerships", now=noticed.ends_at + timedelta(days=2))

    assert (first.count, second.count) == (1, 0)
    assert AuditEvent.objects.filter(action="partnership.ended_by_notice").count() == 1


def test_a_late_sweep_records_the_effective_time_not_the_sweep_time(noticed):
    sweeps.run_sweep("end_partnerships", now=noticed.ends_at + timedelta(days=3))
    assert Partnership.objects.get(pk=noticed.pk).terminated_at == noticed.ends_at


def test_withdrawn_notice_is_not_ended_by_the_sweep(noticed):
    svc.partnership_withdraw_notice(actor=supplier_owner(noticed), partnership=noticed, now=NOW)
    assert sweeps.run_sweep("end_partnerships", now=NOW + timedelta(days=30)).count == 0
    assert status_of(noticed) == Partnership.Status.ACTIVE


def test_end_due_rechecks_under_the_lock(noticed):
    assert svc.partnership_end_due(partnership_id=noticed.pk, now=noticed.ends_at - timedelta(seconds=1)) is None
    Partnership.objects.filter(pk=noticed.pk).update(status=Partnership.Status.TERMINATED)
    assert svc.partnership_end_due(partnership_id=noticed.pk, now=noticed.ends_at) is None


def test_dry_run_lists_without_changing(noticed):
    result = sweeps.run_sweep("end_partnerships", now=noticed.ends_at, dry_run=True)
    assert result.count == 1
    assert status_of(noticed) == Partnership.Status.TERMINATION_PENDING


def test_sweep_deadlines_command_ends_due_partnerships(noticed):
    out = StringIO()
    with time_machine.travel(noticed.ends_at + timedelta(minutes=1), tick=False):
        call_command("sweep_deadlines", only=["end_partnerships"], stdout=out)
    assert "end_partnerships: acted on 1" in out.getvalue()
    assert status_of(noticed) == Partnership.Status.TERMINATED


def test_sweep_works_through_more_than_one_batch(settings):
    settings.SWEEP_BATCH_SIZE = 2
    user, supplier = supplier_with_member()
    for _ in range(5):
        PartnershipFactory(supplier=supplier, status=Partnership.Status.TERMINATION_PENDING, ends_at=NOW)
    assert sweeps.run_sweep("end_partnerships", now=NOW).count == 5
    assert not Partnership.objects.exclude(status=Partnership.Status.TERMINATED).exists()


def test_beat_schedule_runs_end_partnerships():
    from distribution.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e.get("args") == ["end_partnerships"]]
    assert entries and entries[0]["task"] == "distribution.core.tasks.run_sweep"


def supplier_owner(partnership):
    from accounts.models import Membership

    return Membership.objects.get(organisation_id=partnership.supplier_id, role="owner").user


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_end_each_partnership_once():
    user, supplier = supplier_with_member()
    ids = [PartnershipFactory(supplier=supplier, status=Partnership.Status.TERMINATION_PENDING, ends_at=NOW).pk for _ in range(6)]

    outcomes = race([lambda: sweeps.run_sweep("end_partnerships", now=NOW)] * 2)

    assert all(o.ok for o in outcomes), outcomes
    assert sum(o.value.count for o in outcomes) == 6
    assert AuditEvent.objects.filter(action="partnership.ended_by_notice", object_id__in=[str(i) for i in ids]).count() == 6
