"""Shapes of API objects shared by the endpoints and the webhook payloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from distribution.core.money import format_money
from procurement.models import PurchaseOrder


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
            }
            for line in (po.lines.all() if lines is None else lines)
        ],
        "goods_amount": format_money(po.goods_amount),
        "shipping_amount": format_money(po.shipping_amount),
        "shipping_breakdown": po.shipping_breakdown or {},
        "total_amount": format_money(po.total_amount),
        "note": po.note,
        "placed_at": iso(po.placed_at),
        "pay_by": iso(po.pay_by),
        "paid_at": iso(po.paid_at),
        "ship_by": iso(po.ship_by),
        "shipped_at": iso(po.shipped_at),
        "carrier": po.carrier,
        "tracking_number": po.tracking_number,
        "confirm_by": iso(po.confirm_by),
        "completed_at": iso(po.completed_at),
        "closed_at": iso(po.closed_at),
        "refunded_at": iso(po.refunded_at),
        "updated_at": iso(po.updated_at),
    }
