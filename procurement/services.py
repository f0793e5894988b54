"""Every write on purchase orders: placing, paying, shipping, cancelling, confirming, disputes, timers.

Each public service is one ``transaction.atomic`` block. Services that change an
existing PO lock its row first (``select_for_update``), re-check its state and turn a
refused transition into ``InvalidState`` ("This purchase order was already paid."),
so a double click, a timer and a user racing on one PO make exactly one transition
and one ledger movement. Stock is moved with conditional ``UPDATE`` statements in
SKU primary-key order, so available stock never goes below zero. Money moves only
through ``settlement.services`` with the PO number as the reference.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.models import Organisation, Penalty
from accounts.services import notify_organisation
from distribution.core.audit import audit
from distribution.core.email import send_email
from distribution.core.errors import DomainError, InvalidState, ValidationFailed
from distribution.core.money import ZERO, money
from resellers.models import Reseller
from suppliers.models import SKU, CooperationTerms, Partnership, Product, Supplier
from suppliers.pricing import tier_supply_price

from . import hooks
from .addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from .exceptions import InsufficientStock, MixedSuppliers, NoPartnership, OrderingSuspended, PriceOutOfRange
from .models import PO_NUMBER_SEQUENCE, PurchaseOrder, PurchaseOrderLine, PurchaseOrderTransition

Status = PurchaseOrder.Status
SYSTEM = "system"


# --- helpers ---------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return SYSTEM
    return getattr(actor, "display_name", None) or str(actor)


def _already_message(po: PurchaseOrder) -> str:
    messages = {
        Status.AWAITING_PAYMENT: _("This purchase order has not been paid yet."),
        Status.PAID: _("This purchase order was already paid."),
        Status.SHIPPED: _("This purchase order was already shipped."),
        Status.COMPLETED: _("This purchase order was already completed."),
        Status.CLOSED: _("This purchase order was already closed."),
        Status.REFUNDED: _("This purchase order was already refunded."),
        Status.DISPUTED: _("This purchase order is in dispute."),
        Status.PARTIALLY_REFUNDED: _("This purchase order was already settled."),
    }
    return messages.get(po.status, _("This action is not possible in the current state."))


def _lock(purchase_order: PurchaseOrder | int) -> PurchaseOrder:
    pk = purchase_order.pk if isinstance(purchase_order, PurchaseOrder) else purchase_order
    return (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "reseller__organisation").get(pk=pk)
    )


def _expect(po: PurchaseOrder, *statuses: str) -> None:
    if po.status not in statuses:
        raise InvalidState(_already_message(po))


def _fire(po: PurchaseOrder, method: str, **kwargs: Any) -> str:
    """Run transition ``method``; return the state it left. A refused transition is ``InvalidState``."""
    from_status = po.status
    try:
        getattr(po, method)(**kwargs)
    except TransitionNotAllowed as exc:
        raise InvalidState(_already_message(po)) from exc
    return from_status


def _record(po: PurchaseOrder, *, actor, from_status: str, now: datetime, reason: str = "") -> PurchaseOrderTransition:
    audit(
        actor=actor,
        action=f"purchase_order.{po.status}",
        obj=po,
        organisation=getattr(getattr(actor, "membership", None), "organisation", None) or po.reseller.organisation,
        summary=f"{po.number}: {from_status or '—'} → {po.status}",
        data={"reason": reason} if reason else {},
    )
    pk, to_status = po.pk, po.status
    transaction.on_commit(lambda: hooks.emit(purchase_order_id=pk, from_status=from_status, to_status=to_status))
    transition = PurchaseOrderTransition.objects.create(
        purchase_order=po,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor)[:200],
        from_status=from_status,
        to_status=po.status,
        reason=reason[:500],
        created_at=now,
    )
    from distribution.api.webhooks import emit_purchase_order_event  # webhooks: recorded here, sent on commit

    emit_purchase_order_event(po, now=now)
    return transition


def reseller_url(po: PurchaseOrder) -> str:
    return reverse("procurement:reseller_po_detail", args=[po.number])


def supplier_url(po: PurchaseOrder) -> str:
    return reverse("procurement:supplier_po_detail", args=[po.number])


def _notify(po: PurchaseOrder, *, to: str, kind: str, title: str, body: str = "", email: bool = False) -> None:
    organisation = po.reseller.organisation if to == "reseller" else po.supplier.organisation
    url = reseller_url(po) if to == "reseller" else supplier_url(po)
    notify_organisation(organisation=organisation, kind=kind, title=title, body=body, url=url)
    if email:
        transaction.on_commit(lambda: _send_email(organisation, title, f"{body}\n\n{settings.SITE_URL}{url}"))


def _send_email(organisation: Organisation, subject: str, body: str) -> None:
    from django.contrib.auth import get_user_model

    recipients = list(
        get_user_model().objects.filter(membership__organisation=organisation, is_active=True).values_list("email", flat=True)
    )
    if organisation.email and organisation.email not in recipients:
        recipients.append(organisation.email)
    send_email(to=recipients, subject=subject, body=body)


# --- stock -----------------------------------------------------------------------------


def _reserve(quantities: dict[int, int], *, now: datetime) -> None:
    """Reserve each SKU's quantity, in pk order, only where enough is available."""
    for sku_id in sorted(quantities):
        quantity = quantities[sku_id]
        updated = SKU.objects.filter(pk=sku_id, on_hand__gte=F("reserved") + quantity).update(
            reserved=F("reserved") + quantity, updated_at=now
        )
        if not updated:
            sku = SKU.objects.only("code", "on_hand", "reserved").get(pk=sku_id)
            raise InsufficientStock(
                _("Not enough stock of %(code)s: %(available)s available, %(wanted)s wanted.")
                % {"code": sku.code, "available": max(sku.available, 0), "wanted": quantity},
                field="lines",
            )
    _stock_changed(list(quantities), changes={"reserved"}, now=now)


