"""Bulk work on a reseller's purchase orders: pay many (each alone), export (CSV/XLSX), and each shop
platform's bulk-ship file (consumer order number, carrier, tracking number) to send tracking back."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from distribution.core.errors import DomainError
from resellers.models import Platform, Reseller, Shop

from .models import PurchaseOrder
from .services import purchase_order_pay

Status = PurchaseOrder.Status


@dataclass
class PayResult:
    number: str
    paid: bool
    message: str


def purchase_orders_pay_many(*, actor, reseller: Reseller, numbers: list[str], now: datetime | None = None) -> list[PayResult]:
    """Pay each chosen PO from the wallet in its own transaction: one refused (balance, state) never undoes another."""
    now = now or timezone.now()
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    found = {po.number: po for po in PurchaseOrder.objects.filter(reseller=reseller, number__in=wanted)}
    results: list[PayResult] = []
    for number in wanted:
        po = found.get(number)
        if po is None:
            results.append(PayResult(number, False, _("This purchase order does not exist.")))
            continue
        try:
            paid = purchase_order_pay(actor=actor, purchase_order=po, now=now)
        except DomainError as exc:
            results.append(PayResult(number, False, exc.message))
        else:
            results.append(PayResult(number, True, _("Paid %(amount)s.") % {"amount": paid.total_amount}))
    return results


EXPORT_HEADER = [
    "number", "status", "shop", "supplier", "consumer_order_ref", "recipient", "mobile", "address", "postal_code",
    "goods_amount", "shipping_amount", "total_amount", "placed_at", "paid_at", "shipped_at", "carrier", "tracking_number", "lines",
]  # fmt: skip


def export_rows(qs: QuerySet[PurchaseOrder]) -> Iterator[list[object]]:
    """One row per PO (lines as ``code × quantity`` joined), read in chunks."""
    qs = qs.select_related("supplier", "shop").prefetch_related("lines")
    for po in qs.iterator(chunk_size=500):
        yield [
            po.number, po.get_status_display(), po.shop.name if po.shop else "", po.supplier.company_name, po.consumer_order_ref,
            po.recipient, po.mobile, po.address_line, po.postal_code, str(po.goods_amount), str(po.shipping_amount),
            str(po.total_amount), _stamp(po.placed_at), _stamp(po.paid_at), _stamp(po.shipped_at), po.carrier, po.tracking_number,
            "; ".join(f"{line.code} × {line.quantity}" for line in po.lines.all()),
        ]  # fmt: skip


def _stamp(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def xlsx_file(header: list[str], rows: Iterable[list[object]], *, title: str):
    """A temporary XLSX file (write-only workbook); text cells typed as strings so nothing is evaluated."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cells(values):
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    workbook.save(handle)
    handle.seek(0)
    return handle


# Each platform's bulk-ship (批量發貨) template: consumer order number, carrier, tracking number.
BULK_SHIP_HEADERS: dict[str, list[str]] = {
    Platform.TAOBAO: ["订单编号", "物流公司", "运单号"],
    Platform.TMALL: ["订单编号", "物流公司", "运单号"],
    Platform.JD: ["订单号", "物流公司", "运单号"],
    Platform.PINDUODUO: ["订单号", "快递公司", "快递单号"],
    Platform.DOUYIN: ["订单编号", "物流公司", "物流单号"],
    Platform.WECHAT: ["订单号", "快递公司", "快递单号"],
    Platform.SHOPIFY: ["Order Name", "Tracking Company", "Tracking Number"],
}
DEFAULT_BULK_SHIP_HEADER = ["订单号", "物流公司", "运单号"]


def bulk_ship_header(shop: Shop) -> list[str]:
    return BULK_SHIP_HEADERS.get(shop.platform, DEFAULT_BULK_SHIP_HEADER)


def bulk_ship_rows(shop: Shop, *, shipped_since: datetime | None = None) -> Iterator[list[str]]:
    """One row per consumer order of ``shop`` with a shipped PO (an order split over suppliers gives one row per parcel)."""
    qs = PurchaseOrder.objects.filter(shop=shop, shipped_at__isnull=False).exclude(tracking_number="")
    if shipped_since is not None:
        qs = qs.filter(shipped_at__gte=shipped_since)
    rows = qs.order_by("shipped_at", "id").values_list("consumer_order_ref", "carrier", "tracking_number")
    for ref, carrier, tracking in rows.iterator():
        yield [ref, carrier, tracking]
