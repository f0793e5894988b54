"""Reads shared by views, sweeps, the API and reconciliation."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from distribution.core.money import money
from settlement.models import EscrowHold

from .models import PurchaseOrder

Status = PurchaseOrder.Status

REMINDER_LEADS = {
    "pay": ("PO_PAY_REMINDER_BEFORE", timedelta(hours=24)),
    "ship": ("PO_SHIP_REMINDER_BEFORE", timedelta(days=3)),
    "confirm": ("PO_CONFIRM_REMINDER_BEFORE", timedelta(days=3)),
}


def reminder_lead(kind: str) -> timedelta:
    setting, default = REMINDER_LEADS[kind]
    return getattr(settings, setting, default)


def duplicate_po_numbers_sql(*, reseller_id: int, consumer_order_ref: str, exclude_ids: list[int] | None = None) -> tuple[str, list]:
    """``duplicate_po_numbers`` as an SQL expression (an array of numbers) and its parameters, for a
    statement that reads it on the way (the API's idempotency claim)."""
    # Hand-written (on every API placement; the ORM spent ~1 ms of CPU compiling it): the same as
    # filter(reseller_id, consumer_order_ref).exclude(pk__in=…).order_by("placed_at", "pk")[:20].
    return (
        f'ARRAY(SELECT "number" FROM "{PurchaseOrder._meta.db_table}" '  # noqa: S608 (the model's table)
        'WHERE "reseller_id" = %s AND "consumer_order_ref" = %s AND "id" <> ALL(%s::bigint[]) '
        'ORDER BY "placed_at", "id" LIMIT 20)',
        [reseller_id, (consumer_order_ref or "").strip(), [int(pk) for pk in exclude_ids or []]],
    )


def duplicate_po_numbers(*, reseller_id: int, consumer_order_ref: str, exclude_ids: list[int] | None = None) -> list[str]:
    """Numbers of this reseller's POs already placed for ``consumer_order_ref`` (oldest first), so a
    second PO for one consumer order is placed only knowingly (the web asks; the API reports it)."""
    if not (consumer_order_ref or "").strip():
        return []
    sql, params = duplicate_po_numbers_sql(reseller_id=reseller_id, consumer_order_ref=consumer_order_ref, exclude_ids=exclude_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)  # noqa: S608 (the selector's own SQL)
        return list(cursor.fetchone()[0])


def purchase_orders_for_reseller(reseller_id: int, *, status: str = "", q: str = "", shop_id: int | None = None) -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.filter(reseller_id=reseller_id).select_related("supplier", "shop")
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if status in Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(consumer_order_ref__icontains=q) | Q(recipient__icontains=q))
    return qs.order_by("-placed_at", "-id")


def purchase_orders_for_supplier(
    supplier_id: int, *, status: str = "", q: str = "", overdue_at: datetime | None = None
) -> QuerySet[PurchaseOrder]:
    qs = PurchaseOrder.objects.filter(supplier_id=supplier_id).select_related("reseller")
    if status in Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(consumer_order_ref__icontains=q) | Q(recipient__icontains=q))
    if overdue_at is not None:
        qs = qs.filter(ship_by__lte=overdue_at)
    return qs


def ship_queue(supplier_id: int, *, q: str = "", overdue_at: datetime | None = None) -> QuerySet[PurchaseOrder]:
    """Paid POs to ship, the most urgent first."""
    return purchase_orders_for_supplier(supplier_id, status=Status.PAID, q=q, overdue_at=overdue_at).order_by("ship_by", "id")


def status_counts(**filters) -> dict[str, int]:
    rows = PurchaseOrder.objects.filter(**filters).values("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def purchase_order_for_reseller(reseller_id: int, number: str) -> PurchaseOrder:
    po = PurchaseOrder.objects.select_related("supplier", "reseller").filter(reseller_id=reseller_id, number=number).first()
    if po is None:
        raise Http404
    return po


def purchase_order_for_supplier(supplier_id: int, number: str) -> PurchaseOrder:
    po = PurchaseOrder.objects.select_related("supplier", "reseller").filter(supplier_id=supplier_id, number=number).first()
    if po is None:
        raise Http404
    return po


PO_NUMBER_PATTERN = r"^PO[0-9]{8}-[0-9]{6}$"


def escrow_expectation() -> dict[str, Decimal]:
    """What escrow should hold, for ``settlement.reconcile``: ``{PO number: total}`` for POs in
    paid/shipped/disputed. Registered with ``covers=PO_NUMBER_PATTERN``: procurement speaks only
    for references shaped like its PO numbers, so a hold under a PO-shaped reference with no
    open PO is reported, as is an open PO whose money is not (fully) held; other references are
    settlement's (or another app's) business."""
    qs = PurchaseOrder.objects.filter(status__in=list(PurchaseOrder.ESCROW_STATES))
    return dict(qs.annotate(held=F("total_amount") - F("refund_amount")).values_list("number", "held"))


def money_split(po: PurchaseOrder) -> dict[str, Decimal | bool]:
    """Goods, shipping, the platform's commission and the supplier's net of one PO, shown as they are.

    Once escrow released the money, the commission is what the ledger took (``EscrowHold``);
    before, it is what the supplier's current rate would take of what is not refunded.
    """
    hold = EscrowHold.objects.filter(reference=po.number).only("released_amount", "commission_amount").first()
    released = hold is not None and hold.released_amount > 0
    gross = po.total_amount - po.refund_amount
    commission = hold.commission_amount if released else money(gross * po.supplier.commission_rate)
    return {
        "goods": po.goods_amount,
        "shipping": po.shipping_amount,
        "refunded": po.refund_amount,
        "commission": commission,
        "commission_rate": po.supplier.commission_rate * 100,
        "net": (hold.released_amount - hold.commission_amount) if released else gross - commission,
        "released": released,
    }


def statement_amounts(organisation_id: int) -> dict[str, Any]:
    """The goods and shipping of the purchase order a wallet statement line refers to (``settlement.selectors``):
    the PO numbered as the line's reference, of the supplier the escrow movement belongs to."""
    po = PurchaseOrder.objects.filter(number=OuterRef("transaction__reference"), supplier_id=OuterRef("transaction__organisation_id"))
    return {
        "statement_goods": Subquery(po.values("goods_amount")[:1]),
        "statement_shipping": Subquery(po.values("shipping_amount")[:1]),
    }
