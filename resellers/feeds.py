"""Product and stock feeds of a reseller's store list (R10): CSV, XLSX, JSON.

Rows are read with ``.iterator(chunk_size=…)`` (images fetched per chunk) and
written as they come, so a 100,000-row store list never sits in memory: CSV and
JSON stream through ``StreamingHttpResponse``; XLSX goes through openpyxl's
write-only workbook into a temporary file served by ``FileResponse``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, F, When
from django.db.models.functions import Greatest

from distribution.core.csv_stream import csv_lines, xlsx_row
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
    "item_code",
]
STOCK_COLUMNS = ["sku_code", "item_code", "available", "updated_at"]


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def _image_url_builder():
    """``name -> URL`` for product images, equal to ``FieldFile.url``.

    For the default ``FileSystemStorage`` the URL is the storage's ``base_url`` plus the
    quoted name (what ``storage.url()`` returns, without its per-call ``urljoin``); names
    with ``.`` segments, and other storages, still go through ``storage.url()``.
    """
    from django.core.files.storage import FileSystemStorage
    from django.utils.encoding import filepath_to_uri

    storage = ProductImage._meta.get_field("image").storage
    if storage.__class__ is not FileSystemStorage:  # also through default_storage's lazy wrapper
        return storage.url
    prefix = storage.base_url
    if not prefix or not prefix.endswith("/"):
        return storage.url

    def url(name: str) -> str:
        if name.startswith("/") or "/." in "/" + name or "//" in name:
            return storage.url(name)
        return prefix + filepath_to_uri(name)

    return url


def _approved_images(product_ids) -> dict[int, list[str]]:
    """Approved image names per product, in display order (one query per chunk)."""
    images: dict[int, list[str]] = {}
    rows = (
        ProductImage.objects.filter(product_id__in=product_ids, approved=True).order_by("position", "id").values_list("product_id", "image")
    )
    for product_id, name in rows:
        if name:
            images.setdefault(product_id, []).append(name)
    return images


_PRODUCT_FIELDS = (
    "supplier_id",
    "retail_price_amount",
    "status",
    "row_updated_at",
    "feed_title",
    "sku__code",
    "sku__attributes",
    "sku__supply_price_amount",
    "sku__min_retail_amount",
    "sku__max_retail_amount",
    "sku__on_hand",
    "sku__reserved",
    "sku__product_id",
    "sku__product__province_code",
    "sku__product__city_code",
    "item_code",
)


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def product_rows(reseller: Reseller, *, updated_since: datetime | None = None, shop=None) -> Iterator[dict]:
    """One dict per store-list entry, in id order.

    Reads plain tuples (``values_list``) rather than model instances, and per chunk of
    ``CHUNK_SIZE`` rows one query for the approved images of the chunk's products.
    """
    partnerships = partnerships_by_supplier(reseller)
    discounts = {supplier_id: p.tier.discount_percent for supplier_id, p in partnerships.items()}
    qs = (
        feed_listings(reseller=reseller, updated_since=updated_since, shop=shop)
        .annotate(
            row_updated_at=Greatest(F("updated_at"), F("sku__updated_at")),
            feed_title=Case(
                When(sku__product__has_pending_changes=True, then=F("sku__product__approved_title")), default=F("sku__product__title")
            ),
        )
        .order_by("pk")
        .values_list(*_PRODUCT_FIELDS)
    )
    image_url = _image_url_builder()
    division_names: dict[str, str] = {}

    def division(code: str) -> str:
        try:
            return division_names[code]
        except KeyError:
            division_names[code] = name = name_of(code)
            return name

    for chunk in _chunks(qs.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        images = _approved_images({row[12] for row in chunk})
        url_of: dict[str, str] = {}  # a product's images repeat on each of its SKUs' rows
        for (
            supplier_id,
            retail_price,
            status,
            updated,
            title,
            code,
            attributes,
            supply_price,
            min_retail,
            max_retail,
            on_hand,
            reserved,
            product_id,
            province_code,
            city_code,
            item_code,
        ) in chunk:
            urls = []
            for name in images.get(product_id, ()):
                url = url_of.get(name)
                if url is None:
                    url = url_of[name] = _absolute(image_url(name))
                urls.append(url)
            discount = discounts.get(supplier_id)
            yield {
                "sku_code": code,
                "title": title,
                "attributes": attributes or {},
                "images": urls,
                "province": division(province_code),
                "city": division(city_code),
                "supply_price": format_money(tier_supply_price(supply_price, discount)) if discount is not None else "",
                "retail_price": format_money(retail_price),
                "min_retail_price": format_money(min_retail),
                "max_retail_price": format_money(max_retail),
                "available": max(on_hand - reserved, 0),
                "status": status,
                "updated_at": updated.isoformat(),
                "item_code": item_code,
            }


def stock_rows(reseller: Reseller, *, updated_since: datetime | None = None, shop=None) -> Iterator[dict]:
    qs = (
        feed_listings(reseller=reseller, updated_since=updated_since, shop=shop)
        .annotate(row_updated_at=Greatest(F("updated_at"), F("sku__updated_at")))
        .values_list("sku__code", "item_code", "sku__on_hand", "sku__reserved", "row_updated_at")
        .order_by("pk")
    )
    for code, item_code, on_hand, reserved, updated in qs.iterator(chunk_size=CHUNK_SIZE):
        yield {"sku_code": code, "item_code": item_code, "available": max(on_hand - reserved, 0), "updated_at": updated.isoformat()}


def _flat(row: dict) -> list:
    out = []
    for value in row.values():
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = " ".join(value)
        out.append(value)
    return out


def csv_stream(rows: Iterator[dict], columns: list[str]) -> Iterator[str]:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly; formula-safe."""
    return csv_lines(columns, (_flat(row) for row in rows))


def json_stream(rows: Iterator[dict], *, generated_at: datetime) -> Iterator[str]:
    yield '{"generated_at": ' + json.dumps(generated_at.isoformat()) + ', "items": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _typed(row: dict) -> dict:
    """The row with its prices as ``Decimal`` and ``updated_at`` as a datetime, so the XLSX cells are typed
    (numbers and dates; CSV and JSON keep the text)."""
    out = dict(row)
    for key, value in row.items():
        if key.endswith("_price") and value:
            out[key] = Decimal(value)
        elif key == "updated_at" and value:
            out[key] = datetime.fromisoformat(value)
    return out


def xlsx_file(rows: Iterator[dict], columns: list[str], *, sheet_title: str):
    """A write-only workbook in a temporary file (deleted when closed); returns the open file. Prices
    are number cells, ``updated_at`` a date cell in +08:00."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.append(xlsx_row(ws, columns))
    for row in rows:
        ws.append(xlsx_row(ws, _flat(_typed(row))))
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    wb.save(tmp)
    tmp.seek(0)
    return tmp
