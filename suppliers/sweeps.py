"""The ``end_partnerships`` sweep (R5): partnerships whose notice has run out end by themselves."""

from __future__ import annotations

from datetime import datetime

from distribution.core.sweeps import SweepResult, sweep_each

from .models import Partnership


def due_partnerships(now: datetime):
    return Partnership.objects.filter(status=Partnership.Status.TERMINATION_PENDING, ends_at__lte=now)


def end_partnership_one(pk: int, now: datetime) -> str | None:
    from .services.partnerships import partnership_end_due

    return f"partnership #{pk}" if partnership_end_due(partnership_id=pk, now=now) is not None else None


def end_partnerships(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """End every partnership pending termination whose ``ends_at`` has passed. Idempotent.

    Ids are claimed in SKIP LOCKED keyset batches; each is ended in its own transaction by
    ``partnership_end_due``, which re-checks the state under its lock. A partnership that
    raises is recorded and retried later (``distribution.core.sweeps``); the others go on.
    """
    return sweep_each(
        "end_partnerships",
        due_partnerships(now),
        act_one=lambda pk: end_partnership_one(pk, now),
        now=now,
        dry_run=dry_run,
        label=lambda pk: f"partnership #{pk}",
    )
