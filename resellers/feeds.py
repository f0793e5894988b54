"""Product and stock feeds of a reseller's store list (R10): CSV, XLSX, JSON.

Rows are read with ``.iterator(chunk_size=…)`` (images fetched per chunk) and
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
from django.db.models import Case, F, When
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


def product_rows(reseller: Reseller, *, updated_since: datetime | None = None) -> Iterator[dict]:
    """One dict per store-list entry, in id order.

    Reads plain tuples (``values_list``) rather than model instances, and per chunk of
    ``CHUNK_SIZE`` rows one query for the approved images of the chunk's products.
    """
    partnerships = partnerships_by_supplier(reseller)
    discounts = {supplier_id: p.tier.discount_percent for supplier_id, p in partnerships.items()}
    qs = (
        feed_listings(reseller=reseller, updated_since=updated_since)
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


# --- the product CSV built by PostgreSQL (COPY … TO STDOUT) ---------------------------------------

_SAFE_IMAGE_NAME = r"^[A-Za-z0-9_.~!*()'/-]+$"  # names filepath_to_uri leaves as they are
_LINE_BREAK = "[" + chr(10) + chr(13) + "]"


def _iso_sql(column: str) -> str:
    """``datetime.isoformat()`` of a UTC timestamp, in SQL (no fraction when the microseconds are 0)."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN mod(date_part('microseconds', {column})::bigint, 1000000) <> 0 THEN to_char({utc}, '.US') ELSE '' END "
        "|| '+00:00'"
    )


def _text_sql(expr: str) -> str:
    """A text cell: empty becomes NULL (COPY writes it unquoted, as ``csv.writer`` does), formula-safe if exports are."""
    from distribution.core import csv_stream as exports

    if hasattr(exports, "formula_safe"):  # the same rule as the Python writer: see csv_stream.formula_safe
        expr = f"(CASE WHEN {expr} ~ '^[-=+@\t\r]' AND {expr} !~ '^[+-]?[0-9]+([.][0-9]+)?$' THEN '''' || {expr} ELSE {expr} END)"
    return f"NULLIF({expr}, '')"


def _divisions_json() -> str:
    from distribution.core.divisions import _names

    return json.dumps({code: name_of(code) for code in _names()}, ensure_ascii=False)


def product_csv_select(reseller: Reseller, *, updated_since: datetime | None = None) -> tuple[str, list] | None:
    """The one SELECT whose rows are the product CSV's data rows (``COPY (…) TO STDOUT WITH CSV``).

    Every cell equals what ``csv_stream(product_rows(…))`` writes for it; ``None`` when only the
    Python writer can produce it exactly (image storage other than the file system, image names
    that need URL quoting, line breaks inside titles or attributes).
    """
    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    storage = ProductImage._meta.get_field("image").storage
    if storage.__class__ is not FileSystemStorage or not (storage.base_url or "").endswith("/"):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM resellers_storelisting l JOIN suppliers_sku s ON s.id = l.sku_id "
            "JOIN suppliers_productimage i ON i.product_id = s.product_id "
            "WHERE l.reseller_id = %s AND i.approved AND i.image <> '' AND (i.image !~ %s OR i.image LIKE '%%/.%%' "
            "OR i.image LIKE '%%//%%' OR i.image LIKE '/%%')) "
            "OR EXISTS (SELECT 1 FROM resellers_storelisting l JOIN suppliers_sku s ON s.id = l.sku_id "
            "JOIN suppliers_product p ON p.id = s.product_id WHERE l.reseller_id = %s AND (p.title ~ %s OR p.approved_title ~ %s "
            "OR s.code ~ %s OR s.attributes::text ~ '\\\\[nr]'))",
            [reseller.pk, _SAFE_IMAGE_NAME, reseller.pk, _LINE_BREAK, _LINE_BREAK, _LINE_BREAK],
        )
        if cursor.fetchone()[0]:
            return None
    discounts = {str(supplier_id): str(p.tier.discount_percent) for supplier_id, p in partnerships_by_supplier(reseller).items()}
    value = (
        "CASE jsonb_typeof(a.value) WHEN 'string' THEN a.value #>> '{}' WHEN 'boolean' THEN initcap(a.value::text) "
        "WHEN 'null' THEN 'None' ELSE a.value::text END"
    )
    title = "CASE WHEN p.has_pending_changes THEN p.approved_title ELSE p.title END"
    columns = [
        _text_sql("s.code"),
        _text_sql(title),
        _text_sql(
            f"(SELECT string_agg(a.key || ': ' || {value}, '; ' ORDER BY a.n) "  # noqa: S608 (fixed SQL text, no input)
            "FROM jsonb_each(s.attributes) WITH ORDINALITY AS a(key, value, n))"
        ),
        _text_sql(
            "(SELECT string_agg(%(image_prefix)s || i.image, ' ' ORDER BY i.position, i.id) FROM suppliers_productimage i "
            "WHERE i.product_id = p.id AND i.approved AND i.image <> '')"
        ),
        _text_sql("(%(divisions)s::jsonb ->> p.province_code)"),
        _text_sql("(%(divisions)s::jsonb ->> p.city_code)"),
        _text_sql("(round(s.supply_price_amount * (100 - (%(discounts)s::jsonb ->> l.supplier_id::text)::numeric) / 100, 2))::text"),
        _text_sql("l.retail_price_amount::text"),
        _text_sql("s.min_retail_amount::text"),
        _text_sql("s.max_retail_amount::text"),
        "greatest(s.on_hand - s.reserved, 0)",
        _text_sql("l.status"),
        _text_sql(_iso_sql("greatest(l.updated_at, s.updated_at)")),
    ]
    assert len(columns) == len(PRODUCT_COLUMNS)
    where = "l.reseller_id = %(reseller)s"
    if updated_since is not None:
        where += " AND (l.updated_at >= %(since)s OR s.updated_at >= %(since)s)"
    sql = (
        f"SELECT {', '.join(columns)} FROM resellers_storelisting l "  # noqa: S608 (no user input in the SQL text; values are parameters)
        "JOIN suppliers_sku s ON s.id = l.sku_id JOIN suppliers_product p ON p.id = s.product_id "
        f"WHERE {where} ORDER BY l.id"
    )
    params = {
        "reseller": reseller.pk,
        "since": updated_since,
        "image_prefix": _absolute(storage.base_url),
        "divisions": _divisions_json(),
        "discounts": json.dumps(discounts),
    }
    return sql, params


def product_csv(reseller: Reseller, *, updated_since: datetime | None = None) -> Iterator[str | bytes]:
    """The product feed as CSV: built and streamed by PostgreSQL (``COPY``) when it can be exact, else in Python.

    Same bytes either way: BOM and header from the Python writer, ``\\r\\n`` line ends.
    """
    built = product_csv_select(reseller, updated_since=updated_since)
    if built is None:
        return csv_stream(product_rows(reseller, updated_since=updated_since), PRODUCT_COLUMNS)
    sql, params = built

    def stream() -> Iterator[str | bytes]:
        from django.db import connection

        yield from csv_stream(iter(()), PRODUCT_COLUMNS)  # BOM + header, exactly as the Python writer
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for data in copy:  # no line breaks inside cells (checked above), so every \n ends a row
                yield bytes(data).replace(b"\n", b"\r\n")

    return stream()
