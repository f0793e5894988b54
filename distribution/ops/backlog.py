"""What is waiting, read from the database (and Redis) at the moment it is asked.

Shared by the metrics endpoint and the operator page. Each timer's backlog is the number of
rows its sweep would act on *now* (the same conditions as the sweep's due query); a growing
number means the timer is not keeping up or not running. Sweep runs and quarantined sweep
rows come from ``core.SweepRun`` / ``core.SweepFailure`` when this version has them (they are
read through the app registry, so their absence reads as "unknown", never as an error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max, Q

from distribution.core import sweeps


def _close_unpaid(now: datetime) -> int:
    from procurement.models import PurchaseOrder

    return PurchaseOrder.objects.filter(status=PurchaseOrder.Status.AWAITING_PAYMENT, pay_by__lte=now).count()


def _refund_unshipped(now: datetime) -> int:
    from procurement.models import PurchaseOrder

    return PurchaseOrder.objects.filter(status=PurchaseOrder.Status.PAID, ship_by__lte=now).count()


def _auto_confirm(now: datetime) -> int:
    from procurement.models import PurchaseOrder

    return PurchaseOrder.objects.filter(status=PurchaseOrder.Status.SHIPPED, confirm_by__lte=now).count()


def _send_reminders(now: datetime) -> int:
    from procurement.models import PurchaseOrder
    from procurement.selectors import reminder_lead
    from procurement.services import REMINDERS

    due = Q(pk__in=[])
    for kind, (status, deadline_field, reminded_field, _setting, _to) in REMINDERS.items():
        due |= Q(
            status=status,
            **{f"{deadline_field}__lte": now + reminder_lead(kind), f"{deadline_field}__gt": now, f"{reminded_field}__isnull": True},
        )
    return PurchaseOrder.objects.filter(due).count()


def _end_partnerships(now: datetime) -> int:
    from suppliers.sweeps import due_partnerships

    return due_partnerships(now).count()


def _escalate_disputes(now: datetime) -> int:
    from disputes.models import Dispute

    return Dispute.objects.filter(status=Dispute.Status.OPEN, dispute_until__lte=now).count()


def _webhook_deliveries(now: datetime) -> int:
    from distribution.api.models import WebhookDelivery

    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).count()


def _outbox(now: datetime) -> int:
    from distribution.core.models import OutboxMessage

    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=now).count()


def _idempotency_records(now: datetime) -> int:
    from distribution.api.models import IdempotencyRecord

    return IdempotencyRecord.objects.filter(created_at__lt=now - settings.API_IDEMPOTENCY_KEEP).count()


BACKLOGS: dict[str, Callable[[datetime], int]] = {
    "close_unpaid": _close_unpaid,
    "refund_unshipped": _refund_unshipped,
    "auto_confirm": _auto_confirm,
    "send_reminders": _send_reminders,
    "end_partnerships": _end_partnerships,
    "escalate_disputes": _escalate_disputes,
    "webhook_deliveries": _webhook_deliveries,
    "outbox": _outbox,
    "idempotency_records": _idempotency_records,
}


def _model(label: str):
    try:
        return apps.get_model("core", label)
    except LookupError:
        return None


@dataclass
class TimerStatus:
    name: str
    backlog: int | None  # None: no cheap due query for this timer (e.g. the daily inspection)
    last_started_at: datetime | None = None
    last_duration: float | None = None  # seconds
    last_acted: int | None = None
    last_failed: int | None = None
    last_error: str = ""
    last_success_at: datetime | None = None
    failing_rows: int | None = None  # recorded, retried with back-off
    quarantined_rows: int | None = None
    runs_recorded: bool = False


def timers(*, now: datetime) -> list[TimerStatus]:
    """One row per registered sweep: its backlog now and, when recorded, its last run and failures."""
    SweepRun, SweepFailure = _model("SweepRun"), _model("SweepFailure")
    names = sorted(set(sweeps.registered_sweeps()))
    last_runs: dict[str, Any] = {}
    last_success: dict[str, datetime] = {}
    failures: dict[str, dict[str, int]] = {}
    if SweepRun is not None:
        for run in SweepRun.objects.order_by("sweep", "-started_at", "-id").distinct("sweep"):
            last_runs[run.sweep] = run
        last_success = dict(
            SweepRun.objects.filter(finished_at__isnull=False, error="", failed=0)
            .values("sweep")
            .annotate(at=Max("finished_at"))
            .values_list("sweep", "at")
        )
    if SweepFailure is not None:
        for row in SweepFailure.objects.values("sweep").annotate(
            failing=Count("pk", filter=Q(quarantined=False)), quarantined=Count("pk", filter=Q(quarantined=True))
        ):
            failures[row["sweep"]] = row
    result = []
    for name in names:
        backlog = BACKLOGS.get(name)
        status = TimerStatus(name=name, backlog=backlog(now) if backlog else None, runs_recorded=SweepRun is not None)
        run = last_runs.get(name)
        if run is not None:
            status.last_started_at = run.started_at
            status.last_duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
            status.last_acted, status.last_failed, status.last_error = run.acted, run.failed, run.error
        status.last_success_at = last_success.get(name)
        if SweepFailure is not None:
            counts = failures.get(name, {})
            status.failing_rows = counts.get("failing", 0)
            status.quarantined_rows = counts.get("quarantined", 0)
        result.append(status)
    return result


def quarantined_sweep_rows(limit: int = 100) -> list[Any]:
    SweepFailure = _model("SweepFailure")
    if SweepFailure is None:
        return []
    return list(SweepFailure.objects.filter(quarantined=True).order_by("-last_failed_at", "-id")[:limit])


def outbox_by_queue() -> dict[str, dict[str, int]]:
    """queue → {pending, processing, failed} (done rows are not backlog)."""
    from distribution.core.models import OutboxMessage

    result: dict[str, dict[str, int]] = {}
    rows = OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).values("queue", "status").annotate(n=Count("pk"))
    for row in rows:
        result.setdefault(row["queue"], {"pending": 0, "processing": 0, "failed": 0})[row["status"]] = row["n"]
    return dict(sorted(result.items()))


def failed_outbox_rows(limit: int = 100) -> list[Any]:
    from distribution.core.models import OutboxMessage

    return list(OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by("-id")[:limit])


def webhooks_by_endpoint(limit: int = 200) -> list[dict[str, Any]]:
    """Endpoints with pending or failed deliveries: pending, retrying (pending after a failed attempt), failed."""
    from distribution.api.models import WebhookDelivery

    Status = WebhookDelivery.Status
    rows = (
        WebhookDelivery.objects.filter(status__in=[Status.PENDING, Status.FAILED])
        .values("endpoint_id", "endpoint__url", "endpoint__organisation__name")
        .annotate(
            pending=Count("pk", filter=Q(status=Status.PENDING)),
            retrying=Count("pk", filter=Q(status=Status.PENDING, attempts__gt=0)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
        )
        .order_by("-pending", "endpoint_id")[:limit]
    )
    return list(rows)


def webhook_totals() -> dict[str, int]:
    from distribution.api.models import WebhookDelivery

    Status = WebhookDelivery.Status
    return WebhookDelivery.objects.aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        retrying=Count("pk", filter=Q(status=Status.PENDING, attempts__gt=0)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )


def purchase_order_totals() -> dict[str, int]:
    """POs ever placed / paid / shipped (monotonic: read from the rows, so rolled-back work never counts)."""
    from procurement.models import PurchaseOrder

    return PurchaseOrder.objects.aggregate(
        placed=Count("pk"),
        paid=Count("pk", filter=Q(paid_at__isnull=False)),
        shipped=Count("pk", filter=Q(shipped_at__isnull=False)),
    )


_redis_client: redis.Redis | None = None


def celery_queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each Celery queue (Redis list per queue); None when Redis does not answer."""
    global _redis_client
    if _redis_client is None:
        _redis_client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        pipe = _redis_client.pipeline(transaction=False)
        for queue in settings.OPS_CELERY_QUEUES:
            pipe.llen(queue)
        return dict(zip(settings.OPS_CELERY_QUEUES, pipe.execute(), strict=True))
    except redis.RedisError:
        return dict.fromkeys(settings.OPS_CELERY_QUEUES)
