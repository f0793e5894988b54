"""Log lines for what an operator must be able to find: every audited action (staff money actions
— top-up confirm, withdrawal paid, dispute decision — imports, PO transitions, outbox retries …),
every failed webhook delivery attempt, and every sweep run and sweep failure (when the sweep
records exist), each with its ids.

Hooked on ``post_save`` of the records the services already write, so no service carries a
logging call of its own. Audit lines inside a transaction are buffered and written when it
commits (the database backend ``distribution.ops.postgresql`` reports commits and rollbacks):
a rolled-back action is not logged as done. Within a request the line carries its request id.
"""

from __future__ import annotations

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_save

audit_logger = logging.getLogger("distribution.audit")
webhook_logger = logging.getLogger("distribution.webhooks")
sweep_logger = logging.getLogger("distribution.sweeps")
AUDIT_MESSAGE = "audit %s %s#%s by user %s: %s"


_local = threading.local()


def _buffer() -> list[tuple[str, set, list]]:
    if not hasattr(_local, "audit"):
        _local.audit = []
    return _local.audit


def _emit(row) -> None:
    """The log line of one audit row (an ``AuditEvent`` or an ``AuditRow``: the same attributes).

    ``Logger.info`` would walk the stack for the caller's file and line (``findCaller``), which
    the formats do not print and which is always this function: a third of a line's CPU when a
    batch service commits 2,000 lines. The record is made and handled as ``info`` does, without
    that walk (same level check, filters, handlers and ``extra``).
    """
    if not audit_logger.isEnabledFor(logging.INFO):
        return
    fields = {
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "actor_id": row.actor_id,
        "organisation_id": row.organisation_id,
        "audit_id": row.pk,
        "data": row.data,
    }
    args = (row.action, row.object_type, row.object_id, row.actor_id or "system", row.summary)
    audit_logger.handle(audit_logger.makeRecord(audit_logger.name, logging.INFO, __file__, 0, AUDIT_MESSAGE, args, None, "_emit", fields))


def _hold(rows: list, using: str | None) -> None:
    """Log ``rows`` now (autocommit: already committed) or when the transaction commits."""
    alias = using or DEFAULT_DB_ALIAS
    connection = connections[alias]
    if not connection.in_atomic_block:
        for row in rows:
            _emit(row)
        return
    _buffer().append((alias, set(connection.savepoint_ids), rows))


def _log_audit(sender, instance, created: bool, using=None, **kwargs) -> None:
    if not created:
        return
    from distribution.core.audit import AuditRow

    # the values as saved (the line is written at commit)
    row = AuditRow(instance.pk, instance.actor_id, instance.organisation_id, instance.action, instance.object_type,
                   instance.object_id, instance.summary, instance.data)  # fmt: skip
    _hold([row], using)


def _log_audit_rows(sender, rows: list, using=None, **kwargs) -> None:
    """``audit_many``'s rows (a batch service's INSERT): one buffer entry for the statement, a line per row at commit."""
    _hold(rows, using)


def committed(alias: str) -> None:
    """The transaction on ``alias`` committed (``distribution.ops.postgresql``): log its audit rows."""
    buffered = _buffer()
    if not buffered:
        return
    mine = [entry for entry in buffered if entry[0] == alias]
    buffered[:] = [entry for entry in buffered if entry[0] != alias]
    for _alias, _sids, rows in mine:
        for row in rows:
            _emit(row)


def rolled_back(alias: str, *, sid: str | None = None) -> None:
    """The transaction (or the savepoint ``sid``) on ``alias`` rolled back: forget its rows."""
    buffered = _buffer()
    if buffered:
        buffered[:] = [e for e in buffered if not (e[0] == alias and (sid is None or sid in e[1]))]


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
    from django.apps import apps

    from distribution.api.models import WebhookDelivery
    from distribution.core.audit import audit_rows_written
    from distribution.core.models import AuditEvent

    post_save.connect(_log_audit, sender=AuditEvent, dispatch_uid="ops.log_audit")
    audit_rows_written.connect(_log_audit_rows, sender=AuditEvent, dispatch_uid="ops.log_audit_rows")
    post_save.connect(_log_webhook_failure, sender=WebhookDelivery, dispatch_uid="ops.log_webhook_failure")
    # Sweep runs and failures (core.SweepRun / core.SweepFailure), when this version records them.
    for label, receiver in (("SweepRun", _log_sweep_run), ("SweepFailure", _log_sweep_failure)):
        try:
            model = apps.get_model("core", label)
        except LookupError:
            continue
        post_save.connect(receiver, sender=model, dispatch_uid=f"ops.log_{label}")