def _stock_changed(sku_ids: list[int], *, changes: set[str], now: datetime) -> None:
    """``product.updated`` webhooks for SKUs whose available stock moved (queued on commit)."""
    from distribution.api.webhooks import emit_product_updated

    for sku in SKU.objects.filter(pk__in=sku_ids).order_by("pk"):
        emit_product_updated(sku=sku, changes=changes, now=now)


def _lines_quantities(po: PurchaseOrder) -> dict[int, int]:
    return dict(po.lines.values_list("sku_id", "quantity"))


def _release(po: PurchaseOrder, *, now: datetime) -> None:
    for sku_id, quantity in sorted(_lines_quantities(po).items()):
        SKU.objects.filter(pk=sku_id).update(reserved=F("reserved") - quantity, updated_at=now)
    _stock_changed(list(_lines_quantities(po)), changes={"reserved"}, now=now)


def _dispatch(po: PurchaseOrder, *, now: datetime) -> None:
    """Shipping turns the reservation into an on-hand decrement."""
    for sku_id, quantity in sorted(_lines_quantities(po).items()):
        SKU.objects.filter(pk=sku_id).update(on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity, updated_at=now)
    _stock_changed(list(_lines_quantities(po)), changes={"on_hand", "reserved"}, now=now)


# --- addresses -------------------------------------------------------------------------


def purchase_order_update_address(*, actor, purchase_order: PurchaseOrder, address: dict[str, Any], now=None) -> PurchaseOrder:
    """Correct the consumer address until the PO ships; the supplier is told."""
    now = _now(now)
    data = address_clean(address)
    with transaction.atomic():
        po = _lock(purchase_order)
        if not po.address_editable:
            raise InvalidState(_("The address can no longer be changed: %(state)s") % {"state": _already_message(po)})
        for name, value in data.items():
            setattr(po, name, value)
        po.address_changed_at = now
        po.save()
        audit(actor=actor, action="purchase_order.address_changed", obj=po, summary=po.number, data=data)
        _notify(
            po,
            to="supplier",
            kind="purchase_order.address_changed",
            title=_("Purchase order %(number)s: shipping address changed") % {"number": po.number},
            body=f"{po.recipient} {po.mobile} {po.address_line} {po.postal_code}",
        )
    return po


