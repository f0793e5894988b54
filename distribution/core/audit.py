"""Recording audit events from services (inside their transaction)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from .models import AuditEvent


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organisation: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. ``actor`` may be ``None`` for the system (timers)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
    )


def audit_many(
    *,
    action: str,
    object_type: str,
    object_ids: list[int],
    organisation_ids: list[int | None],
    summaries: list[str],
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> None:
    """Append one audit row per object in one set-based ``INSERT`` (batch services: the PO timers).

    The lists run in parallel; every row gets the same ``action``, ``actor`` and ``data``.
    """
    if not object_ids:
        return
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} "  # noqa: S608 (table name from model metadata, values are parameters)
            "(created_at, actor_id, organisation_id, action, object_type, object_id, summary, data) "
            "SELECT %s, %s, t.organisation_id, %s, %s, t.object_id::text, left(t.summary, 500), %s::jsonb "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) WITH ORDINALITY AS t(object_id, organisation_id, summary, n) ORDER BY t.n",
            [
                timezone.now(),
                actor.pk if getattr(actor, "pk", None) else None,
                action,
                object_type,
                json.dumps(data or {}),
                list(object_ids),
                list(organisation_ids),
                list(summaries),
            ],
        )
