"""Shapes of API objects shared by the endpoints and the webhook payloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from distribution.core.money import format_money
from procurement.carriers import tracking_url
from procurement.models import Package, PurchaseOrder


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in the platform's time zone, with offset and microseconds."""
    return timezone.localtime(value).isoformat() if value is not None else None


def po_dict(po: PurchaseOrder, *, lines: Iterable[Any] | None = None) -> dict[str, Any]:
    """The API's purchase order (API.md): money as strings, times ISO 8601 with offset.

    ``lines`` (line objects or ``line_dicts`` rows already in memory) saves reading ``po.lines``.
    """
    return {
        "number": po.number,
        "status": po.status,
        "supplier": {"id": po.supplier_id, "name": po.supplier.company_name},
        "reseller": {"id": po.reseller_id, "name": po.reseller.name},
        "consumer_order_ref": po.consumer_order_ref,
        "shipping_address": {
            "recipient": po.recipient,
            "mobile": po.mobile,
            "province": po.province_code,
            "city": po.city_code,
            "district": po.district_code,
            "street": po.street,
            "postal_code": po.postal_code,
            "province_name": po.province_name,
            "city_name": po.city_name,
            "district_name": po.district_name,
        },
        "lines": [
            {
                "sku_id": line.sku_id,
                "code": line.code,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": format_money(line.unit_price),
                "retail_price": format_money(line.retail_price),
                "line_amount": format_money(line.line_amount),
                "variant": getattr(line, "attributes", None) or {},
            }
            for line in (po.lines.all() if lines is None else lines)
        ],
        "goods_amount": format_money(po.goods_amount),
        "shipping_amount": format_money(po.shipping_amount),
        "shipping_breakdown": po.shipping_breakdown_shown,
        "total_amount": format_money(po.total_amount),
        "note": po.note,
        "placed_at": iso(po.placed_at),
        "pay_by": iso(po.pay_by),
        "paid_at": iso(po.paid_at),
        "ship_by": iso(po.ship_by),
        "shipped_at": iso(po.shipped_at),
        "carrier": po.carrier,
        "tracking_number": po.tracking_number,
        "tracking_url": tracking_url(po.carrier, po.tracking_number),
        "packages": [package_dict(p) for p in _packages(po)],
        "confirm_by": iso(po.confirm_by),
        "completed_at": iso(po.completed_at),
        "closed_at": iso(po.closed_at),
        "refunded_at": iso(po.refunded_at),
        "updated_at": iso(po.updated_at),
    }


def _packages(po: PurchaseOrder) -> list[Package]:
    """The PO's packages: prefetched, the ones a service just wrote (``po.package_rows``), none before
    the first shipment, else read."""
    prefetched = getattr(po, "_prefetched_objects_cache", {}).get("packages")
    if prefetched is not None:
        return list(prefetched)
    if getattr(po, "package_rows", None) is not None:
        return po.package_rows
    if po.first_shipped_at is None:
        return []
    return list(po.packages.prefetch_related("lines__line"))


def package_dict(package: Package) -> dict[str, Any]:
    return {
        "id": package.pk,
        "carrier_code": package.carrier_code,
        "carrier": package.carrier,
        "tracking_number": package.tracking_number,
        "tracking_url": package.tracking_url,
        "shipped_at": iso(package.shipped_at),
        "corrected_at": iso(package.corrected_at),
        "lines": getattr(package, "line_codes", None) or [{"code": pl.line.code, "quantity": pl.quantity} for pl in package.lines.all()],
    }


def after_sale_dict(a: Any) -> dict[str, Any]:
    """The API's after-sales request."""

    def amount(value):
        return format_money(value) if value is not None else None

    return {
        "number": a.number,
        "purchase_order": a.purchase_order.number,
        "status": a.status,
        "kind": a.kind,
        "reason": a.reason,
        "description": a.description,
        "lines": [
            {
                "code": al.line.code,
                "title": al.line.title,
                "variant": al.line.attributes or {},
                "quantity": al.quantity,
                "amount": format_money(al.amount),
            }
            for al in a.lines.all()
        ],
        "requested_amount": format_money(a.requested_amount),
        "proposed_amount": amount(a.proposed_amount),
        "agreed_amount": amount(a.agreed_amount),
        "refund_amount": format_money(a.refund_amount),
        "supplier_note": a.supplier_note,
        "return_carrier": a.return_carrier,
        "return_tracking_number": a.return_tracking_number,
        "return_tracking_url": tracking_url(a.return_carrier, a.return_tracking_number),
        "exchange_carrier": a.exchange_carrier,
        "exchange_tracking_number": a.exchange_tracking_number,
        "opened_at": iso(a.opened_at),
        "respond_by": iso(a.respond_by),
        "reply_by": iso(a.reply_by),
        "return_by": iso(a.return_by),
        "receive_by": iso(a.receive_by),
        "return_delivered_at": iso(a.return_delivered_at),
        "restocked": a.restocked,
        "closed_at": iso(a.closed_at),
        "updated_at": iso(a.updated_at),
    }