def reseller_auto_pay_set(*, actor, reseller: Reseller, enabled: bool) -> Reseller:
    with transaction.atomic():
        Reseller.objects.filter(pk=reseller.pk).update(auto_pay=enabled, updated_at=timezone.now())
        reseller.auto_pay = enabled
        audit(actor=actor, action="reseller.auto_pay", obj=reseller, organisation=reseller.organisation, data={"enabled": enabled})
    return reseller


# --- placing ---------------------------------------------------------------------------


def _live_partnership(*, reseller: Reseller, supplier: Supplier, now: datetime) -> Partnership:
    partnership = Partnership.objects.select_related("tier").live(now).filter(reseller=reseller, supplier=supplier).first()
    if partnership is None:
        raise NoPartnership(_("You have no active partnership with %(supplier)s.") % {"supplier": supplier.company_name}, field="lines")
    return partnership


def _check_may_order(reseller: Reseller, now: datetime) -> None:
    if Penalty.objects.suspending_ordering(now).filter(organisation_id=reseller.pk).exists():
        raise OrderingSuspended()


def _sku_id(line: dict[str, Any]) -> Any:
    sku = line.get("sku", line.get("sku_id"))
    return sku.pk if isinstance(sku, SKU) else sku


def _parse_lines(lines: list[dict[str, Any]]) -> list[tuple[int, int, Decimal]]:
    """(sku_id, quantity, retail_price) per line, with field-named errors."""
    if not lines:
        raise ValidationFailed(_("Add at least one SKU."), field="lines")
    parsed: list[tuple[int, int, Decimal]] = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        try:
            sku_id = int(_sku_id(line))
        except (TypeError, ValueError):
            raise ValidationFailed(_("Choose a SKU."), field=f"lines.{i}.sku_id") from None
        if sku_id in seen:
            raise ValidationFailed(_("This SKU is already on the order; change its quantity instead."), field=f"lines.{i}.sku_id")
        seen.add(sku_id)
        try:
            quantity = int(line.get("quantity"))
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a whole number."), field=f"lines.{i}.quantity") from None
        if quantity < 1:
            raise ValidationFailed(_("The quantity must be at least 1."), field=f"lines.{i}.quantity")
        raw_price = line.get("retail_price")
        if isinstance(raw_price, float):
            raw_price = str(raw_price)
        try:
            retail_price = money(raw_price)
        except (TypeError, ValueError, InvalidOperation):
            raise ValidationFailed(_("Enter the retail price you sold at."), field=f"lines.{i}.retail_price") from None
        parsed.append((sku_id, quantity, retail_price))
    return parsed


def _next_number(now: datetime) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [PO_NUMBER_SEQUENCE])
        (value,) = cursor.fetchone()
    return f"PO{timezone.localtime(now):%Y%m%d}-{value:06d}"


