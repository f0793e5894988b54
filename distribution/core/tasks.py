"""Thin Celery wrappers around the sweep registry, and the beat heartbeat.

Beat runs the money timers through ``run_sweep`` and the slow listing inspection through
``run_slow_sweep`` (another task name, routed to another queue than the timers'), so the
inspection can never delay a timer.
Failures are logged by ``sweeps.run_sweep`` (rows with their tracebacks, the sweep's own
crash) and recorded in ``SweepRun`` / ``SweepFailure``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import outbox, sweeps

logger = logging.getLogger(__name__)


# A minute timer; the daily inspection goes through run_slow_sweep with longer limits (distribution/celery.py).
@shared_task(name="distribution.core.tasks.run_sweep", ignore_result=True, soft_time_limit=240, time_limit=270)
def run_sweep(name: str, time_limit: float | None = None) -> int:
    result = sweeps.run_sweep(name, now=timezone.now(), time_limit=time_limit)
    if result.failed_count:
        logger.error("beat sweep %s: acted on %s, %s failed", name, result.count, result.failed_count)
    return result.count


@shared_task(name="distribution.core.tasks.run_slow_sweep", ignore_result=True, soft_time_limit=1800, time_limit=1860)
def run_slow_sweep(name: str, time_limit: float | None = None) -> int:
    """The same as ``run_sweep`` under another task name, so it is routed away from the timers' queue."""
    return run_sweep(name, time_limit=time_limit)


@shared_task(name="distribution.core.tasks.sweep_deadlines", ignore_result=True, soft_time_limit=600, time_limit=660)
def sweep_deadlines() -> int:
    return sum(r.count for r in sweeps.run_all(now=timezone.now()))


# Routed to the queue it dispatches (distribution.celery.route_outbox_dispatch).
@shared_task(name="distribution.core.tasks.dispatch_outbox", ignore_result=True, soft_time_limit=240, time_limit=270)
def dispatch_outbox(queue: str) -> int:
    """Run the due outbox rows of ``queue`` (kicked after commit, and by the outbox sweep)."""
    done, _failed = outbox.dispatch(queue)
    return done


@shared_task(name="distribution.core.tasks.heartbeat", ignore_result=True, soft_time_limit=30, time_limit=40)
def heartbeat() -> None:
    sweeps.heartbeat()
