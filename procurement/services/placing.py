"""Placing purchase orders: one PO, or a cart split into one PO per supplier (R10–R12)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Penalty
from distribution.core import inserts, outbox, texts
from distribution.core.audit import audit, audit_batch
from distribution.core.errors import DomainError, InvalidState, ValidationFailed
from distribution.core.inserts import insert_rows
from distribution.core.money import money
from resellers.models import Reseller
from suppliers.models import SKU, CooperationTerms, Partnership, Product, Supplier
from suppliers.pricing import tier_supply_price
from suppliers.terms import OrderTerms, guard_annotations

from .. import text_kinds as K
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
    _stock_changed,
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
            text=K.ADDRESS_CHANGED(number=po.number, address=f"{po.recipient} {po.mobile} {po.address_line} {po.postal_code}"),
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


def _guard_queryset(*, reseller_id: int, sku_ids: list[int], now: datetime):
    """The guard query (see ``_guarded_skus``) as a queryset: the single source of its rules."""
    from django.db.models import Exists, F, OuterRef, Subquery
    from django.db.models.expressions import RawSQL

    from suppliers.selectors.partnerships import supplier_recipients_array

    live = Partnership.objects.live(now).filter(reseller_id=reseller_id, supplier_id=OuterRef("supplier_id"))
    return (
        SKU.objects.filter(pk__in=sku_ids)
        .order_by()
        .annotate(
            product_status=F("product__status"),
            product_title=F("product__title"),
            product_approved_title=F("product__approved_title"),
            supplier_status=F("supplier__status"),
            supplier_company_name=F("supplier__company_name"),
            partnership_id=Subquery(live.values("pk")[:1]),
            tier_discount=Subquery(live.values("tier__discount_percent")[:1]),
            shipping_fee=Subquery(CooperationTerms.objects.filter(supplier_id=OuterRef("supplier_id")).values("shipping_fee_amount")[:1]),
            supplier_sanctioned=Exists(Penalty.objects.suspending_listing(now).filter(organisation_id=OuterRef("supplier_id"))),
            ordering_suspended=Exists(Penalty.objects.suspending_ordering(now).filter(organisation_id=reseller_id)),
            # the notification's recipients (a key account's: its manager and the owners)
            supplier_member_ids=supplier_recipients_array("suppliers_sku.supplier_id", reseller_id=reseller_id),
            po_sequence=RawSQL("nextval(%s)", [PO_NUMBER_SEQUENCE]),
        )
        .annotate(**guard_annotations(reseller_id=reseller_id, now=now))  # commercial terms (suppliers/terms.py)
    )


# Compiling the guard query costs more CPU than running it, so it is compiled once per number
# of SKUs with marker values, and run with the markers replaced by the request's values.
_RESELLER_MARK = -7_310_000_001
_NOW_MARK = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_SKU_MARK = -7_320_000_000
_compiled_guards: dict[int, _CompiledGuard] = {}


@dataclass(frozen=True)
class _CompiledGuard:
    """The guard query's SQL with marker parameters, and how to turn its rows into SKUs:
    the model's columns first (``attnames``, with their ``converters``, as ``SKU.objects.raw``
    would apply them), then the annotations (``extras``), as plain attributes."""

    sql: str
    template: tuple
    attnames: list[str]
    extras: list[str]
    converters: list[tuple[int, tuple[list, Any]]]


def _compiled_guard(count: int) -> _CompiledGuard:
    compiled = _compiled_guards.get(count)
    if compiled is None:
        marks = [_SKU_MARK - i for i in range(count)]
        query = _guard_queryset(reseller_id=_RESELLER_MARK, sku_ids=marks, now=_NOW_MARK).query
        sql, template = query.sql_with_params()
        compiler = query.get_compiler("default")
        compiler.setup_query()
        columns = compiler.klass_info["select_fields"]  # the model's columns, in concrete-field order
        assert columns == list(range(len(columns))), columns
        extras = sorted(compiler.annotation_col_map, key=compiler.annotation_col_map.get)
        assert [compiler.annotation_col_map[name] for name in extras] == list(range(len(columns), len(compiler.select)))
        fields = [compiler.select[i][0].target for i in columns]
        converters = list(compiler.get_converters([compiler.select[i][0] for i in columns]).items())
        compiled = _CompiledGuard(sql, template, [f.attname for f in fields], extras, converters)
        _compiled_guards[count] = compiled
    return compiled


def _guarded_skus(*, reseller: Reseller, sku_ids: list[int], now: datetime) -> dict[int, SKU]:
    """The ordered SKUs with everything the guards and the PO need, in ONE query.

    Each SKU carries, as attributes: its product's status and titles, its supplier's status
    and name (``sku.guard_supplier``, a Supplier with those fields), the reseller's live
    partnership with that supplier (id and tier discount), the supplier's shipping fee,
    whether a listing sanction is in force against the supplier, whether the reseller is
    suspended from ordering, the ids of the supplier's active members (the notification's
    recipients) and a fresh PO number from the sequence.
    """
    guard = _compiled_guard(len(sku_ids))
    by_mark = {_RESELLER_MARK: reseller.pk, _NOW_MARK: now, **{_SKU_MARK - i: sku_id for i, sku_id in enumerate(sku_ids)}}
    params = [by_mark.get(value, value) if type(value) in (int, datetime) else value for value in guard.template]
    with connection.cursor() as cursor:
        cursor.execute(guard.sql, params)
        rows = cursor.fetchall()
    width = len(guard.attnames)
    skus: dict[int, SKU] = {}
    for row in rows:  # what SKU.objects.raw() does, without its per-call column mapping
        values = list(row[:width])
        for i, (converters, expression) in guard.converters:
            for converter in converters:
                values[i] = converter(values[i], expression, connection)
        sku = SKU.from_db("default", guard.attnames, values)
        sku.__dict__.update(zip(guard.extras, row[width:], strict=True))
        skus[sku.pk] = sku
    suppliers: dict[int, Supplier] = {}
    for sku in skus.values():
        supplier = suppliers.get(sku.supplier_id)
        if supplier is None:
            known = {"organisation_id": sku.supplier_id, "status": sku.supplier_status, "company_name": sku.supplier_company_name}
            names = [f.attname for f in Supplier._meta.concrete_fields if f.attname in known]  # from_db wants model order
            supplier = Supplier.from_db("default", names, [known[name] for name in names])
            suppliers[sku.supplier_id] = supplier
        sku.guard_supplier = supplier
    return skus


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


def _number(now: datetime, value: int) -> str:
    return f"PO{timezone.localtime(now):%Y%m%d}-{value:06d}"


def _next_number(now: datetime) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [PO_NUMBER_SEQUENCE])
        (value,) = cursor.fetchone()
    return _number(now, value)


def _check_supplier(supplier: Supplier, sanctioned: bool) -> None:
    if not supplier.is_active or sanctioned:
        raise DomainError(_("%(supplier)s is not taking orders.") % {"supplier": supplier.company_name}, code="supplier_inactive")


def _place_locked(
    *,
    actor,
    reseller: Reseller,
    supplier: Supplier,
    skus: dict[int, SKU],
    parsed: list[tuple[int, int, Decimal]],
    positions: list[int],
    consumer_order_ref: str,
    address: dict[str, str],
    note: str,
    now: datetime,
) -> PurchaseOrder:
    """Check the guards on ``skus`` (from ``_guarded_skus``) and write the PO, its lines, transition and
    notification. Stock is NOT reserved here: the caller reserves ``po.reserve_quantities`` as the
    transaction's last write (``_finish_placing``)."""
    guard = next((skus[sku_id] for sku_id, _q, _p in parsed if sku_id in skus and skus[sku_id].supplier_id == supplier.pk), None)
    if guard is None:  # no line of this supplier's: the error paths below need facts the query could not carry
        _check_supplier(supplier, Penalty.objects.suspending_listing(now).filter(organisation_id=supplier.pk).exists())
        discount = _live_partnership(reseller=reseller, supplier=supplier, now=now).tier.discount_percent
    else:
        _check_supplier(supplier, guard.supplier_sanctioned)
        if guard.partnership_id is None:
            raise NoPartnership(_("You have no active partnership with %(supplier)s.") % {"supplier": supplier.company_name}, field="lines")
        discount = guard.tier_discount
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
        if sku.product_status != Product.Status.LISTED or not sku.is_active:
            raise ValidationFailed(_("%(code)s is not available for distribution.") % {"code": sku.code}, field=f"{field}.sku_id")
        if not (sku.min_retail_amount <= retail_price <= sku.max_retail_amount):
            raise PriceOutOfRange(
                _("The retail price of %(code)s must be between %(min)s and %(max)s.")
                % {"code": sku.code, "min": sku.min_retail_amount, "max": sku.max_retail_amount},
                field=f"{field}.retail_price",
            )
        unit_price = tier_supply_price(sku.supply_price_amount, discount)
        priced.append((sku, quantity, unit_price, retail_price))

    # --- commercial terms (suppliers/terms.py): price breaks, overrides, minimums, regions, shipping ---
    quote = OrderTerms.from_guard([sku for sku, _q, _u, _r in priced]).quote(
        lines=[(position, sku, quantity) for position, (sku, quantity, _u, _r) in zip(positions, priced, strict=True)],
        discount=discount,
        province=address["province_code"],
    )
    priced = [(sku, quantity, unit, retail) for (sku, quantity, _u, retail), unit in zip(priced, quote.unit_prices, strict=True)]
    goods, shipping = quote.goods, quote.shipping
    # --- end of commercial terms ---
    po = PurchaseOrder(
        number=_number(now, guard.po_sequence) if guard is not None else _next_number(now),
        supplier=supplier,
        reseller=reseller,
        placed_by=actor if getattr(actor, "pk", None) else None,
        consumer_order_ref=consumer_order_ref.strip()[:64],
        note=note.strip()[:500],
        goods_amount=goods,
        shipping_amount=shipping,
        shipping_breakdown=quote.breakdown,
        total_amount=goods + shipping,
        placed_at=now,
        pay_by=now + settings.PO_PAY_WITHIN,
        **address,
    )
    # the ORM's INSERT, compiled once per process (distribution/core/inserts.py); at once: the lines' and
    # the transition's triggers read the PO row. The rows below join the placing's one statement (together()).
    insert_rows([po], at_once=True)
    po.placed_lines = insert_rows(
        [
            PurchaseOrderLine(
                purchase_order=po,
                supplier=supplier,
                sku=sku,
                code=sku.code,
                title=(sku.product_approved_title or sku.product_title)[:300],
                quantity=quantity,
                unit_price=unit,
                retail_price=retail,
                line_amount=money(unit * quantity),
                attributes=sku.attributes or {},
            )
            for sku, quantity, unit, retail in priced
        ]
    )
    _record(po, actor=actor, from_status="", now=now)
    _notify(
        po,
        to="supplier",
        kind="purchase_order.placed",
        text=K.PLACED(number=po.number, reseller=reseller.name),
        user_ids=guard.supplier_member_ids if guard is not None else None,
    )
    po.reserve_quantities = {sku.pk: quantity for sku, quantity, _u, _r in priced}
    return po