def _place_locked(
    *,
    actor,
    reseller: Reseller,
    supplier: Supplier,
    parsed: list[tuple[int, int, Decimal]],
    positions: list[int],
    consumer_order_ref: str,
    address: dict[str, str],
    note: str,
    now: datetime,
) -> PurchaseOrder:
    if not supplier.is_active or Penalty.objects.suspending_listing(now).filter(organisation_id=supplier.pk).exists():
        raise DomainError(_("%(supplier)s is not taking orders.") % {"supplier": supplier.company_name}, code="supplier_inactive")
    partnership = _live_partnership(reseller=reseller, supplier=supplier, now=now)
    skus = SKU.objects.select_related("product").in_bulk([sku_id for sku_id, _q, _p in parsed])
    priced: list[tuple[SKU, int, Decimal, Decimal]] = []
    for position, (sku_id, quantity, retail_price) in zip(positions, parsed, strict=True):
        sku = skus.get(sku_id)
        field = f"lines.{position}"
        if sku is None:
            raise ValidationFailed(_("This SKU does not exist."), field=f"{field}.sku_id")
        if sku.supplier_id != supplier.pk:
            raise MixedSuppliers(
                _("%(code)s is not a product of %(supplier)s; a purchase order holds one supplier's SKUs.")
                % {"code": sku.code, "supplier": supplier.company_name},
                field=f"{field}.sku_id",
            )
        if sku.product.status != Product.Status.LISTED or not sku.is_active:
            raise ValidationFailed(_("%(code)s is not available for distribution.") % {"code": sku.code}, field=f"{field}.sku_id")
        if not (sku.min_retail_amount <= retail_price <= sku.max_retail_amount):
            raise PriceOutOfRange(
                _("The retail price of %(code)s must be between %(min)s and %(max)s.")
                % {"code": sku.code, "min": sku.min_retail_amount, "max": sku.max_retail_amount},
                field=f"{field}.retail_price",
            )
        unit_price = tier_supply_price(sku.supply_price_amount, partnership.tier.discount_percent)
        priced.append((sku, quantity, unit_price, retail_price))

    _reserve({sku.pk: quantity for sku, quantity, _u, _r in priced}, now=now)

    goods = sum((money(unit * quantity) for _s, quantity, unit, _r in priced), ZERO)
    terms = CooperationTerms.objects.filter(supplier=supplier).only("shipping_fee_amount").first()
    shipping = money(terms.shipping_fee_amount) if terms else ZERO
    po = PurchaseOrder.objects.create(
        number=_next_number(now),
        supplier=supplier,
        reseller=reseller,
        placed_by=actor if getattr(actor, "pk", None) else None,
        consumer_order_ref=consumer_order_ref.strip()[:64],
        note=note.strip()[:500],
        goods_amount=goods,
        shipping_amount=shipping,
        total_amount=goods + shipping,
        placed_at=now,
        pay_by=now + settings.PO_PAY_WITHIN,
        **address,
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=po,
                sku=sku,
                code=sku.code,
                title=(sku.product.approved_title or sku.product.title)[:300],
                quantity=quantity,
                unit_price=unit,
                retail_price=retail,
                line_amount=money(unit * quantity),
            )
            for sku, quantity, unit, retail in priced
        ]
    )
    _record(po, actor=actor, from_status="", now=now)
    _notify(
        po,
        to="supplier",
        kind="purchase_order.placed",
        title=_("New purchase order %(number)s from %(reseller)s (awaiting payment)") % {"number": po.number, "reseller": reseller.name},
    )
    return po


def _auto_pay(po: PurchaseOrder, *, actor, now: datetime) -> PurchaseOrder:
    """Pay a just-placed PO from the wallet if auto-pay is on and the balance covers it.

    Runs in a savepoint: if the balance fell meanwhile (another payment), the PO stays
    placed and unpaid and the reseller is told why; placing never fails for auto-pay.
    """
    from settlement.exceptions import InsufficientBalance
    from settlement.services import wallet_balance

    if not po.reseller.auto_pay:
        return po
    balance = wallet_balance(po.reseller.organisation)
    if balance >= po.total_amount:
        try:
            with transaction.atomic():
                return _pay_locked(_lock(po), actor=actor, now=now)
        except InsufficientBalance:
            balance = wallet_balance(po.reseller.organisation)
            po = _lock(po)
    _notify(
        po,
        to="reseller",
        kind="purchase_order.auto_pay_failed",
        title=_("Purchase order %(number)s was not paid automatically") % {"number": po.number},
        body=_("Your wallet balance %(balance)s does not cover the total %(total)s. Top up and pay by %(pay_by)s.")
        % {"balance": balance, "total": po.total_amount, "pay_by": timezone.localtime(po.pay_by).strftime("%Y-%m-%d %H:%M")},
    )
    return po


def _validate_ref(consumer_order_ref: str) -> None:
    if not (consumer_order_ref or "").strip():
        raise ValidationFailed(_("Enter the consumer's order number from your shop."), field="consumer_order_ref")
    if len(consumer_order_ref.strip()) > 64:
        raise ValidationFailed(_("64 characters at most."), field="consumer_order_ref")


