"""Product and stock feeds of a reseller's store list (R10): CSV, XLSX, JSON.

Rows are read with ``.iterator(chunk_size=…)`` (images fetched per chunk) and
written as they come, so a 100,000-row store list never sits in memory: CSV and
JSON stream through ``StreamingHttpResponse``; XLSX goes through openpyxl's
write-only workbook into a temporary file served by ``FileResponse``.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db.models import Case, F, When
from django.db.models.functions import Greatest

from distribution.core.csv_stream import FORMULA_STARTS, csv_lines, xlsx_row
from distribution.core.divisions import name_of
from distribution.core.money import format_money
from suppliers.models import PriceBreak, ProductImage
from suppliers.terms import price_annotations, price_breaks_of, reseller_price

from .models import Reseller, StoreListing
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
    "price_breaks",
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
    "terms_override",
    "terms_breaks",
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
            **price_annotations(reseller.pk, sku_ref="sku_id"),
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
            own_price,
            break_prices,
        ) in chunk:
            urls = []
            for name in images.get(product_id, ()):
                url = url_of.get(name)
                if url is None:
                    url = url_of[name] = _absolute(image_url(name))
                urls.append(url)
            discount = discounts.get(supplier_id)
            price = (
                reseller_price(supply_price=supply_price, discount=discount, breaks=price_breaks_of(break_prices), override=own_price)
                if discount is not None
                else None
            )
            yield {
                "sku_code": code,
                "title": title,
                "attributes": attributes or {},
                "images": urls,
                "province": division(province_code),
                "city": division(city_code),
                "supply_price": format_money(price.unit) if price is not None else "",
                "retail_price": format_money(retail_price),
                "min_retail_price": format_money(min_retail),
                "max_retail_price": format_money(max_retail),
                "available": max(on_hand - reserved, 0),
                "status": status,
                "updated_at": updated.isoformat(),
                "item_code": item_code,
                "price_breaks": [{"min_quantity": q, "supply_price": format_money(u)} for q, u in (price.breaks if price else ())],
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
        elif isinstance(value, list) and value and isinstance(value[0], dict):  # price breaks
            value = "; ".join(f"{item['min_quantity']}: {item['supply_price']}" for item in value)
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


# --- the product CSV built by PostgreSQL ---------------------------------------------------------
#
# ``product_csv_copy`` writes the same bytes as ``csv_stream(product_rows(...), PRODUCT_COLUMNS)``
# (tests/resellers/test_feed_copy.py compares the two), but PostgreSQL builds every line:
# ``COPY (SELECT <the CSV line>) TO STDOUT``, streamed through psycopg's ``copy()``, so no row
# becomes Python objects (100,000 rows at load 8–14: 104–122 s in Python, 7–15 s this way;
# benchmarks/README.md §7). The line is
# Python's ``csv.writer`` (QUOTE_MINIMAL, ``\r\n``) of ``formula_safe`` cells, spelled in SQL:
# money as ``round(x, 2)::text`` (= ``format_money``, half-up), times as ``isoformat()`` in UTC,
# attributes as ``"key: value; …"`` in the JSON object's key order, image URLs as the storage
# prefix plus the name percent-quoted like ``filepath_to_uri``. COPY's text format escapes
# backslashes, tabs and new lines in the value and ends each line with a bare ``\n``; the
# reader turns each bare ``\n`` into ``\r\n`` and undoes the escapes.

_FORMULA_RE = r"^[+-]?\d+(\.\d+)?$"


def _fs(expr: str) -> str:
    """SQL: ``formula_safe`` of a text expression (never NULL)."""
    return (
        f"(CASE WHEN left({expr}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) AND {expr} !~ '{_FORMULA_RE}' "
        f"THEN '''' || {expr} ELSE {expr} END)"
    )


def _cell(expr: str) -> str:
    """SQL: one CSV cell of a text expression as ``csv.writer`` writes it (formula-safe, quoted when needed)."""
    value = f"COALESCE({expr}, '')"
    safe = _fs(value)
    return f"(CASE WHEN {safe} ~ '[\",\\r\\n]' THEN '\"' || replace({safe}, '\"', '\"\"') || '\"' ELSE {safe} END)"


def _iso_utc(expr: str) -> str:
    """SQL: ``datetime.isoformat()`` of a timestamptz as Django reads it (UTC)."""
    utc = f"({expr} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        f"|| CASE WHEN extract(microseconds FROM {utc})::bigint %% 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00')"
    )


# A name made only of the characters ``quote(…, safe="/~!*()'")`` keeps, else percent-quoted byte by byte.
_URI_PLAIN = r"^[A-Za-z0-9_.~!*()''/-]*$"  # (the quote doubled for the SQL literal)
_URI_QUOTED = (
    "(SELECT string_agg(CASE WHEN b BETWEEN 48 AND 57 OR b BETWEEN 65 AND 90 OR b BETWEEN 97 AND 122 "
    "OR b IN (95, 46, 45, 126, 47, 33, 42, 40, 41, 39) THEN chr(b) ELSE '%%' || upper(lpad(to_hex(b), 2, '0')) END, '' ORDER BY n) "
    "FROM (SELECT get_byte(bytes, n) AS b, n FROM (SELECT convert_to({name}, 'UTF8') AS bytes) raw, "
    "generate_series(0, octet_length(raw.bytes) - 1) AS n) each_byte)"
)


def _copy_image_prefix() -> str | None:
    """The absolute URL prefix of product images, when ``storage.url(name)`` is that prefix plus the quoted name."""
    from django.core.files.storage import FileSystemStorage

    storage = ProductImage._meta.get_field("image").storage
    if storage.__class__ is not FileSystemStorage:
        return None
    prefix = storage.base_url
    if not prefix or not prefix.endswith("/"):
        return None
    return _absolute(prefix)


@cache
def _division_arrays() -> tuple[list[str], list[str]]:
    """Every province and city code with its display name (``name_of``), for a join in SQL."""
    from distribution.core.divisions import _names

    codes = sorted(code for code in _names() if code.endswith("00"))
    return codes, [name_of(code) for code in codes]


def _product_copy_sql(reseller: Reseller, *, updated_since: datetime | None, shop) -> tuple[str, list] | None:
    prefix = _copy_image_prefix()
    if prefix is None:
        return None
    # .order_by(): no sort by the model's default ordering in here (the rows are put in id order once, outside)
    inner_qs = (
        feed_listings(reseller=reseller, updated_since=updated_since, shop=shop)
        .order_by()
        .values(
            f_id=F("pk"),
            f_supplier_id=F("supplier_id"),
            f_retail=F("retail_price_amount"),
            f_status=F("status"),
            f_updated=Greatest(F("updated_at"), F("sku__updated_at")),
            f_title=Case(
                When(sku__product__has_pending_changes=True, then=F("sku__product__approved_title")), default=F("sku__product__title")
            ),
            f_code=F("sku__code"),
            f_attributes=F("sku__attributes"),
            f_supply=F("sku__supply_price_amount"),
            f_min=F("sku__min_retail_amount"),
            f_max=F("sku__max_retail_amount"),
            f_on_hand=F("sku__on_hand"),
            f_reserved=F("sku__reserved"),
            f_product_id=F("sku__product_id"),
            f_province=F("sku__product__province_code"),
            f_city=F("sku__product__city_code"),
            f_item_code=F("item_code"),
            f_sku_id=F("sku_id"),
            f_override=price_annotations(reseller.pk, sku_ref="sku_id")["terms_override"],
        )
    )
    inner_sql, inner_params = inner_qs.query.get_compiler(using=inner_qs.db).as_sql()
    partnerships = partnerships_by_supplier(reseller)
    supplier_ids = list(partnerships)
    discounts = [partnerships[s].tier.discount_percent for s in supplier_ids]
    codes, names = _division_arrays()
    attribute = (
        "CASE jsonb_typeof(a.value) WHEN 'string' THEN a.value #>> '{}' WHEN 'null' THEN 'None' "
        "WHEN 'boolean' THEN CASE WHEN a.value = 'true'::jsonb THEN 'True' ELSE 'False' END ELSE a.value::text END"
    )
    attributes = (
        "CASE WHEN jsonb_typeof(f.f_attributes) = 'object' THEN COALESCE((SELECT string_agg(a.key || ': ' || "  # noqa: S608
        f"{attribute}, '; ' ORDER BY a.n) FROM jsonb_each(f.f_attributes) WITH ORDINALITY AS a(key, value, n)), '') ELSE '' END"
    )
    breaks = (  # each "from quantity: price" with the tier applied, when no own price wins
        f"(SELECT string_agg(pb.\"min_quantity\" || ': ' || round(pb.\"unit_price\" * (100 - d.discount) / 100, 2)::text, '; ' "  # noqa: S608
        f'ORDER BY pb."min_quantity") FROM "{PriceBreak._meta.db_table}" pb '
        'WHERE pb."sku_id" = f.f_sku_id AND d.discount IS NOT NULL AND f.f_override IS NULL)'
    )
    image_url = f"%s || CASE WHEN i.name ~ '{_URI_PLAIN}' THEN i.name ELSE {_URI_QUOTED.format(name='i.name')} END"
    # The image URLs of each product once (a product's images repeat on every SKU's row: a
    # subquery per row cost ~40 % of the statement), for the products of this feed only.
    images = (
        f"SELECT i.product_id, string_agg({image_url}, ' ' ORDER BY i.position, i.id) AS urls "  # noqa: S608 (names from the models)
        f'FROM (SELECT pi."product_id", ltrim(replace(pi."image", chr(92), \'/\'), \'/\') AS name, pi."position", pi."id" '
        f'FROM "{ProductImage._meta.db_table}" pi WHERE pi."product_id" IN (SELECT f_product_id FROM f) '
        f'AND pi."approved" AND pi."image" <> \'\') i GROUP BY i.product_id'
    )
    # The values once per row (OFFSET 0 keeps PostgreSQL from copying the subqueries into every
    # reference the cells make), then the cells: formula-safe, quoted when needed, comma-joined.
    # Only text a user typed (code, title, attributes, item code) can start a formula or hold a
    # comma, quote or line break; numbers, times, states and image URLs cannot (and the division
    # names and the image prefix are checked here once), so those cells skip the checks.
    values = [
        ("f.f_code", True),
        ("f.f_title", True),
        (attributes, True),
        ("img.urls", _needs_cell([prefix])),
        ("pv.name", _needs_cell(names)),
        ("cv.name", _needs_cell(names)),
        # the reseller's own price, else its tier's (suppliers.terms.reseller_price); nothing when not partnered
        (
            "(CASE WHEN d.discount IS NULL THEN NULL "
            "ELSE COALESCE(f.f_override, round(f.f_supply * (100 - d.discount) / 100, 2)) END)::text",
            False,
        ),
        ("round(f.f_retail, 2)::text", False),
        ("round(f.f_min, 2)::text", False),
        ("round(f.f_max, 2)::text", False),
        ("GREATEST(f.f_on_hand - f.f_reserved, 0)::text", False),
        ("f.f_status", _needs_cell(_STATUSES)),
        (_iso_utc("f.f_updated"), False),
        ("f.f_item_code", True),
        (breaks, False),  # "quantity: price; …", digits only
    ]
    cells = [_cell(f"v.c{n}") if checked else f"COALESCE(v.c{n}, '')" for n, (_value, checked) in enumerate(values)]
    line = " || ',' || ".join(cells)
    sql = (
        f"COPY (WITH f AS MATERIALIZED ({inner_sql}), img AS ({images}) "  # noqa: S608 (built from the models, values are parameters)
        f"SELECT {line} FROM (SELECT f.f_id, "
        + ", ".join(f"{value} AS c{n}" for n, (value, _checked) in enumerate(values))
        + " FROM f LEFT JOIN img ON img.product_id = f.f_product_id "
        "LEFT JOIN unnest(%s::bigint[], %s::numeric[]) AS d(supplier_id, discount) ON d.supplier_id = f.f_supplier_id "
        "LEFT JOIN unnest(%s::text[], %s::text[]) AS pv(code, name) ON pv.code = f.f_province "
        "LEFT JOIN unnest(%s::text[], %s::text[]) AS cv(code, name) ON cv.code = f.f_city "
        "ORDER BY f.f_id OFFSET 0) v ORDER BY v.f_id) TO STDOUT"
    )
    # the parameters in the order they appear: the inner query's, the image prefix, then the joins'
    params = [*inner_params, prefix, supplier_ids, discounts, codes, names, codes, names]
    return sql, params


_STATUSES = [value for value, _label in StoreListing.Status.choices]
_CSV_SPECIAL = re.compile(r'[",\r\n]')


def _needs_cell(texts: list[str]) -> bool:
    """Whether any of these (constant) texts could need ``formula_safe`` or CSV quoting."""
    return any(t and (t[0] in FORMULA_STARTS or _CSV_SPECIAL.search(t)) for t in texts)


_COPY_ESCAPES = {b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"v": b"\v"}
_COPY_ESCAPE = re.compile(rb"\\(.)", re.S)
FLUSH_BYTES = 64 * 1024


def _csv_block(data: bytes) -> tuple[bytes, bytes]:
    """COPY text-format lines as CSV bytes (``\\r\\n`` line ends, escapes undone), and an escape cut
    at the block's end (a lone trailing backslash), which belongs to the next block."""
    if b"\\" not in data:
        return data.replace(b"\n", b"\r\n"), b""
    carry = b""
    trailing = len(data) - len(data.rstrip(b"\\"))
    if trailing % 2:
        data, carry = data[:-1], b"\\"
    return _unescape(data.replace(b"\n", b"\r\n")), carry