def _auto_pay(po: PurchaseOrder, *, actor, now: datetime) -> PurchaseOrder:
    """Pay a just-placed PO from the wallet if auto-pay is on and the balance covers it.

    Runs in a savepoint: if the balance fell meanwhile (another payment), the PO stays
    placed and unpaid and the reseller is told why; placing never fails for auto-pay.
    """
    if not po.reseller.auto_pay:
        return po
    inserts.flush()  # the payment reads the PO's lines and transition
    with inserts.at_once():  # the payment's savepoint may roll back: nothing of it may wait in together()
        return _auto_pay_now(po, actor=actor, now=now)


def _auto_pay_now(po: PurchaseOrder, *, actor, now: datetime) -> PurchaseOrder:
    from settlement.exceptions import InsufficientBalance
    from settlement.services import wallet_balance

    carried = {"placed_lines": po.placed_lines, "reserve_quantities": po.reserve_quantities}
    balance = wallet_balance(po.reseller.organisation)
    if balance >= po.total_amount:
        try:
            # a real savepoint: a failed payment leaves the PO placed (and drops its audit rows and events)
            with transaction.atomic(), audit_batch(), outbox.batch():
                paid = _pay_locked(_lock(po), actor=actor, now=now)
                paid.__dict__.update(carried)
                return paid
        except InsufficientBalance:
            balance = wallet_balance(po.reseller.organisation)
            po = _lock(po)
            po.__dict__.update(carried)
    _notify(
        po,
        to="reseller",
        kind="purchase_order.auto_pay_failed",
        text=K.AUTO_PAY_FAILED(
            number=po.number, balance=texts.Money(balance), total=texts.Money(po.total_amount), pay_by=texts.When(po.pay_by)
        ),
    )
    return po