def purchase_order_place(
    *,
    actor,
    reseller: Reseller,
    supplier: Supplier,
    lines: list[dict[str, Any]],
    consumer_order_ref: str,
    address: dict[str, Any],
    note: str = "",
    now: datetime | None = None,
) -> PurchaseOrder:
    """Place one PO (R10–R12): guards, price snapshot, stock reservation, optional auto-pay.

    All or nothing. Lines are ``{"sku": SKU | id (or "sku_id"), "quantity", "retail_price"}``.
    Raises ``no_partnership``, ``mixed_suppliers``, ``price_out_of_range``,
    ``insufficient_stock``, ``validation_error`` (with ``field``), ``ordering_suspended``.
    """
    now = _now(now)
    _validate_ref(consumer_order_ref)
    cleaned = address_clean(address)
    parsed = _parse_lines(lines)
    with transaction.atomic():
        _check_may_order(reseller, now)
        po = _place_locked(
            actor=actor,
            reseller=reseller,
            supplier=supplier,
            parsed=parsed,
            positions=list(range(len(parsed))),
            consumer_order_ref=consumer_order_ref,
            address=cleaned,
            note=note,
            now=now,
        )
        po = _auto_pay(po, actor=actor, now=now)
    return po


def purchase_orders_place_cart(
    *,
    actor,
    reseller: Reseller,
    lines: list[dict[str, Any]],
    consumer_order_ref: str,
    address: dict[str, Any],
    note: str = "",
    now: datetime | None = None,
) -> list[PurchaseOrder]:
    """A cart of several suppliers' SKUs: one PO per supplier, all placed in one transaction or none."""
    now = _now(now)
    _validate_ref(consumer_order_ref)
    cleaned = address_clean(address)
    parsed = _parse_lines(lines)
    supplier_of = dict(SKU.objects.filter(pk__in=[p[0] for p in parsed]).values_list("pk", "supplier_id"))
    groups: OrderedDict[int, list[int]] = OrderedDict()
    for position, (sku_id, _q, _p) in enumerate(parsed):
        if sku_id not in supplier_of:
            raise ValidationFailed(_("This SKU does not exist."), field=f"lines.{position}.sku_id")
        groups.setdefault(supplier_of[sku_id], []).append(position)
    suppliers = Supplier.objects.in_bulk(list(groups))
    placed: list[PurchaseOrder] = []
    with transaction.atomic():
        _check_may_order(reseller, now)
        for supplier_id in sorted(groups):
            positions = groups[supplier_id]
            placed.append(
                _place_locked(
                    actor=actor,
                    reseller=reseller,
                    supplier=suppliers[supplier_id],
                    parsed=[parsed[p] for p in positions],
                    positions=positions,
                    consumer_order_ref=consumer_order_ref,
                    address=cleaned,
                    note=note,
                    now=now,
                )
            )
        placed = [_auto_pay(po, actor=actor, now=now) for po in placed]
    return placed


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
    )
    po.save()
    _record(po, actor=actor, from_status=from_status, now=now)
    _notify(
        po,
        to="supplier",
        kind="purchase_order.paid",
        title=_("Purchase order %(number)s is paid: please ship by %(ship_by)s")
        % {"number": po.number, "ship_by": timezone.localtime(po.ship_by).strftime("%Y-%m-%d %H:%M")},
    )
    return po


def purchase_order_pay(*, actor, purchase_order: PurchaseOrder, now: datetime | None = None) -> PurchaseOrder:
    """Reseller pays from its wallet into escrow. Raises ``insufficient_balance`` or ``invalid_state``."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order)
        return _pay_locked(po, actor=actor, now=now)


def _close_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str) -> PurchaseOrder:
    from_status = _fire(po, "close", now=now, reason=reason)
    _release(po, now=now)
    po.save()
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    return po


def purchase_order_cancel(*, actor, purchase_order: PurchaseOrder, reason: str = "", now: datetime | None = None) -> PurchaseOrder:
    """Reseller cancels an unpaid PO: closed, stock released."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.AWAITING_PAYMENT)
        _close_locked(po, actor=actor, now=now, reason=reason or _("Cancelled by the reseller."))
        _notify(
            po,
            to="supplier",
            kind="purchase_order.closed",
            title=_("Purchase order %(number)s was cancelled by the reseller") % {"number": po.number},
        )
    return po


