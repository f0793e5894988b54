"""The PO timers (SPEC §4): close_unpaid (R9), refund_unshipped (R14), auto_confirm (R16), reminders.

The three money timers are batch sweeps (``distribution.core.sweeps.sweep_in_batches``): due ids
are claimed by keyset with SKIP LOCKED and each batch is changed in one transaction by the batch
services of ``procurement.services.timers``. A batch that raises is rolled back and retried PO by
PO through the single-PO services (``purchase_order_close_unpaid`` …), which lock the row and
re-check state and deadline; the PO that still fails is recorded and skipped (see the core
module). So a re-run, a second beat process, a crash half-way or one bad PO never acts twice and
never holds up the other POs. ``now`` is the application clock, passed in; the database's
``now()`` is never used.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from distribution.core.sweeps import SweepResult, sweep_each, sweep_in_batches

from . import services
from .models import PurchaseOrder
from .selectors import reminder_lead
from .services import timers

Status = PurchaseOrder.Status


def _number(po: PurchaseOrder | None) -> str | None:
    return po.number if po is not None else None


def _dry_run(name: str, queryset) -> SweepResult:
    result = SweepResult(name=name)
    for number in queryset.order_by("pk").values_list("number", flat=True).iterator():
        result.act(number)
    return result


def due_unpaid(now: datetime):
    return PurchaseOrder.objects.filter(status=Status.AWAITING_PAYMENT, pay_by__lte=now)


def due_unshipped(now: datetime):
    return PurchaseOrder.objects.filter(status=Status.PAID, ship_by__lte=now)  # partly shipped: the rest is refunded


def due_unconfirmed(now: datetime):
    return PurchaseOrder.objects.filter(status=Status.SHIPPED, confirm_by__lte=now)


def close_unpaid_one(pk: int, now: datetime) -> str | None:
    return _number(services.purchase_order_close_unpaid(purchase_order_id=pk, now=now))


def refund_unshipped_one(pk: int, now: datetime) -> str | None:
    return _number(services.purchase_order_refund_unshipped(purchase_order_id=pk, now=now))


def auto_confirm_one(pk: int, now: datetime) -> str | None:
    return _number(services.purchase_order_auto_confirm(purchase_order_id=pk, now=now))


def close_unpaid(*, now: datetime, dry_run: bool = False) -> SweepResult:
    if dry_run:
        return _dry_run("close_unpaid", due_unpaid(now))
    return sweep_in_batches(
        "close_unpaid",
        due_unpaid(now),
        act_batch=lambda ids: timers.purchase_orders_close_unpaid_due(purchase_order_ids=ids, now=now),
        act_one=lambda pk: close_unpaid_one(pk, now),
        now=now,
    )


def refund_unshipped(*, now: datetime, dry_run: bool = False) -> SweepResult:
    if dry_run:
        return _dry_run("refund_unshipped", due_unshipped(now))
    return sweep_in_batches(
        "refund_unshipped",
        due_unshipped(now),
        act_batch=lambda ids: timers.purchase_orders_refund_unshipped_due(purchase_order_ids=ids, now=now),
        act_one=lambda pk: refund_unshipped_one(pk, now),
        now=now,
    )


def auto_confirm(*, now: datetime, dry_run: bool = False) -> SweepResult:
    if dry_run:
        return _dry_run("auto_confirm", due_unconfirmed(now))
    return sweep_in_batches(
        "auto_confirm",
        due_unconfirmed(now),
        act_batch=lambda ids: timers.purchase_orders_auto_confirm_due(purchase_order_ids=ids, now=now),
        act_one=lambda pk: auto_confirm_one(pk, now),
        now=now,
    )


def send_reminders(*, now: datetime, dry_run: bool = False) -> SweepResult:
    result = SweepResult(name="send_reminders")
    backlog = 0
    for kind, (status, deadline_field, reminded_field, _setting, _to) in services.REMINDERS.items():
        qs = PurchaseOrder.objects.filter(
            Q(**{f"{deadline_field}__lte": now + reminder_lead(kind), f"{deadline_field}__gt": now}),
            status=status,
            **{f"{reminded_field}__isnull": True},
        )
        if dry_run:
            part = _dry_run(kind, qs)
        else:
            part = sweep_each(
                f"send_reminders:{kind}",
                qs,
                act_one=lambda pk, kind=kind: _number(services.purchase_order_remind(purchase_order_id=pk, kind=kind, now=now)),
                now=now,
            )
            backlog += part.backlog or 0
        result.merge(part, prefix=f"{kind}: ")
    result.backlog = None if dry_run else backlog
    return result


SWEEPS = {
    "close_unpaid": close_unpaid,
    "refund_unshipped": refund_unshipped,
    "auto_confirm": auto_confirm,
    "send_reminders": send_reminders,
}

# The row action staff use to retry a quarantined PO (admin: sweep failures).
RETRY = {
    "close_unpaid": close_unpaid_one,
    "refund_unshipped": refund_unshipped_one,
    "auto_confirm": auto_confirm_one,
}
