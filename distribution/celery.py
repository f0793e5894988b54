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


def route_outbox_dispatch(name, args, kwargs, options, task=None, **kw):
    """``dispatch_outbox(queue)`` goes to ``queue``, so each outbox queue is worked by its own workers."""
    if name == "distribution.core.tasks.dispatch_outbox" and args:
        return {"queue": args[0]}
    return None


EVERY_MINUTE = 60.0
# Every beat entry goes to the ``timers`` queue (CELERY_TASK_ROUTES); a minute timer that could not
# start within its minute is dropped, since the next one does the same work (no backlog after an outage).
MINUTE = {"queue": "timers", "expires": 55}
# Hourly, daily and monthly jobs may take longer than a minute timer.
LONG = {"queue": "timers", "soft_time_limit": 1800, "time_limit": 1860}
# The slow listing inspection: the `default` queue (worker `worker`), so it never takes one of the
# timers worker's slots for its up to 30 minutes (the money timers each need a slot every minute).
SLOW = {**LONG, "queue": "default"}

app.conf.beat_schedule = {
    "end-partnerships": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["end_partnerships"],
    },
    "import-jobs": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["import_jobs"],
    },
    "close-unpaid": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["close_unpaid"],
    },
    "refund-unshipped": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["refund_unshipped"],
    },
    "auto-confirm": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["auto_confirm"],
    },
    "send-reminders": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["send_reminders"],
    },
    "escalate-disputes": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["escalate_disputes"],
    },
    "after-sales-timers": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["after_sales_timers"],
    },
    "monthly-rebates": {
        "task": "compliance.tasks.compute_monthly_rebates",
        "schedule": crontab(day_of_month="1", hour="2", minute="0"),
        "options": LONG,
    },
    "webhook-deliveries": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["webhook_deliveries"],
    },
    "outbox": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
        "args": ["outbox"],
    },
    "idempotency-records": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute=17),
        "options": LONG,
        "args": ["idempotency_records"],
    },
    "webhook-events": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute=37),
        "options": LONG,
        "args": ["webhook_events"],
    },
    "product-uploads": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute=47),
        "options": LONG,
        "args": ["product_uploads"],
    },
    "form-submissions": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute=27),
        "options": LONG,
        "args": ["form_submissions"],
    },
    # Report rollups follow the POs every few minutes (reports/rollup.py).
    "report-rollups": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(minute="*/5"),
        "options": LONG,
        "args": ["report_rollups"],
    },
    # The weekly channel digest (R17): Monday 08:00 Asia/Shanghai (CELERY_TIMEZONE); idempotent per week and member.
    "weekly-digests": {
        "task": "distribution.core.tasks.run_sweep",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
        "options": LONG,
        "args": ["weekly_digests"],
    },
    # The slow listing inspection is its own task with long limits, off the timers' queue; the money
    # timers run first in sweep_deadlines.
    "inspect-listings": {
        "task": "distribution.core.tasks.run_slow_sweep",
        "schedule": crontab(hour=3, minute=0),
        "options": SLOW,
        "args": ["inspect_listings"],
    },
    # Proves beat is alive (admin: heartbeats); one upsert a minute.
    "beat-heartbeat": {
        "task": "distribution.core.tasks.heartbeat",
        "schedule": EVERY_MINUTE,
        "options": MINUTE,
    },
}

__all__ = ["app", "crontab"]
