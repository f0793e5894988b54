"""The after-sales timers as one sweep: every request with a passed deadline, one service call each
(keyset claims with SKIP LOCKED; a row that fails is isolated and retried later, the rest proceed)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from distribution.core.sweeps import SweepResult, sweep_each

from . import services
from .models import AfterSale

Status = AfterSale.Status


def due(now: datetime):
    return AfterSale.objects.filter(
        Q(status=Status.REQUESTED, respond_by__lte=now)
        | Q(status__in=[Status.PROPOSED, Status.REFUSED], reply_by__lte=now)
        | Q(status=Status.AWAITING_RETURN, return_by__lte=now)
        | Q(status=Status.RETURN_SHIPPED, receive_by__lte=now)
    )


def run_timer_one(pk: int, now: datetime) -> str | None:
    a = services.after_sale_run_timer(after_sale_id=pk, now=now)
    return a.number if a is not None else None


def after_sales_timers(*, now: datetime, dry_run: bool = False) -> SweepResult:
    return sweep_each("after_sales_timers", due(now), act_one=lambda pk: run_timer_one(pk, now), now=now, dry_run=dry_run)
