"""Housekeeping sweeps of the API (run every minute by ``sweep_deadlines``)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from distribution.core.sweeps import SweepResult, due_ids

from .models import IdempotencyRecord


def sweep_idempotency_records(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Forget Idempotency-Key answers older than ``API_IDEMPOTENCY_KEEP`` (30 days)."""
    result = SweepResult(name="idempotency_records")
    old = IdempotencyRecord.objects.filter(created_at__lt=now - settings.API_IDEMPOTENCY_KEEP)
    for ids in due_ids(old):
        result.acted.extend(str(i) for i in ids)
        if not dry_run:
            IdempotencyRecord.objects.filter(pk__in=ids).delete()
    return result
