"""Thin Celery wrappers around the sweep registry."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import outbox, sweeps


# A minute timer; the daily inspection passes longer limits in its beat entry (distribution/celery.py).
@shared_task(name="distribution.core.tasks.run_sweep", ignore_result=True, soft_time_limit=240, time_limit=270)
def run_sweep(name: str) -> int:
    return sweeps.run_sweep(name, now=timezone.now()).count


@shared_task(name="distribution.core.tasks.sweep_deadlines", ignore_result=True, soft_time_limit=600, time_limit=660)
def sweep_deadlines() -> int:
    return sum(r.count for r in sweeps.run_all(now=timezone.now()))


# Routed to the queue it dispatches (distribution.celery.route_outbox_dispatch).
@shared_task(name="distribution.core.tasks.dispatch_outbox", ignore_result=True, soft_time_limit=240, time_limit=270)
def dispatch_outbox(queue: str) -> int:
    """Run the due outbox rows of ``queue`` (kicked after commit, and by the outbox sweep)."""
    done, _failed = outbox.dispatch(queue)
    return done
