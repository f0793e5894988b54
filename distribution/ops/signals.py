"""Log lines for what an operator must be able to find: every audited action (staff money actions
— top-up confirm, withdrawal paid, dispute decision — imports, PO transitions, outbox retries …),
every failed webhook delivery attempt, and every sweep run and sweep failure (when the sweep
records exist), each with its ids.

Hooked on ``post_save`` of the records the services already write, so no service carries a
logging call of its own. Audit lines are written once the action is known to have committed
(``flush()`` at the end of the request or task logs the buffered rows that exist): a
rolled-back action is not logged as done. Within a request the line carries its request id.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_save

audit_logger = logging.getLogger("distribution.audit")
webhook_logger = logging.getLogger("distribution.webhooks")
sweep_logger = logging.getLogger("distribution.sweeps")
AUDIT_MESSAGE = "audit %s %s#%s by user %s: %s"


_local = threading.local()
MAX_BUFFERED = 1000


def _buffer() -> list[tuple[int, str, tuple, dict]]:
    if not hasattr(_local, "audit"):
        _local.audit = []
    return _local.audit


def _log_audit(sender, instance, created: bool, using=None, **kwargs) -> None:
    if not created:
        return
    fields = {
        "action": instance.action,
        "object_type": instance.object_type,
        "object_id": instance.object_id,
        "actor_id": instance.actor_id,
        "organisation_id": instance.organisation_id,
        "audit_id": instance.pk,
        "data": instance.data,
    }
    args = (instance.action, instance.object_type, instance.object_id, instance.actor_id or "system", instance.summary)
    if not connections[using or DEFAULT_DB_ALIAS].in_atomic_block:
        audit_logger.info(AUDIT_MESSAGE, *args, extra=fields)  # autocommit: already committed
        return
    buffered = _buffer()
    buffered.append((instance.pk, using or DEFAULT_DB_ALIAS, args, fields))
    if len(buffered) >= MAX_BUFFERED:
        flush()


def flush() -> None:
    """Log the buffered audit rows that exist now (a rolled-back action's row does not).

    Called when a request ends (``RequestIdMiddleware``, still inside the request's context so
    the lines carry its id), after each Celery task, and at process exit. Registering an
    ``on_commit`` callback per row would do the same but shows up in every test that counts a
    service's after-commit callbacks.
    """
    from distribution.core.models import AuditEvent

    buffered = _buffer()
    if not buffered:
        return
    rows, buffered[:] = list(buffered), []
    by_alias: dict[str, set[int]] = {}
    for pk, alias, _args, _fields in rows:
        by_alias.setdefault(alias, set()).add(pk)
    existing = {
        (alias, pk)
        for alias, pks in by_alias.items()
        for pk in AuditEvent.objects.using(alias).filter(pk__in=list(pks)).values_list("pk", flat=True)
    }
    for pk, alias, args, fields in rows:
        if (alias, pk) in existing:
            audit_logger.info(AUDIT_MESSAGE, *args, extra=fields)


def _flush_after_task(*args, **kwargs) -> None:
    try:
        flush()
    except Exception:  # logging must never break the worker
        audit_logger.warning("audit: could not log buffered audit rows", exc_info=True)


def _flush_at_exit() -> None:
    """Management commands (``sweep_deadlines`` from cron …): log what they committed."""
    with contextlib.suppress(Exception):  # at exit the database or the log stream may be gone
        flush()


def _log_webhook_failure(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if update_fields is None or "status" not in update_fields or instance.status == instance.Status.DELIVERED:
        return
    code = instance.last_status_code
    webhook_logger.warning(
        "webhook delivery %s (event %s, endpoint %s) failed with %s on attempt %s%s",
        instance.pk,
        instance.event_id,
        instance.endpoint_id,
        code if code is not None else "no answer",
        instance.attempts,
        "; given up" if instance.status == instance.Status.FAILED else "",
        extra={
            "delivery_id": instance.pk,
            "event_id": str(instance.event_id),
            "endpoint_id": instance.endpoint_id,
            "status_code": code,
            "attempts": instance.attempts,
            "given_up": instance.status == instance.Status.FAILED,
        },
    )


def _log_sweep_run(sender, instance, **kwargs) -> None:
    if instance.finished_at is None:
        return
    seconds = (instance.finished_at - instance.started_at).total_seconds()
    level = logging.WARNING if instance.failed or instance.error else logging.INFO
    sweep_logger.log(
        level,
        "sweep %s: %s acted on, %s failed, backlog %s, %.2fs%s",
        instance.sweep,
        instance.acted,
        instance.failed,
        instance.backlog_after,
        seconds,
        f"; error: {instance.error}" if instance.error else "",
        extra={"sweep": instance.sweep, "sweep_run_id": instance.pk, "acted": instance.acted, "failed": instance.failed,
               "backlog": instance.backlog_after, "duration_s": round(seconds, 3)},
    )


def _log_sweep_failure(sender, instance, **kwargs) -> None:
    sweep_logger.warning(
        "sweep %s: row #%s failed (%s times%s): %s",
        instance.sweep,
        instance.object_id,
        instance.failures,
        ", quarantined" if instance.quarantined else "",
        instance.last_error,
        extra={"sweep": instance.sweep, "object_id": instance.object_id, "failures": instance.failures,
               "quarantined": instance.quarantined},
    )


def connect() -> None:
    from celery.signals import task_postrun
    from django.apps import apps

    from distribution.api.models import WebhookDelivery
    from distribution.core.models import AuditEvent

    post_save.connect(_log_audit, sender=AuditEvent, dispatch_uid="ops.log_audit")
    task_postrun.connect(_flush_after_task, dispatch_uid="ops.flush_audit", weak=False)
    atexit.register(_flush_at_exit)
    post_save.connect(_log_webhook_failure, sender=WebhookDelivery, dispatch_uid="ops.log_webhook_failure")
    # Sweep runs and failures (core.SweepRun / core.SweepFailure), when this version records them.
    for label, receiver in (("SweepRun", _log_sweep_run), ("SweepFailure", _log_sweep_failure)):
        try:
            model = apps.get_model("core", label)
        except LookupError:
            continue
        post_save.connect(receiver, sender=model, dispatch_uid=f"ops.log_{label}")
