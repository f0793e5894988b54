"""Catalog search for resellers: listed products of visible suppliers, from the search table.

The rows (``resellers.models.SearchEntry``, one per listed product) and how text is
normalised and tokenised are described in ``resellers.search_index``. A query here is one
statement on that table: the GIN index on ``tokens`` finds the candidates (every word
required, in any order), ``LIKE`` on the normalised text confirms adjacency for words of
three or more characters, filters are columns of the same row, and the supplier-level
rules (suspended or listing-sanctioned suppliers, the channel filter) come in as a short
list of excluded supplier ids read first, so a penalty that starts or ends by the clock
takes effect at once without rewriting rows.

Relevance is an integer per word (title starts with it 5, title contains it 4, brand 2; a
match elsewhere — attributes, SKU codes, supplier name — counts 0 but is required), then
newest first. An exact SKU code answers from a b-tree on ``lower(code)`` before any text
matching. Pages are keyset pages (a cursor of the last row's sort key), and the count is
exact up to ``COUNT_CAP`` and otherwise an estimate ("about 26,000"): for a text query from
the heap block where the capped candidate read stopped, in the same statement.

The substring lookups below (``trgm_icontains``) are still used by the store list.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import psycopg
from django.conf import settings
from django.db import connection, models
from django.db.backends.postgresql.base import CursorDebugWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Case, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Penalty
from suppliers.models import SKU, Category, Partnership, PriceOverride, Product, ProductImage, Supplier
from suppliers.terms import hidden_product_ids, own_price_ranges


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeContains(models.Lookup):
    """``field ILIKE '%value%'`` (served by the gin_trgm_ops indexes); wildcards in the value are escaped."""

    lookup_name = "trgm_icontains"

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"%{escaped}%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILikeStartsWith(ILikeContains):
    lookup_name = "trgm_istartswith"

    def get_db_prep_lookup(self, value, connection):
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "%s", [f"{escaped}%"]


def visible_suppliers(now=None) -> models.QuerySet:
    """Suppliers whose products resellers may see: active, and not under a listing sanction (suspend_listing, listing_removal)."""
    hidden = Penalty.objects.suspending_listing(now).values("organisation_id")
    return Supplier.objects.filter(status=Supplier.Status.ACTIVE).exclude(pk__in=hidden)


def display_title() -> Case:
    """The title resellers see: the last approved one while an edit awaits review."""
    return Case(When(has_pending_changes=True, then=F("approved_title")), default=F("title"), output_field=models.CharField())


def display_description() -> Case:
    return Case(When(has_pending_changes=True, then=F("approved_description")), default=F("description"), output_field=models.TextField())


def descendant_ids(category_id: int) -> list[int]:
    """The category and all categories below it (one query for the whole tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category_id]
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


COUNT_CAP = 1000
CANDIDATES = 1000
MAX_FACET_CATEGORIES = 100  # a category filter with more leaves stays a column test only
SAMPLE_ROWS = 5000


_table_rows: dict[str, tuple[float, float, float]] = {}  # "rows" → (reltuples, relpages, when read: monotonic seconds)
TABLE_ROWS_TTL = 300.0


# what the ranking and the page read of a candidate (not the wide text and tokens columns)
_CANDIDATE_COLUMNS = ", ".join(
    f"e.{c}"
    for c in ("product_id", "listed_at", "stock", "supplier_id", "title", "brand")
    + ("supply_min", "supply_max", "suggested_min", "suggested_max")
)
_LOADED = {
    "Product": {"id", "title", "approved_title", "has_pending_changes", "brand", "supplier_id", "category_id"},
    "Supplier": {"organisation_id", "company_name"},
    "ProductImage": {"id", "product_id", "image", "thumbnail", "position", "approved"},
}


