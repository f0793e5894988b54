"""The reports' sweeps: the daily rollups kept up to date, and the weekly channel digest (R17)."""

from __future__ import annotations

from datetime import datetime

from distribution.core.sweeps import SweepResult

from . import rollup


def refresh_report_rollups(*, now: datetime, dry_run: bool = False) -> SweepResult:
    result = SweepResult(name="report_rollups")
    if dry_run:
        return result
    read = rollup.refresh_changed(now=now)
    if read:
        result.act(f"{read} purchase orders")
    result.backlog = 0
    return result


def send_weekly_digests(*, now: datetime, dry_run: bool = False) -> SweepResult:
    from .digest import send_due_digests

    return send_due_digests(now=now, dry_run=dry_run)


SWEEPS = {"report_rollups": refresh_report_rollups, "weekly_digests": send_weekly_digests}
