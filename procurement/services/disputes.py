"""The PO side of disputes: open, withdraw, settle (the disputes app builds on these)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from distribution.core import texts
from distribution.core.errors import InvalidState, ValidationFailed
from distribution.core.money import money

from .. import text_kinds as K
from ..addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from ..models import PurchaseOrder
from ._base import (
    Status,
    _expect,
    _fire,
    _lock,
    _notify,
    _now,
    _record,
)

# --- disputes (the disputes app builds on these) ---------------------------------------


def purchase_order_dispute_open(
    *, actor, purchase_order: PurchaseOrder, reason: str = "", now: datetime | None = None, notify: bool = True
) -> PurchaseOrder:
    """shipped → disputed before ``dispute_until``; keeps the auto-confirm time left in ``confirm_remaining``.

    ``notify=False`` when the caller (the disputes app) sends its own notifications."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.SHIPPED)
        if not po.dispute_window_open(now):
            raise InvalidState(_("The dispute period of this purchase order has ended."))
        from_status = _fire(po, "open_dispute", now=now)
        po.save()
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
        for to in ("reseller", "supplier") if notify else ():
            _notify(
                po,
                to=to,
                kind="purchase_order.disputed",
                text=K.DISPUTED(number=po.number, reason=reason),
            )
    return po


def purchase_order_dispute_withdraw(
    *, actor, purchase_order: PurchaseOrder, reason: str = "", now: datetime | None = None, notify: bool = True
) -> PurchaseOrder:
    """disputed → shipped; auto-confirm resumes with the time it had left."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.DISPUTED)
        from_status = _fire(po, "withdraw_dispute", now=now)
        po.save()
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason or K.REASON_DISPUTE_WITHDRAWN())
        if notify:
            _notify(
                po,
                to="supplier",
                kind="purchase_order.dispute_withdrawn",
                text=K.DISPUTE_WITHDRAWN(number=po.number),
            )
    return po


def purchase_order_dispute_settle(
    *,
    actor,
    purchase_order: PurchaseOrder,
    refund_amount: Decimal,
    release_amount: Decimal,
    reason: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> PurchaseOrder:
    """disputed → completed / refunded / partially_refunded; the two amounts must add up to what is
    in question (the total less what was refunded before, e.g. goods not shipped in time).

    The refund comes out of escrow. If escrow no longer holds it (the supplier was paid already),
    the rest comes from the supplier as an after-sales refund does (``refund_from_supplier``:
    its wallet, and what the wallet lacks becomes a receivable taken from its next releases)."""
    from settlement.models import JournalTransaction
    from settlement.services import escrow_held, escrow_refund, escrow_release, escrow_split, refund_from_supplier

    now = _now(now)
    refund_amount, release_amount = money(refund_amount), money(release_amount)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.DISPUTED)
        if not po.settlement_adds_up(refund_amount, release_amount):
            raise ValidationFailed(
                _("The refund and the release must add up to the total %(total)s.") % {"total": po.in_question},
                field="refund_amount",
            )
        in_question = po.in_question
        held = escrow_held(po.number)
        from_escrow = min(refund_amount, held)
        if release_amount == in_question:
            from_status = _fire(po, "settle_release", now=now)
        elif refund_amount == in_question:
            from_status = _fire(po, "settle_refund", now=now)
        else:
            from_status = _fire(po, "settle_partially", now=now, refund_amount=refund_amount)
        rate = po.supplier.commission_rate
        if held and from_escrow == 0:
            escrow_release(reference=po.number, commission_rate=rate, actor=actor, memo=reason)
        elif held and from_escrow == held:
            escrow_refund(reference=po.number, actor=actor, memo=reason)
        elif held:
            escrow_split(
                reference=po.number, refund_amount=from_escrow, release_amount=held - from_escrow,
                commission_rate=rate, actor=actor, memo=reason,
            )  # fmt: skip
        if refund_amount > from_escrow:
            refund_from_supplier(
                reference=po.number,
                key=f"dispute:{po.number}:refund",
                supplier=po.supplier.organisation,
                reseller=po.reseller.organisation,
                amount=refund_amount - from_escrow,
                actor=actor,
                memo=reason,
                kind=JournalTransaction.Kind.DISPUTE_SETTLEMENT,
            )
        po.save()
        split = K.REASON_SPLIT(refund=texts.Money(refund_amount), release=texts.Money(release_amount))
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason or split)
        for to in ("reseller", "supplier") if notify else ():
            _notify(
                po,
                to=to,
                kind="purchase_order.dispute_settled",
                text=K.DISPUTE_SETTLED(number=po.number, reason=reason),
            )
    return po