def _validate_ref(consumer_order_ref: str) -> None:
    if not (consumer_order_ref or "").strip():
        raise ValidationFailed(_("Enter the consumer's order number from your shop."), field="consumer_order_ref")
    if len(consumer_order_ref.strip()) > 64:
        raise ValidationFailed(_("64 characters at most."), field="consumer_order_ref")


def _may_order(reseller: Reseller, skus: dict[int, SKU], now: datetime) -> None:
    row = next(iter(skus.values()), None)
    if row is None:
        _check_may_order(reseller, now)
    elif row.ordering_suspended:
        raise OrderingSuspended()


def _reserve_last(placed: list[PurchaseOrder], *, now: datetime) -> None:
    """The stock reservation, the transaction's last write.

    Called inside ``outbox.batch()`` after every other row of the placing is written: the
    reservation of every PO's SKUs, in SKU primary-key order; the last SKU's UPDATE carries the
    transaction's outbox rows (the POs' events and ``sku.changed``, coalesced per SKU) in the
    same statement (``outbox.write_with``), then COMMIT, so a hot SKU's row is locked for the
    shortest time; if stock is short it fails right there and everything before it rolls back
    (auto-pay and the outbox rows too). ``sku.changed`` is therefore published just before the
    reservation: its only in-transaction subscriber (the store list) ignores ``reserved``.
    """
    quantities: dict[int, int] = {}
    for po in placed:
        for sku_id, quantity in po.reserve_quantities.items():
            quantities[sku_id] = quantities.get(sku_id, 0) + quantity
    _stock_changed(list(quantities), changes={"reserved"}, now=now)
    _reserve(quantities, now=now)


