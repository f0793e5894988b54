"""Celery application and the beat schedule (the platform's timers, SPEC §4).

The schedule lives here in code, not in a database scheduler, so every
deployment runs the same timers. Each entry is a thin task that calls the
same sweep code as ``python manage.py sweep_deadlines``.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "distribution.settings")

app = Celery("distribution")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

EVERY_MINUTE = 60.0

app.conf.beat_schedule = {
    "end-partnerships": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["end_partnerships"],
    },
    "close-unpaid": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["close_unpaid"],
    },
    "refund-unshipped": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["refund_unshipped"],
    },
    "auto-confirm": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["auto_confirm"],
    },
    "send-reminders": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["send_reminders"],
    },
    "escalate-disputes": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["escalate_disputes"],
    },
    "monthly-rebates": {
        "task": "distribution.disputes.tasks.compute_monthly_rebates",
        "schedule": crontab(day_of_month="1", hour="2", minute="0"),
    },
    "webhook-deliveries": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["webhook_deliveries"],
    },
    "outbox": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "args": ["outbox"],
    },
    "idempotency-records": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute=17),
        "args": ["idempotency_records"],
    },
    "inspect-listings": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(hour=3, minute=0),
        "args": ["inspect_listings"],
    },
}

__all__ = ["app", "crontab"]
