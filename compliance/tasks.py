"""Thin Celery wrappers."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services.rebates import previous_month, rebates_compute_month


@shared_task(name="compliance.tasks.compute_monthly_rebates", ignore_result=True, soft_time_limit=1800, time_limit=1860)
def compute_monthly_rebates() -> int:
    """Day 1, 02:00: propose the previous month's rebates."""
    return len(rebates_compute_month(month_on=previous_month(timezone.localdate())))