def purchase_order_place(
    *,
    actor,
    reseller: Reseller,
    supplier: Supplier | None,
    lines: list[dict[str, Any]],
    consumer_order_ref: str,
    address: dict[str, Any],
    note: str = "",
    now: datetime | None = None,
    before_reserve: Callable[[PurchaseOrder], None] | None = None,
    savepoint: bool = True,
) -> PurchaseOrder:
    """Place one PO (R10–R12): guards, price snapshot, optional auto-pay, stock reservation (last).

    All or nothing. Lines are ``{"sku": SKU | id (or "sku_id"), "quantity", "retail_price"}``.
    ``supplier=None`` means the supplier of the first line's SKU (every line must be that
    supplier's). ``before_reserve(po)`` runs inside the transaction just before the stock
    reservation, with the PO complete in memory (``po.placed_lines``, not yet written: its
    ``inserts.write`` joins the statement of the PO's other rows, ``distribution.core.inserts.together``);
    raising there rolls everything back. ``savepoint=False`` (inside a caller's ``atomic`` that lets any error
    propagate, like the API's idempotency transaction) saves the SAVEPOINT/RELEASE pair.
    Raises ``no_partnership``, ``mixed_suppliers``, ``price_out_of_range``, ``insufficient_stock``,
    ``validation_error`` (with ``field``), ``ordering_suspended``, ``supplier_inactive``.
    """
    now = _now(now)
    _validate_ref(consumer_order_ref)
    cleaned = address_clean(address)
    parsed = _parse_lines(lines)
    with transaction.atomic(savepoint=savepoint), outbox.batch():
        # the PO's lines, transition, notification, audit row and the caller's last words: one statement
        with inserts.together(), audit_batch():
            skus = _guarded_skus(reseller=reseller, sku_ids=[sku_id for sku_id, _q, _p in parsed], now=now)
            _may_order(reseller, skus, now)
            if supplier is None:
                first = skus.get(parsed[0][0])
                if first is None:
                    raise ValidationFailed(_("This SKU does not exist."), field="lines.0.sku_id")
                supplier = first.guard_supplier
            po = _place_locked(
                actor=actor,
                reseller=reseller,
                supplier=supplier,
                skus=skus,
                parsed=parsed,
                positions=list(range(len(parsed))),
                consumer_order_ref=consumer_order_ref,
                address=cleaned,
                note=note,
                now=now,
            )
            po = _auto_pay(po, actor=actor, now=now)
            if before_reserve is not None:
                before_reserve(po)
        _reserve_last([po], now=now)
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
    with transaction.atomic(), outbox.batch():
        with inserts.together(), audit_batch():  # every PO's rows but the POs themselves: one statement
            skus = _guarded_skus(reseller=reseller, sku_ids=[p[0] for p in parsed], now=now)
            groups: OrderedDict[int, list[int]] = OrderedDict()
            for position, (sku_id, _q, _p) in enumerate(parsed):
                if sku_id not in skus:
                    raise ValidationFailed(_("This SKU does not exist."), field=f"lines.{position}.sku_id")
                groups.setdefault(skus[sku_id].supplier_id, []).append(position)
            _may_order(reseller, skus, now)
            placed: list[PurchaseOrder] = []
            for supplier_id in sorted(groups):
                positions = groups[supplier_id]
                placed.append(
                    _place_locked(
                        actor=actor,
                        reseller=reseller,
                        supplier=skus[parsed[positions[0]][0]].guard_supplier,
                        skus=skus,
                        parsed=[parsed[p] for p in positions],
                        positions=positions,
                        consumer_order_ref=consumer_order_ref,
                        address=cleaned,
                        note=note,
                        now=now,
                    )
                )
            placed = [_auto_pay(po, actor=actor, now=now) for po in placed]
        _reserve_last(placed, now=now)
    return placed
