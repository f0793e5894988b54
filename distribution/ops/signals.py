"""Log lines for what an operator must be able to find: every audited action (staff money actions
— top-up confirm, withdrawal paid, dispute decision — imports, PO transitions, outbox retries …)
and every failed webhook delivery attempt, each with its ids.

Hooked on ``post_save`` of the records the services already write, so no service carries a
logging call of its own. Audit lines are written after commit (``transaction.on_commit``): a
rolled-back action is not logged as done. Within a request the line carries its request id.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save

audit_logger = logging.getLogger("distribution.audit")
webhook_logger = logging.getLogger("distribution.webhooks")


def _log_audit(sender, instance, created: bool, **kwargs) -> None:
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
    message = "audit %s %s#%s by user %s: %s"
    args = (instance.action, instance.object_type, instance.object_id, instance.actor_id or "system", instance.summary)
    transaction.on_commit(lambda: audit_logger.info(message, *args, extra=fields), using=kwargs.get("using"))


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


def connect() -> None:
    from distribution.api.models import WebhookDelivery
    from distribution.core.models import AuditEvent

    post_save.connect(_log_audit, sender=AuditEvent, dispatch_uid="ops.log_audit")
    post_save.connect(_log_webhook_failure, sender=WebhookDelivery, dispatch_uid="ops.log_webhook_failure")
