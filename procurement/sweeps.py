"""The PO timers (SPEC §4): close_unpaid (R9), refund_unshipped (R14), auto_confirm (R16), reminders.

Each sweep claims due ids in SKIP LOCKED batches and calls one service per PO; the
service locks the row and re-checks state and deadline, so a re-run, a second beat
process or a crash half-way never acts twice and never skips a PO. ``now`` is the
application clock, passed in; the database's ``now()`` is never used.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from distribution.core.errors import DomainError
from distribution.core.sweeps import SweepResult, due_ids

from . import services
from .models import PurchaseOrder
from .selectors import reminder_lead

Status = PurchaseOrder.Status


def _run(name: str, queryset, act, *, now: datetime, dry_run: bool) -> SweepResult:
    result = SweepResult(name=name)
    if dry_run:
        result.acted = [str(n) for n in queryset.order_by("pk").values_list("number", flat=True)]
        return result
    for ids in due_ids(queryset):
        for pk in ids:
            try:
                po = act(pk)
            except DomainError as exc:  # e.g. the ledger refused: report, go on with the others
                result.failed.append(f"{pk}: {exc.message}")
                continue
            if po is not None:
                result.acted.append(po.number)
    return result


def close_unpaid(*, now: datetime, dry_run: bool = False) -> SweepResult:
    qs = PurchaseOrder.objects.filter(status=Status.AWAITING_PAYMENT, pay_by__lte=now)
    return _run(
        "close_unpaid", qs, lambda pk: services.purchase_order_close_unpaid(purchase_order_id=pk, now=now), now=now, dry_run=dry_run
    )


def refund_unshipped(*, now: datetime, dry_run: bool = False) -> SweepResult:
    qs = PurchaseOrder.objects.filter(status=Status.PAID, ship_by__lte=now)
    return _run(
        "refund_unshipped", qs, lambda pk: services.purchase_order_refund_unshipped(purchase_order_id=pk, now=now), now=now, dry_run=dry_run
    )


def auto_confirm(*, now: datetime, dry_run: bool = False) -> SweepResult:
    qs = PurchaseOrder.objects.filter(status=Status.SHIPPED, confirm_by__lte=now)
    return _run(
        "auto_confirm", qs, lambda pk: services.purchase_order_auto_confirm(purchase_order_id=pk, now=now), now=now, dry_run=dry_run
    )


def send_reminders(*, now: datetime, dry_run: bool = False) -> SweepResult:
    result = SweepResult(name="send_reminders")
    for kind, (status, deadline_field, reminded_field, _setting, _to) in services.REMINDERS.items():
        qs = PurchaseOrder.objects.filter(
            Q(**{f"{deadline_field}__lte": now + reminder_lead(kind), f"{deadline_field}__gt": now}),
            status=status,
            **{f"{reminded_field}__isnull": True},
        )
        part = _run(
            kind,
            qs,
            lambda pk, kind=kind: services.purchase_order_remind(purchase_order_id=pk, kind=kind, now=now),
            now=now,
            dry_run=dry_run,
        )
        result.acted += [f"{kind}: {n}" for n in part.acted]
        result.failed += [f"{kind}: {n}" for n in part.failed]
    return result


SWEEPS = {
    "close_unpaid": close_unpaid,
    "refund_unshipped": refund_unshipped,
    "auto_confirm": auto_confirm,
    "send_reminders": send_reminders,
}