def purchase_order_close_unpaid(*, purchase_order_id: int, now: datetime | None = None) -> PurchaseOrder | None:
    """Timer R9: close a PO still unpaid at ``pay_by``. Returns ``None`` when there was nothing to do."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order_id)
        if po.status != Status.AWAITING_PAYMENT or now < po.pay_by:
            return None
        _close_locked(po, actor=None, now=now, reason=_("Not paid within %(days)s days (R9).") % {"days": settings.PO_PAY_WITHIN.days})
        for to in ("reseller", "supplier"):
            _notify(po, to=to, kind="purchase_order.closed", title=_("Purchase order %(number)s was closed unpaid") % {"number": po.number})
    return po


# --- shipping, refunds -----------------------------------------------------------------


def purchase_order_ship(
    *, actor, purchase_order: PurchaseOrder, carrier: str, tracking_number: str, now: datetime | None = None
) -> PurchaseOrder:
    """Supplier ships a paid PO: stock leaves on-hand, the 30-day auto-confirm starts."""
    now = _now(now)
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier:
        raise ValidationFailed(_("Enter the carrier."), field="carrier")
    if not tracking_number:
        raise ValidationFailed(_("Enter the tracking number."), field="tracking_number")
    if len(carrier) > 50 or len(tracking_number) > 50:
        raise ValidationFailed(_("50 characters at most."), field="carrier" if len(carrier) > 50 else "tracking_number")
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.PAID)
        if po.ship_by and now >= po.ship_by:
            raise InvalidState(_("The shipping deadline has passed; this purchase order is being refunded."))
        po.carrier, po.tracking_number = carrier, tracking_number
        from_status = _fire(po, "ship", now=now)
        _dispatch(po, now=now)
        po.save()
        _record(po, actor=actor, from_status=from_status, now=now, reason=f"{carrier} {tracking_number}")
        _notify(
            po,
            to="reseller",
            kind="purchase_order.shipped",
            title=_("Purchase order %(number)s shipped: %(carrier)s %(tracking)s")
            % {"number": po.number, "carrier": carrier, "tracking": tracking_number},
        )
    return po


def _refund_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str) -> PurchaseOrder:
    from settlement.services import escrow_refund

    from_status = _fire(po, "refund", now=now, reason=reason)
    _release(po, now=now)
    escrow_refund(reference=po.number, actor=actor, memo=reason)
    po.save()
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    return po


def purchase_order_supplier_cancel(*, actor, purchase_order: PurchaseOrder, reason: str, now: datetime | None = None) -> PurchaseOrder:
    """Supplier cannot ship (R13): paid → refunded with a reason; stock released, money back to the reseller."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the reseller why you cannot ship."), field="reason")
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.PAID)
        _refund_locked(po, actor=actor, now=now, reason=reason[:500])
        _notify(
            po,
            to="reseller",
            kind="purchase_order.refunded",
            title=_("Purchase order %(number)s was cancelled by the supplier and refunded") % {"number": po.number},
            body=reason,
            email=True,
        )
    return po


