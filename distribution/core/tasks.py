"""Thin Celery wrappers around the sweep registry."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import sweeps


# A minute timer; the daily inspection passes longer limits in its beat entry (distribution/celery.py).
@shared_task(name="distribution.core.tasks.run_sweep", ignore_result=True, soft_time_limit=240, time_limit=270)
def run_sweep(name: str) -> int:
    return sweeps.run_sweep(name, now=timezone.now()).count


@shared_task(name="distribution.core.tasks.sweep_deadlines", ignore_result=True, soft_time_limit=600, time_limit=660)
def sweep_deadlines() -> int:
    return sum(r.count for r in sweeps.run_all(now=timezone.now()))
