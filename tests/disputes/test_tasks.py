"""The ``escalate_disputes`` sweep (R15) and the month-end rebate task."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputes import services
from disputes.models import Dispute
from distribution.celery import app
from distribution.core import sweeps
from distribution.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def open_dispute(po, user):
    return services.dispute_open(
        actor=user,
        purchase_order=po,
        reason="not_received",
        requested_amount="300.00",
        description="沒收到",
        now=po.shipped_at + timedelta(days=3),
    )


def status(dispute) -> str:
    return Dispute.objects.get(pk=dispute.pk).status


def test_sweep_is_registered_and_in_beat():
    assert "escalate_disputes" in sweeps.registered_sweeps()
    entries = [e for e in app.conf.beat_schedule.values() if e.get("args") == ["escalate_disputes"]]
    assert entries and entries[0]["task"] == "distribution.core.tasks.run_sweep"
    assert entries[0]["schedule"] == 60.0
    rebates = [e for e in app.conf.beat_schedule.values() if e["task"] == "compliance.tasks.compute_monthly_rebates"]
    assert rebates and rebates[0]["schedule"].day_of_month == {1} and rebates[0]["schedule"].hour == {2}


def test_open_dispute_escalates_automatically_exactly_at_dispute_until(po, reseller_user):
    dispute = open_dispute(po, reseller_user)
    before = sweeps.run_sweep("escalate_disputes", now=po.dispute_until - timedelta(seconds=1))
    assert before.count == 0
    assert status(dispute) == Dispute.Status.OPEN
    at = sweeps.run_sweep("escalate_disputes", now=po.dispute_until)
    assert at.acted == [str(dispute.pk)]
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == Dispute.Status.ESCALATED
    assert dispute.auto_escalated
    assert dispute.escalated_at == po.dispute_until
    assert AuditEvent.objects.filter(action="dispute.auto_escalated", actor__isnull=True).count() == 1


def test_sweep_is_idempotent_and_skips_settled_or_already_escalated(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    sweeps.run_sweep("escalate_disputes", now=po.dispute_until + timedelta(hours=1))
    again = sweeps.run_sweep("escalate_disputes", now=po.dispute_until + timedelta(hours=2))
    assert again.count == 0
    assert AuditEvent.objects.filter(action="dispute.auto_escalated").count() == 1
    assert status(dispute) == Dispute.Status.ESCALATED


def test_sweep_catches_up_after_downtime_and_dry_run_changes_nothing(reseller_user, po):
    dispute = open_dispute(po, reseller_user)
    dry = sweeps.run_sweep("escalate_disputes", now=po.dispute_until + timedelta(days=2), dry_run=True)
    assert dry.acted == [str(dispute.pk)]
    assert status(dispute) == Dispute.Status.OPEN
    assert sweeps.run_sweep("escalate_disputes", now=po.dispute_until + timedelta(days=2)).count == 1


def test_sweep_leaves_withdrawn_disputes_alone(po, reseller_user):
    dispute = open_dispute(po, reseller_user)
    services.dispute_withdraw(actor=reseller_user, dispute=dispute, now=po.shipped_at + timedelta(days=4))
    assert sweeps.run_sweep("escalate_disputes", now=po.dispute_until + timedelta(days=1)).count == 0
    assert status(dispute) == Dispute.Status.WITHDRAWN


def test_beat_task_runs_the_sweep_at_the_current_time(po, reseller_user):
    import time_machine

    from distribution.core.tasks import run_sweep

    dispute = open_dispute(po, reseller_user)
    with time_machine.travel(po.dispute_until - timedelta(seconds=1), tick=False):
        assert run_sweep("escalate_disputes") == 0
    with time_machine.travel(po.dispute_until, tick=False):
        assert run_sweep("escalate_disputes") == 1
    assert status(dispute) == Dispute.Status.ESCALATED
