"""Thin Celery wrapper: one webhook delivery attempt per task."""

from __future__ import annotations

from celery import shared_task

from . import webhooks


# One HTTP attempt (WEBHOOK_TIMEOUT_SECONDS); a task killed by the limit is re-driven by the sweep after its lease.
@shared_task(name="distribution.api.tasks.deliver_webhook", ignore_result=True, soft_time_limit=30, time_limit=45)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.attempt_delivery(delivery_id)
