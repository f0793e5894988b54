"""Paying, closing, shipping, refunding, completing POs, and the deadline reminders (SPEC §3, §4)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from distribution.core import outbox, texts
from distribution.core.audit import audit_batch
from distribution.core.errors import InvalidState, ValidationFailed
from distribution.core.money import ZERO, money

from .. import text_kinds as K
from ..addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from ..models import PurchaseOrder
from ._base import (
    PurchaseOrderRef,
    Status,
    _expect,
    _fire,
    _lock,
    _move_stock,
    _notify,
    _now,
    _record,
    _release,
    _save,
    _stock_changed,
)

# --- paying, closing -------------------------------------------------------------------


def _pay_locked(po: PurchaseOrder, *, actor, now: datetime) -> PurchaseOrder:
    from settlement.services import escrow_hold

    _expect(po, Status.AWAITING_PAYMENT)
    if now >= po.pay_by:
        raise InvalidState(_("The payment deadline has passed; this purchase order is being closed."))
    from_status = _fire(po, "pay", now=now)
    escrow_hold(
        reference=po.number,
        reseller=po.reseller.organisation,
        supplier=po.supplier.organisation,
        amount=po.total_amount,
        actor=actor,
        savepoint=False,  # this service's block (or auto-pay's savepoint) rolls back on any error
    )
    _save(po)
    _record(po, actor=actor, from_status=from_status, now=now)
    _notify(
        po,
        to="supplier",
        kind="purchase_order.paid",
        text=K.PAID(number=po.number, ship_by=texts.When(po.ship_by)),
    )
    return po


def purchase_order_pay(*, actor, purchase_order: PurchaseOrder | PurchaseOrderRef, now: datetime | None = None) -> PurchaseOrder:
    """Reseller pays from its wallet into escrow. Raises ``insufficient_balance`` or ``invalid_state``."""
    now = _now(now)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        return _pay_locked(po, actor=actor, now=now)


def _close_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str | texts.Text) -> PurchaseOrder:
    from_status = _fire(po, "close", now=now, reason=reason)
    _release(po, now=now)
    _save(po)
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    return po


def purchase_order_cancel(
    *, actor, purchase_order: PurchaseOrder | PurchaseOrderRef, reason: str = "", now: datetime | None = None
) -> PurchaseOrder:
    """Reseller cancels an unpaid PO: closed, stock released."""
    now = _now(now)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        _expect(po, Status.AWAITING_PAYMENT)
        _close_locked(po, actor=actor, now=now, reason=reason or K.REASON_CANCELLED_BY_RESELLER())
        _notify(po, to="supplier", kind="purchase_order.closed", text=K.CANCELLED_BY_RESELLER(number=po.number))
    return po


def purchase_order_close_unpaid(*, purchase_order_id: int, now: datetime | None = None) -> PurchaseOrder | None:
    """Timer R9: close a PO still unpaid at ``pay_by``. Returns ``None`` when there was nothing to do."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order_id)
        if po.status != Status.AWAITING_PAYMENT or now < po.pay_by:
            return None
        _close_locked(po, actor=None, now=now, reason=K.REASON_NOT_PAID(days=settings.PO_PAY_WITHIN.days))
        for to in ("reseller", "supplier"):
            _notify(po, to=to, kind="purchase_order.closed", text=K.CLOSED_UNPAID(number=po.number))
    return po


# --- shipping, refunds -----------------------------------------------------------------


def _refund_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str | texts.Text) -> PurchaseOrder:
    from settlement.services import escrow_refund

    from_status = _fire(po, "refund", now=now, reason=reason)
    _release(po, now=now)
    escrow_refund(reference=po.number, actor=actor, memo=reason, savepoint=False)
    _save(po)
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    return po


