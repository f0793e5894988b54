"""Product and stock feeds of a reseller's store list (R10): CSV, XLSX, JSON.

Rows are read with ``.iterator(chunk_size=…)`` (images prefetched per chunk) and
written as they come, so a 100,000-row store list never sits in memory: CSV and
JSON stream through ``StreamingHttpResponse``; XLSX goes through openpyxl's
write-only workbook into a temporary file served by ``FileResponse``.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import F, Prefetch
from django.db.models.functions import Greatest

from distribution.core.divisions import name_of
from distribution.core.money import format_money
from suppliers.models import ProductImage
from suppliers.pricing import tier_supply_price

from .models import Reseller
from .selectors import feed_listings, partnerships_by_supplier

CHUNK_SIZE = 2000

PRODUCT_COLUMNS = [
    "sku_code",
    "title",
    "attributes",
    "images",
    "province",
    "city",
    "supply_price",
    "retail_price",
    "min_retail_price",
    "max_retail_price",
    "available",
    "status",
    "updated_at",
]
STOCK_COLUMNS = ["sku_code", "available", "updated_at"]


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def _product_queryset(reseller: Reseller, updated_since: datetime | None):
    images = Prefetch(
        "sku__product__images", queryset=ProductImage.objects.filter(approved=True).order_by("position", "id"), to_attr="feed_images"
    )
    return (
        feed_listings(reseller=reseller, updated_since=updated_since)
        .select_related("sku", "sku__product")
        .annotate(row_updated_at=Greatest(F("updated_at"), F("sku__updated_at")))
        .prefetch_related(images)
        .order_by("pk")
    )


def product_rows(reseller: Reseller, *, updated_since: datetime | None = None) -> Iterator[dict]:
    """One dict per store-list entry, in id order."""
    from django.db.models import Case, When

    partnerships = partnerships_by_supplier(reseller)
    qs = _product_queryset(reseller, updated_since).annotate(
        feed_title=Case(
            When(sku__product__has_pending_changes=True, then=F("sku__product__approved_title")), default=F("sku__product__title")
        )
    )
    for sl in qs.iterator(chunk_size=CHUNK_SIZE):
        sku, product = sl.sku, sl.sku.product
        partnership = partnerships.get(sl.supplier_id)
        yield {
            "sku_code": sku.code,
            "title": sl.feed_title,
            "attributes": sku.attributes or {},
            "images": [_absolute(img.image.url) for img in product.feed_images if img.image],
            "province": name_of(product.province_code),
            "city": name_of(product.city_code),
            "supply_price": format_money(tier_supply_price(sku.supply_price_amount, partnership.tier.discount_percent))
            if partnership
            else "",
            "retail_price": format_money(sl.retail_price_amount),
            "min_retail_price": format_money(sku.min_retail_amount),
            "max_retail_price": format_money(sku.max_retail_amount),
            "available": max(sku.on_hand - sku.reserved, 0),
            "status": sl.status,
            "updated_at": sl.row_updated_at.isoformat(),
        }


def stock_rows(reseller: Reseller, *, updated_since: datetime | None = None) -> Iterator[dict]:
    qs = (
        feed_listings(reseller=reseller, updated_since=updated_since)
        .annotate(row_updated_at=Greatest(F("updated_at"), F("sku__updated_at")))
        .values_list("sku__code", "sku__on_hand", "sku__reserved", "row_updated_at")
        .order_by("pk")
    )
    for code, on_hand, reserved, updated in qs.iterator(chunk_size=CHUNK_SIZE):
        yield {"sku_code": code, "available": max(on_hand - reserved, 0), "updated_at": updated.isoformat()}


def _flat(row: dict) -> list:
    out = []
    for value in row.values():
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = " ".join(value)
        out.append(value)
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterator[dict], columns: list[str]) -> Iterator[str]:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow(_flat(row))


def json_stream(rows: Iterator[dict], *, generated_at: datetime) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(generated_at.isoformat()) + ', "items": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def xlsx_file(rows: Iterator[dict], columns: list[str], *, sheet_title: str):
    """A write-only workbook in a temporary file (deleted when closed); returns the open file."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.append(columns)
    for row in rows:
        ws.append(_flat(row))
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    wb.save(tmp)
    tmp.seek(0)
    return tmp
