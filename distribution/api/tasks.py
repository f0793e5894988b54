"""Thin Celery wrapper: one webhook delivery attempt per task."""

from __future__ import annotations

from celery import shared_task

from . import webhooks


@shared_task(name="distribution.api.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    webhooks.attempt_delivery(delivery_id)