def purchase_order_supplier_cancel(
    *, actor, purchase_order: PurchaseOrder | PurchaseOrderRef, reason: str, now: datetime | None = None
) -> PurchaseOrder:
    """Supplier cannot ship (R13): paid → refunded with a reason; stock released, money back to the reseller."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the reseller why you cannot ship."), field="reason")
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        _expect(po, Status.PAID)
        _refund_locked(po, actor=actor, now=now, reason=reason[:500])
        _notify(
            po,
            to="reseller",
            kind="purchase_order.refunded",
            text=K.CANCELLED_BY_SUPPLIER(number=po.number, reason=reason[:500]),
            email=True,
        )
    return po


def _refund_rest_locked(po: PurchaseOrder, *, now: datetime) -> PurchaseOrder:
    """R14 for a PO partly shipped at ``ship_by``: the goods not shipped are refunded (escrow →
    reseller, their reservation released) and the PO is ``shipped`` with what left, its
    auto-confirm and dispute clocks running from the last package (as if that one had been the
    last all along). The shipping charge stays with the supplier: something was shipped."""
    from settlement.services import escrow_refund

    from ..models import Package, PurchaseOrderLine
    from .shipping import shipped_quantities

    done = shipped_quantities(po.pk)
    lines = list(PurchaseOrderLine.objects.filter(purchase_order=po).only("id", "sku_id", "quantity", "unit_price"))
    rest = {line.pk: line.quantity - done.get(line.pk, 0) for line in lines}
    amount = sum((money(line.unit_price * rest[line.pk]) for line in lines if rest[line.pk] > 0), ZERO)
    amount = min(amount, po.total_amount - po.refund_amount)
    by_sku: dict[int, int] = {}
    for line in lines:
        if rest[line.pk] > 0:
            by_sku[line.sku_id] = by_sku.get(line.sku_id, 0) + rest[line.pk]
    last_shipped = Package.objects.filter(purchase_order=po).order_by("-shipped_at").values_list("shipped_at", flat=True).first()
    reason = K.REASON_NOT_SHIPPED_REST(days=settings.PO_SHIP_WITHIN.days, amount=texts.Money(amount))
    from_status = _fire(po, "ship", now=last_shipped or now)
    if amount:
        escrow_refund(reference=po.number, actor=None, amount=amount, memo=reason, savepoint=False)
        po.refund_amount += amount
    _move_stock(by_sku, on_hand=False, now=now)
    _stock_changed(list(by_sku), changes={"reserved"}, now=now)
    _save(po)
    _record(po, actor=None, from_status=from_status, now=now, reason=reason)
    for to in ("reseller", "supplier"):
        text = K.REFUNDED_UNSHIPPED_REST(number=po.number, amount=texts.Money(amount), when=texts.When(po.confirm_by))
        _notify(po, to=to, kind="purchase_order.refunded_rest", text=text)
    return po


def purchase_order_refund_unshipped(*, purchase_order_id: int, now: datetime | None = None) -> PurchaseOrder | None:
    """Timer R14: refund a PO still unshipped at ``ship_by`` (partly shipped: refund the rest,
    ``_refund_rest_locked``). ``None`` when there was nothing to do."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order_id)
        if po.status != Status.PAID or po.ship_by is None or now < po.ship_by:
            return None
        if po.first_shipped_at is not None:
            return _refund_rest_locked(po, now=now)
        _refund_locked(po, actor=None, now=now, reason=K.REASON_NOT_SHIPPED(days=settings.PO_SHIP_WITHIN.days))
        for to in ("reseller", "supplier"):
            _notify(po, to=to, kind="purchase_order.refunded", text=K.REFUNDED_UNSHIPPED(number=po.number))
    return po


# --- completion ------------------------------------------------------------------------


def _complete_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str | texts.Text = "") -> PurchaseOrder:
    from settlement.services import escrow_release

    from_status = _fire(po, "complete", now=now)
    escrow_release(reference=po.number, commission_rate=po.supplier.commission_rate, actor=actor, memo=reason, savepoint=False)
    _save(po)
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    _notify(po, to="supplier", kind="purchase_order.completed", text=K.COMPLETED(number=po.number))
    return po


def purchase_order_confirm_receipt(
    *, actor, purchase_order: PurchaseOrder | PurchaseOrderRef, now: datetime | None = None
) -> PurchaseOrder:
    """Reseller confirms receipt: shipped → completed, escrow released to the supplier (less commission)."""
    now = _now(now)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        _expect(po, Status.SHIPPED)
        return _complete_locked(po, actor=actor, now=now, reason=K.REASON_RECEIPT_CONFIRMED())


def purchase_order_auto_confirm(*, purchase_order_id: int, now: datetime | None = None) -> PurchaseOrder | None:
    """Timer R16: confirm a shipped PO at ``confirm_by`` (a disputed PO is not ``shipped``, so it waits)."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order_id)
        if po.status != Status.SHIPPED or po.confirm_by is None or now < po.confirm_by:
            return None
        _complete_locked(
            po,
            actor=None,
            now=now,
            reason=K.REASON_AUTO_CONFIRMED(days=settings.PO_CONFIRM_WITHIN.days),
        )
        _notify(po, to="reseller", kind="purchase_order.completed", text=K.CONFIRMED_AUTOMATICALLY(number=po.number))
    return po


# --- reminders -------------------------------------------------------------------------

REMINDERS = {
    # kind: (status, deadline field, reminded-at field, notice period setting default, to)
    "pay": (Status.AWAITING_PAYMENT, "pay_by", "pay_reminded_at", "PO_PAY_REMINDER_BEFORE", "reseller"),
    "ship": (Status.PAID, "ship_by", "ship_reminded_at", "PO_SHIP_REMINDER_BEFORE", "supplier"),
    "confirm": (Status.SHIPPED, "confirm_by", "confirm_reminded_at", "PO_CONFIRM_REMINDER_BEFORE", "reseller"),
}


def purchase_order_remind(*, purchase_order_id: int, kind: str, now: datetime | None = None) -> PurchaseOrder | None:
    """Send the ``kind`` reminder once, if the PO is still waiting and its deadline is near."""
    from ..selectors import reminder_lead

    now = _now(now)
    status, deadline_field, reminded_field, _setting, to = REMINDERS[kind]
    with transaction.atomic():
        po = _lock(purchase_order_id)
        deadline = getattr(po, deadline_field)
        if po.status != status or getattr(po, reminded_field) is not None or deadline is None:
            return None
        if not (deadline - reminder_lead(kind) <= now < deadline):
            return None
        setattr(po, reminded_field, now)
        po.save(update_fields=[reminded_field, "updated_at"])
        texts_by_kind = {"pay": K.REMINDER_PAY, "ship": K.REMINDER_SHIP, "confirm": K.REMINDER_CONFIRM}
        text = texts_by_kind[kind](number=po.number, when=texts.When(deadline))
        _notify(po, to=to, kind=f"purchase_order.reminder_{kind}", text=text, email=True)
    return po