@cache
def _fields(model) -> list[str]:
    """The loaded columns of ``model`` in its field order (what ``Model.from_db`` expects; the rest stay deferred)."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in _LOADED[model.__name__]]


def _page_details_sql(reseller_id, order: str) -> tuple[str, list]:
    """The tail of the page statement after ``WITH m AS (the page's rows)``: each row with its product's
    shown columns, supplier and category names, approved images (as in ``selectors.approved_images``)
    and whether the reseller has an own price on one of its SKUs (only those need ``own_price_ranges``)."""
    images = ProductImage._meta.db_table
    overrides = PriceOverride._meta.db_table
    # table names from the models, no user input
    sql = (
        "SELECT m.*, p.title, p.approved_title, p.has_pending_changes, p.brand, p.supplier_id, p.category_id, "  # noqa: S608
        "s.company_name AS supplier_name, k.name AS category_name, "
        f"(SELECT json_agg(json_build_object('id', i.id, 'product_id', i.product_id, 'image', i.image, "
        f"'thumbnail', i.thumbnail, 'position', i.position, 'approved', i.approved) ORDER BY i.position, i.id) "
        f"FROM {images} i WHERE i.product_id = m.product_id AND i.approved) AS images, "
        f"EXISTS (SELECT 1 FROM {overrides} o JOIN {SKU._meta.db_table} u ON u.id = o.sku_id "
        f"WHERE o.reseller_id = %s AND u.product_id = m.product_id) AS own_price "
        f"FROM m LEFT JOIN {Product._meta.db_table} p ON p.id = m.product_id "
        f"LEFT JOIN {Supplier._meta.db_table} s ON s.{Supplier._meta.pk.column} = p.supplier_id "
        f"LEFT JOIN {Category._meta.db_table} k ON k.id = p.category_id "
        f"ORDER BY {order}"
    )
    return sql, [reseller_id]


def _search_table_size(cursor) -> tuple[float, float]:
    """The search table's rows and heap blocks as the planner knows them (``reltuples``, ``relpages``),
    read at most every 5 minutes per process."""
    now = time.monotonic()
    cached = _table_rows.get("rows")
    if cached is None or now - cached[2] > TABLE_ROWS_TTL:
        cursor.execute("SELECT GREATEST(reltuples, 1), GREATEST(relpages, 1) FROM pg_class WHERE oid = 'resellers_searchentry'::regclass")
        rows, blocks = cursor.fetchone()
        cached = _table_rows["rows"] = (float(rows), float(blocks), now)
    return cached[0], cached[1]


def _estimate(cursor, join: str, where: str, params: list) -> int:
    """How many rows match, from a block sample of about SAMPLE_ROWS rows (the planner's own
    estimate for a bigram AND is far off: 740 for 26,500 at 1M rows)."""
    rows = _search_table_size(cursor)[0]
    percent = min(100.0, 100.0 * SAMPLE_ROWS / rows)
    cursor.execute(
        f"SELECT count(*) FROM resellers_searchentry e TABLESAMPLE SYSTEM (%s) REPEATABLE (19) {join} WHERE {where}",  # noqa: S608
        [percent, *params],
    )
    return int(cursor.fetchone()[0] * 100.0 / percent)


class _PreparingCursor(psycopg.Cursor):
    """A server-side binding cursor whose statements are prepared on the server at their first run and
    run with the statement's generic plan (``plan_cache_mode`` set around it, in one round trip).

    Why generic: PostgreSQL otherwise plans every run of a prepared statement again while the generic
    plan's estimated cost is above its custom plans' (here always: a ``tsquery`` parameter is
    estimated at 0.5 % of the rows, 5,000 heap pages, while a literal common bigram pair says 750),
    so preparing alone saved the parse only. The generic plan is the custom plans' shape, the GIN
    bitmap of the tsquery (EXPLAIN in benchmarks/README §11d), and page sizes stay literals in the
    text, so no ``LIMIT $n`` is estimated at a tenth of the table. ``SET`` is transactional: when
    the statement fails, the implicit transaction of the pipeline (or the caller's) undoes it."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        conn = self.connection
        with conn.pipeline():
            for setting in _SEARCH_SETTINGS:
                conn.execute(f"SET {setting}", prepare=False)
            super().execute(query, params, prepare=True, binary=binary)
            for setting in _SEARCH_SETTINGS:
                conn.execute(f"RESET {setting.split()[0]}", prepare=False)
        return self


# Set around each search statement (and reset after it, in the same round trip). ``synchronize_seqscans``
# off: a sequential scan of the search table (a price sort without words reads its first candidates
# so) otherwise starts where another scan of it is (tables over a quarter of shared_buffers), so the
# candidates moved from one search to the next and the block-position count estimate, which assumes
# the scan began at block 0, said "about 9,900" for 971,000 rows at 1M products.
_SEARCH_SETTINGS = ("plan_cache_mode = force_generic_plan", "synchronize_seqscans = off")


class _LoggedCursor(CursorDebugWrapper):
    """Django's query log (tests, DEBUG) with the statement's parameters in place: psycopg keeps no
    client-side text of a server-bound statement, which Django's wrapper would log as None."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params) if params else sql):
            return CursorWrapper.execute(self, sql, params)


NEVER_BY_COUNT = 2**31 - 1  # psycopg ignores prepare=True while a connection's prepare_threshold is None


@contextmanager
def _search_cursor():
    """The cursor of the search's statements: prepared on the server (a named statement per text and
    parameter types, per connection; psycopg keeps the last 100), so PostgreSQL parses and plans the
    page statement with its subplans once per pooled connection and shape, not on every search (its
    plan took longer than its execution for a rare query). The text of one shape is the same for any
    words and filter values: those are parameters. Behind a transaction-mode pooler (DATABASE_POOLER)
    a prepared statement would not belong to the client's next server connection: a plain cursor.
    Correct with DB_SERVER_SIDE_BINDING either way (Django's own cursors are unchanged)."""
    if settings.DATABASE_POOLER or connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django's own cursors bind on the client (they never prepare) unless DB_SERVER_SIDE_BINDING,
        # which sets a threshold; this only lets our explicit prepare=True through.
        raw.prepare_threshold = NEVER_BY_COUNT
    with connection.wrap_database_errors:
        inner = _PreparingCursor(raw)
    connection.validate_thread_sharing()
    # Django's wrapper (database errors translated, the query log while queries are logged)
    with _LoggedCursor(inner, connection) if connection.queries_logged else connection.make_cursor(inner) as cursor:
        yield cursor


CODE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz-_./")


@dataclass
class CatalogQuery:
    q: str = ""
    category_id: int | None = None
    province_code: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    supplier_id: int | None = None
    in_stock: bool = False
    my_channel: bool = False
    sort: str = "relevance"  # relevance / newest / price_asc / price_desc
    cursor: str = ""


@dataclass
class CatalogPage:
    """One page of results. ``products`` carry ``shown_title``, ``price_from``, ``price_to``,
    ``partnered``, ``stock`` and ``shown_images``; ``count`` is exact unless ``count_estimated``."""

    products: list[Product] = field(default_factory=list)
    next_cursor: str | None = None
    count: int = 0
    count_estimated: bool = False
    code_match: bool = False


def _excluded_suppliers_sql(*, reseller, query: CatalogQuery, now: datetime) -> tuple[str, list]:
    """SQL of the ids of suppliers with rows in the index whose products this reseller must not see now
    (or filtered out). Run inside the search's own statements (an InitPlan, evaluated once per statement),
    so a penalty that starts or ends by the clock takes effect at once and costs no statement of its own."""
    from .models import SearchEntry

    indexed = Supplier.objects.filter(Exists(SearchEntry.objects.filter(supplier_id=OuterRef("pk"))))
    hidden = ~Q(status=Supplier.Status.ACTIVE) | Q(pk__in=Penalty.objects.suspending_listing(now).values("organisation_id"))
    if query.my_channel:
        hidden |= (
            Q(terms__isnull=False)
            & ~Q(terms__accepted_channel_types=[])
            & ~Q(terms__accepted_channel_types__contains=[reseller.channel_type])
        )
    sql, params = indexed.filter(hidden).values_list("pk", flat=True).query.sql_with_params()
    return sql, list(params)


def _tier_factors_sql(*, reseller_id, now: datetime) -> tuple[str, list]:
    """SQL of (supplier_id, factor) for the reseller's live partnerships: its tier's supply-price factor."""
    factor = ExpressionWrapper(
        (Value(Decimal(100)) - Coalesce(F("tier__discount_percent"), Value(Decimal(0)))) / Value(Decimal(100)),
        output_field=models.DecimalField(),
    )
    rows = Partnership.objects.live(now).filter(reseller_id=reseller_id).annotate(factor=factor).values("supplier_id", "factor")
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


_SENTINEL_NOW = (datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC), datetime(2002, 3, 4, 5, 6, 7, 890123, tzinfo=UTC))
_SENTINEL_ID = (-7_770_001, -7_770_002)
_subquery_sql: dict[tuple, tuple[str, list, list[str | None]] | None] = {}


def _bound_sql(key: tuple, build, reseller_id, now: datetime) -> tuple[str, list]:
    """``build(reseller_id, now)`` (a queryset's SQL and params), compiled by the ORM once per process and
    ``key`` and then only re-bound: the ORM's compilation of the three subqueries was most of a rare
    query's time. It is compiled twice with different stand-in values for the reseller and the clock;
    only when the SQL is equal and the params differ exactly where the stand-ins are is it reused,
    so a builder that derives a value from ``now`` (or branches on the reseller) is compiled every time."""
    if reseller_id is None:  # no reseller: the builders take another shape (``none()``, ``IS NULL``)
        return build(reseller_id, now)
    if key not in _subquery_sql:
        first = build(_SENTINEL_ID[0], _SENTINEL_NOW[0])
        second = build(_SENTINEL_ID[1], _SENTINEL_NOW[1])
        slots: list[str | None] = []
        reusable = first[0] == second[0] and len(first[1]) == len(second[1])
        for a, b in zip(first[1], second[1], strict=False):
            if a == b and a not in _SENTINEL_ID and a not in _SENTINEL_NOW:
                slots.append(None)
            elif (a, b) == _SENTINEL_ID:
                slots.append("id")
            elif (a, b) == _SENTINEL_NOW:
                slots.append("now")
            else:
                reusable = False
        _subquery_sql[key] = (first[0], list(first[1]), slots) if reusable else None
    cached = _subquery_sql[key]
    if cached is None:
        return build(reseller_id, now)
    sql, params, slots = cached
    return sql, [reseller_id if s == "id" else now if s == "now" else v for v, s in zip(params, slots, strict=True)]


def _hidden_products_sql(reseller_id, now: datetime) -> tuple[str, list]:
    sql, params = hidden_product_ids(reseller_id, now).query.sql_with_params()
    return sql, list(params)


def _as_code(q: str) -> str | None:
    """``q`` normalised when it looks like a SKU code (letters, digits and ``-_./`` with a digit or a
    separator); a plain word ("cotton") is not worth the look-up."""
    from .search_index import normalise

    code = normalise(q)
    looks_like_a_code = len(code) >= 3 and set(code) <= CODE_CHARS and any(c.isdigit() or c in "-_./" for c in code)
    return code if looks_like_a_code else None


def encode_cursor(sort: str, key: list) -> str:
    raw = json.dumps([sort, key], default=str, ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list | None:
    """The key of a cursor made for ``sort``, or None (a stale or forged cursor starts at page one)."""
    if not cursor:
        return None
    try:
        got_sort, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if got_sort != sort or not isinstance(key, list):
        return None
    return key


class _Sql:
    def __init__(self) -> None:
        self.where: list[str] = []
        self.params: list = []

    def add(self, clause: str, *params) -> None:
        self.where.append(clause)
        self.params.extend(params)


def search_catalog(  # noqa: C901
    *, reseller, query: CatalogQuery, per_page: int = 25, now: datetime | None = None, _as_text: bool = False
) -> CatalogPage:
    """Listed products of visible suppliers matching ``query``, best first, one keyset page.

    A query that looks like a SKU code is first one statement restricted to the products with an
    active SKU of exactly that code (b-tree on ``lower(code)``, a semi-join of the page statement);
    only when that finds nothing is it searched again as text (``_as_text``)."""
    from .search_index import compile_query, facet_query, like_escape

    now = now or timezone.now()
    page = CatalogPage()
    compiled = compile_query(query.q)
    filters = _Sql()
    code = _as_code(query.q) if len(compiled.words) == 1 and not _as_text else None
    tsquery_at: int | None = None
    if code:
        page.code_match = True
        skus = SKU._meta.db_table
        filters.add(f"e.product_id IN (SELECT product_id FROM {skus} WHERE lower(code) = %s AND is_active)", code)  # noqa: S608
    elif compiled.tsquery:
        tsquery_at = len(filters.params)  # the facets of the filters below are added to it
        filters.add("e.tokens @@ %s::tsquery", compiled.tsquery)
        for pattern in compiled.likes:
            filters.add("e.text LIKE %s", pattern)
    elif compiled.words:  # punctuation only, e.g. "100%": substring on the text (a scan)
        for word in compiled.words:
            filters.add("e.text LIKE %s", f"%{like_escape(word)}%")
    # product lines (suppliers.terms): a product in a line not granted to this reseller is never found
    reseller_id = getattr(reseller, "pk", None)
    hidden_sql, hidden_params = _bound_sql(("hidden",), _hidden_products_sql, reseller_id, now)
    filters.add(f"NOT (e.product_id IN ({hidden_sql}))", *hidden_params)
    channel = getattr(reseller, "channel_type", None)
    excluded_sql, excluded_params = _bound_sql(
        ("excluded", query.my_channel, channel),
        lambda rid, at: _excluded_suppliers_sql(reseller=reseller, query=query, now=at),
        reseller_id,
        now,
    )
    filters.add(f"NOT (e.supplier_id = ANY(ARRAY({excluded_sql})))", *excluded_params)
    # With a text query the filters also go into the tsquery as facet lexemes (search_index.facet_lexemes):
    # the GIN lookup drops the rows they exclude before any heap page is read. The column tests stay
    # (cheap on the rows left, and the whole filter when there is no text).
    # A column test that a facet of the tsquery already applies is written so that no b-tree serves it
    # (``+ 0``): otherwise the planner ANDs the GIN bitmap with the category index's (166,000 rows
    # of a top-level category at 1M products, 22 of a 57 ms search) for rows the GIN lookup has
    # already dropped.
    faceted = tsquery_at is not None
    facets: list[str] = []
    if query.category_id:
        categories = descendant_ids(query.category_id)
        as_facet = faceted and len(categories) <= MAX_FACET_CATEGORIES
        filters.add(f"{'(e.category_id + 0)' if as_facet else 'e.category_id'} = ANY(%s)", categories)
        if as_facet:
            facets.append(facet_query("c", categories))
    if query.province_code:
        filters.add("e.province_code = %s", query.province_code)  # no index of its own
        facets.append(facet_query("p", [query.province_code]))
    if query.supplier_id:
        filters.add(f"{'(e.supplier_id + 0)' if faceted else 'e.supplier_id'} = %s", query.supplier_id)
        facets.append(facet_query("s", [query.supplier_id]))
    if query.in_stock:
        filters.add("e.in_stock")
        facets.append(facet_query("stock", []))
    if tsquery_at is not None and facets:
        filters.params[tsquery_at] = " & ".join([compiled.tsquery, *facets])

    # the reseller's partnered suppliers and their tier factor, joined (a subquery of the same statement)
    factors_sql, join_params = _bound_sql(("factors",), lambda rid, at: _tier_factors_sql(reseller_id=rid, now=at), reseller_id, now)
    join = f"LEFT JOIN ({factors_sql}) AS d ON d.supplier_id = e.supplier_id"
    price_from = "CASE WHEN d.factor IS NULL THEN e.suggested_min ELSE round(e.supply_min * d.factor, 2) END"
    price_to = "CASE WHEN d.factor IS NULL THEN e.suggested_max ELSE round(e.supply_max * d.factor, 2) END"
    count_join, count_join_params = "", []
    if query.price_min is not None or query.price_max is not None:
        count_join, count_join_params = join, join_params  # the count needs the tier prices only for this filter
    if query.price_min is not None:
        filters.add(f"({price_to}) >= %s", query.price_min)
    if query.price_max is not None:
        filters.add(f"({price_from}) <= %s", query.price_max)

    rank_sql, rank_params = "0", []
    if compiled.words and not code:
        parts = []
        for word in compiled.words:
            escaped = like_escape(word)
            parts.append("(CASE WHEN e.title LIKE %s THEN 5 ELSE 0 END + CASE WHEN e.title LIKE %s THEN 4 ELSE 0 END"
                         " + CASE WHEN e.brand LIKE %s THEN 2 ELSE 0 END)")  # fmt: skip
            rank_params += [f"{escaped}%", f"%{escaped}%", f"%{escaped}%"]
        rank_sql = " + ".join(parts)

    sort = query.sort if query.sort in ("newest", "price_asc", "price_desc") else "relevance"
    if sort == "relevance" and rank_sql == "0":
        sort = "newest"
    # (key columns, direction): the keyset compares the tuple with < (descending) or > (ascending)
    keys = {
        "relevance": (["m.rank", "m.listed_at", "m.product_id"], "<"),
        "newest": (["m.listed_at", "m.product_id"], "<"),
        "price_asc": (["m.price_from_key", "-m.product_id"], ">"),
        "price_desc": (["m.price_to_key", "m.product_id"], "<"),
    }[sort]
    columns, op = keys
    where = " AND ".join(filters.where) or "TRUE"
    count_sql = f"SELECT 1 FROM resellers_searchentry e {count_join} WHERE {where}"  # noqa: S608
    count_params = [*count_join_params, *filters.params]
    key = decode_cursor(query.cursor, sort)
    outer_where, outer_params = "", []
    if key is not None and len(key) == len(columns):
        outer_where = f"WHERE ({', '.join(columns)}) {op} ({', '.join(['%s'] * len(columns))})"
        outer_params = [datetime.fromisoformat(v) if c.endswith("listed_at") else v for c, v in zip(columns, key, strict=True)]
    direction = "DESC" if op == "<" else "ASC"
    order = ", ".join(f"{c} {direction}" for c in columns)
    select = (
        f"SELECT e.product_id, e.listed_at, e.stock, d.factor IS NOT NULL AS partnered, ({rank_sql}) AS rank, "
        f"{price_from} AS price_from, {price_to} AS price_to, "
        f"COALESCE({price_from}, 1e12) AS price_from_key, COALESCE({price_to}, -1) AS price_to_key"
    )
    # A text query (or code) and the price sorts rank candidates: ordering every match would read every
    # matching row (one heap page each: 26,000 pages for a common word at 1M products), so the first
    # CANDIDATES + 1 matches are read once, in physical order, into a CTE that gives both the page and
    # the count (exact up to COUNT_CAP). Without words, newest first is read in index order instead.
    ranked = bool(compiled.words) or sort.startswith("price")
    # The page's products, supplier and category names, approved images and whether the reseller has an
    # own price on one of its SKUs come in the same statement, joined to the page's rows only.
    details, detail_params = _page_details_sql(reseller_id, order)
    with _search_cursor() as cursor:
        if ranked:
            # ``last_block``: the heap block of the last candidate read. The bitmap heap scan reads in
            # physical order, so when it stopped at CANDIDATES + 1 the share of the table it covered
            # estimates the whole count without a second (sample) statement.
            sql = (
                f"WITH c AS MATERIALIZED (SELECT {_CANDIDATE_COLUMNS}, e.ctid AS row_ctid FROM resellers_searchentry e {count_join} "  # noqa: S608
                f"WHERE {where} LIMIT {CANDIDATES + 1}), "
                f"m AS (SELECT m.*, (SELECT count(*) FROM c) AS total, "
                f"(SELECT max((row_ctid::text::point)[0]) FROM c) AS last_block "
                f"FROM ({select} FROM c e {join}) m {outer_where} ORDER BY {order} LIMIT {int(per_page) + 1}) {details}"
            )
            params = [*count_params, *rank_params, *join_params, *outer_params, *detail_params]
        else:
            inner = f"{select} FROM resellers_searchentry e {join} WHERE {where}"  # noqa: S608
            limit = int(per_page) + 1
            sql = f"WITH m AS (SELECT m.*, NULL AS total FROM ({inner}) m {outer_where} ORDER BY {order} LIMIT {limit}) {details}"  # noqa: S608
            params = [*rank_params, *join_params, *filters.params, *outer_params, *detail_params]
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if code and not rows and not query.cursor:  # no product of this code (or none visible): search it as text
            return search_catalog(reseller=reseller, query=query, per_page=per_page, now=now, _as_text=True)
        if ranked and rows:
            page.count = rows[0]["total"]
            if page.count > CANDIDATES and rows[0]["last_block"] is not None:
                blocks = _search_table_size(cursor)[1]
                page.count = max(int(page.count * blocks / (rows[0]["last_block"] + 1)), CANDIDATES + 1)
                page.count_estimated = True
        elif not outer_where and len(rows) <= per_page:
            page.count = len(rows)  # the whole result is on this page
        else:
            cursor.execute(f"SELECT count(*) FROM ({count_sql} LIMIT {COUNT_CAP + 1}) c", count_params)  # noqa: S608
            page.count = cursor.fetchone()[0]
            if page.count > COUNT_CAP:
                page.count = max(_estimate(cursor, count_join, where, count_params), COUNT_CAP + 1)
        if page.count > COUNT_CAP:
            page.count_estimated = True

    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        values = []
        for c in columns:
            name = c.lstrip("-").removeprefix("m.")
            value = last[name]
            if c.startswith("-"):
                value = -value
            values.append(value.isoformat() if isinstance(value, datetime) else (str(value) if isinstance(value, Decimal) else value))
        page.next_cursor = encode_cursor(sort, values)

    own_price = []
    for row in rows:
        if row["title"] is None:  # the product row went away since it was indexed
            continue
        row["id"] = row["product_id"]
        product = Product.from_db("default", _fields(Product), [row[f] for f in _fields(Product)])
        product.supplier = Supplier.from_db("default", _fields(Supplier), [row["supplier_id"], row["supplier_name"]])
        if row["category_id"] is not None:
            product.category = Category.from_db("default", ["id", "name"], [row["category_id"], row["category_name"]])
        image_fields = _fields(ProductImage)
        product.shown_images = [ProductImage.from_db("default", image_fields, [i[f] for f in image_fields]) for i in row["images"] or ()]
        product.shown_title = product.approved_title if product.has_pending_changes else product.title
        product.partnered = row["partnered"]
        product.price_from, product.price_to, product.stock = row["price_from"], row["price_to"], row["stock"]
        product.rank = row["rank"]
        page.products.append(product)
        if row["own_price"] and product.partnered:
            own_price.append(product.pk)
    # the index holds the tier's range; a SKU with the reseller's own price changes it (suppliers.terms)
    own = own_price_ranges(reseller.pk, own_price, now)
    for product in page.products:
        if product.pk in own:
            product.price_from, product.price_to = own[product.pk]
    return page


def rounded_estimate(n: int) -> int:
    """Two significant digits: 26,473 → 26,000."""
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return round(n, -digits)


__all__ = ["CatalogPage", "CatalogQuery", "descendant_ids", "display_description", "display_title", "search_catalog"]
