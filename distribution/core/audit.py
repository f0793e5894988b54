"""Recording audit events from services (inside their transaction)."""

from __future__ import annotations

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