def _unescape(data: bytes) -> bytes:
    return _COPY_ESCAPE.sub(lambda m: _COPY_ESCAPES.get(m.group(1), m.group(1)), data)


def product_csv_copy(reseller: Reseller, *, updated_since: datetime | None = None, shop=None) -> Iterator[bytes] | None:
    """The product feed CSV as bytes built by PostgreSQL (see above); None when the image storage's
    URLs cannot be built in SQL (then use ``csv_stream(product_rows(…))``)."""
    built = _product_copy_sql(reseller, updated_since=updated_since, shop=shop)
    if built is None:
        return None
    sql, params = built
    header = next(csv_lines(PRODUCT_COLUMNS, ())).encode()
    db = StoreListing.objects.db_manager().db  # the router's choice (the replica inside replica_reads())

    def stream() -> Iterator[bytes]:
        from django.db import connections, transaction

        yield header
        # One read-only transaction, so that the setting below is the statement's alone (SET LOCAL:
        # no session state, as a transaction-mode pooler needs); a client that goes away mid-way
        # closes the generator and so rolls it back.
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            # no JIT: for the many cell expressions PostgreSQL compiled ~200 functions for this one
            # statement (inlining, optimising: 20 of 35 s in EXPLAIN ANALYZE at load 12), more
            # than running it costs
            cursor.execute("SET LOCAL jit = off")
            yield from _copied(cursor, sql, params)

    def _copied(cursor, sql, params) -> Iterator[bytes]:
        # COPY hands over one row per chunk: they are gathered into ~64 KB blocks, and each block's
        # line ends and escapes are turned into the CSV's in one pass
        raw: list[bytes] = []
        size = 0
        carry = b""
        with cursor.cursor.copy(sql, params) as copy:
            for chunk in copy:
                raw.append(bytes(chunk))
                size += len(chunk)
                if size >= FLUSH_BYTES:
                    block, carry = _csv_block(carry + b"".join(raw))
                    yield block
                    raw, size = [], 0
        block, carry = _csv_block(carry + b"".join(raw))
        if block or carry:
            yield block + carry

    return stream()