def purchase_order_refund_unshipped(*, purchase_order_id: int, now: datetime | None = None) -> PurchaseOrder | None:
    """Timer R14: refund a PO still unshipped at ``ship_by``. ``None`` when there was nothing to do."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order_id)
        if po.status != Status.PAID or po.ship_by is None or now < po.ship_by:
            return None
        _refund_locked(
            po, actor=None, now=now, reason=_("Not shipped within %(days)s days of payment (R14).") % {"days": settings.PO_SHIP_WITHIN.days}
        )
        for to in ("reseller", "supplier"):
            _notify(
                po,
                to=to,
                kind="purchase_order.refunded",
                title=_("Purchase order %(number)s was refunded: not shipped in time") % {"number": po.number},
            )
    return po


# --- completion ------------------------------------------------------------------------


def _complete_locked(po: PurchaseOrder, *, actor, now: datetime, reason: str = "") -> PurchaseOrder:
    from settlement.services import escrow_release

    from_status = _fire(po, "complete", now=now)
    escrow_release(reference=po.number, commission_rate=po.supplier.commission_rate, actor=actor, memo=reason)
    po.save()
    _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    _notify(
        po,
        to="supplier",
        kind="purchase_order.completed",
        title=_("Purchase order %(number)s completed: payment released") % {"number": po.number},
    )
    return po


def purchase_order_confirm_receipt(*, actor, purchase_order: PurchaseOrder, now: datetime | None = None) -> PurchaseOrder:
    """Reseller confirms receipt: shipped → completed, escrow released to the supplier (less commission)."""
    now = _now(now)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.SHIPPED)
        return _complete_locked(po, actor=actor, now=now, reason=_("Receipt confirmed by the reseller."))


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
            reason=_("Confirmed automatically %(days)s days after shipping (R16).") % {"days": settings.PO_CONFIRM_WITHIN.days},
        )
        _notify(
            po,
            to="reseller",
            kind="purchase_order.completed",
            title=_("Purchase order %(number)s was confirmed automatically") % {"number": po.number},
        )
    return po


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
                title=_("Purchase order %(number)s is in dispute") % {"number": po.number},
                body=reason,
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
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason or _("Dispute withdrawn."))
        if notify:
            _notify(
                po,
                to="supplier",
                kind="purchase_order.dispute_withdrawn",
                title=_("The dispute on purchase order %(number)s was withdrawn") % {"number": po.number},
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
    """disputed → completed / refunded / partially_refunded; the two amounts must add up to the total."""
    from settlement.services import escrow_refund, escrow_release, escrow_split

    now = _now(now)
    refund_amount, release_amount = money(refund_amount), money(release_amount)
    with transaction.atomic():
        po = _lock(purchase_order)
        _expect(po, Status.DISPUTED)
        if not po.settlement_adds_up(refund_amount, release_amount):
            raise ValidationFailed(
                _("The refund and the release must add up to the total %(total)s.") % {"total": po.total_amount},
                field="refund_amount",
            )
        if release_amount == po.total_amount:
            from_status = _fire(po, "settle_release", now=now)
            escrow_release(reference=po.number, commission_rate=po.supplier.commission_rate, actor=actor, memo=reason)
        elif refund_amount == po.total_amount:
            from_status = _fire(po, "settle_refund", now=now)
            escrow_refund(reference=po.number, actor=actor, memo=reason)
        else:
            from_status = _fire(po, "settle_partially", now=now, refund_amount=refund_amount)
            escrow_split(
                reference=po.number, refund_amount=refund_amount, release_amount=release_amount,
                commission_rate=po.supplier.commission_rate, actor=actor, memo=reason,
            )
        po.save()
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason or f"refund {refund_amount} / release {release_amount}")
        for to in ("reseller", "supplier") if notify else ():
            _notify(
                po,
                to=to,
                kind="purchase_order.dispute_settled",
                title=_("The dispute on purchase order %(number)s was settled") % {"number": po.number},
                body=reason,
            )
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
    from .selectors import reminder_lead

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
        when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        titles = {
            "pay": _("Pay purchase order %(number)s by %(when)s or it will be closed"),
            "ship": _("Ship purchase order %(number)s by %(when)s or it will be refunded"),
            "confirm": _("Purchase order %(number)s will be confirmed automatically on %(when)s"),
        }
        title = titles[kind] % {"number": po.number, "when": when}
        _notify(po, to=to, kind=f"purchase_order.reminder_{kind}", title=title, body=title, email=True)
    return po
