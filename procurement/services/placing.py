"""Placing purchase orders: one PO, or a cart split into one PO per supplier (R10–R12)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Penalty
from distribution.core.audit import audit
from distribution.core.errors import DomainError, InvalidState, ValidationFailed
from distribution.core.money import ZERO, money
from resellers.models import Reseller
from suppliers.models import SKU, CooperationTerms, Partnership, Product, Supplier
from suppliers.pricing import tier_supply_price

from ..addresses import (  # noqa: F401 (re-exported: services are the writes' entry point)
    address_clean,
    saved_address_create,
    saved_address_delete,
)
from ..exceptions import MixedSuppliers, NoPartnership, OrderingSuspended, PriceOutOfRange
from ..models import PO_NUMBER_SEQUENCE, PurchaseOrder, PurchaseOrderLine
from ._base import (
    _already_message,
    _lock,
    _notify,
    _now,
    _record,
    _reserve,
)
from .lifecycle import _pay_locked

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


