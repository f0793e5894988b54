"""The ``escalate_disputes`` sweep (R15): unresolved disputes go to platform staff at ``dispute_until``."""

from __future__ import annotations

from datetime import datetime

from distribution.core.sweeps import SweepResult, sweep_each


def escalate_dispute_one(pk: int, now: datetime) -> str | None:
    from .services import dispute_escalate_due

    return str(pk) if dispute_escalate_due(dispute_id=pk, now=now) is not None else None


def escalate_disputes(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Escalate every open dispute whose negotiation window has ended. Idempotent; a failing dispute is isolated."""
    from .models import Dispute

    due = Dispute.objects.filter(status=Dispute.Status.OPEN, dispute_until__lte=now)
    return sweep_each("escalate_disputes", due, act_one=lambda pk: escalate_dispute_one(pk, now), now=now, dry_run=dry_run)
