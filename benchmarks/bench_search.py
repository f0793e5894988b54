"""Catalog search at 1,000,000 listed products / 1,500,000 SKUs, per query kind; and the API product feed.

``--search-products N`` (or ``BENCH_SEARCH_PRODUCTS``) changes the size. The data comes from
``catalog_data.build`` (INSERT … SELECT generate_series), the search table from the real
``rebuild_search_index`` code path (``resellers.search_index.rebuild``).
"""

from __future__ import annotations

import os
import re
import statistics
import time
from datetime import timedelta

from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resellers.search import CatalogQuery, search_catalog

from . import catalog_data, data
from .report import Report, percentile, timed

DEFAULT_PRODUCTS = 1_000_000
SUPPLIERS = 200
PARTNERED = 20
REPEAT = int(os.environ.get("BENCH_SEARCH_REPEAT", 20))
PAGE_REPEAT = 10
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", 3))
API_REPEAT = int(os.environ.get("BENCH_SEARCH_API_REPEAT", 5))
FEED_REPEAT = int(os.environ.get("BENCH_SEARCH_FEED_REPEAT", 3))

QUERIES = [
    ("common, 3 characters", "保溫杯"),
    ("common, simplified for traditional", "保温杯"),
    ("common, 2 characters", "短袖"),
    ("common, 1 character", "茶"),
    ("two words, either order", "襯衫 純棉"),
    ("rare, order-tolerant", "真絲連衣裙"),
    ("rare, simplified", "真丝印花连衣裙"),
    ("mixed script", "Nordic 背包"),
    ("mixed script, one word", "LED台灯"),
    ("English", "cotton"),
    ("English, two words", "wireless earbuds"),
    ("English, full-width capitals", "ＣＯＴＴＯＮ"),
    ("no match", "潛水艇"),
]


def _existing():
    """With ``--keep-db`` and ``BENCH_SEARCH_REUSE=1``: the catalog a previous run built."""
    from resellers.models import Reseller
    from suppliers.models import Category, Supplier

    reseller = Reseller.objects.get(name="搜尋分銷商")
    user = reseller.organisation.memberships.first().user
    leaves = list(Category.objects.filter(parent__isnull=False).order_by("pk"))
    suppliers = list(Supplier.objects.filter(company_name__startswith="供應商").order_by("pk"))
    return reseller, user, leaves, suppliers


WORKERS = int(os.environ.get("BENCH_SEARCH_WORKERS", 3))


def _index_range(low: int, high: int) -> int:
    """One worker's share of the search table: ``search_index.entry_rows`` (the rows the live hooks and
    ``rebuild_search_index`` write) for listed products ``low``..``high``, COPYed into the empty table."""
    from resellers.search_index import COLUMNS, entry_rows
    from suppliers.models import Product

    listed = Product.objects.filter(status=Product.Status.LISTED, pk__gte=low, pk__lte=high).order_by("pk")
    total, last = 0, low - 1
    while ids := list(listed.filter(pk__gt=last).values_list("pk", flat=True)[:5000]):
        rows = entry_rows(ids)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY resellers_searchentry ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        total, last = total + len(rows), ids[-1]
    connection.close()
    return total


def _index(report: Report) -> int:
    """The search table of the whole catalog, by ``WORKERS`` processes over product id ranges, secondary
    indexes dropped while loading and built once afterwards (the row-by-row GIN upkeep of ``rebuild``
    made it 25 minutes at load 10)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from resellers.models import SearchEntry
    from suppliers.models import Product

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE resellers_searchentry")
        for index in SearchEntry._meta.indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{index.name}"')
    bounds = Product.objects.aggregate(low=models.Min("pk"), high=models.Max("pk"))
    step = (bounds["high"] - bounds["low"]) // WORKERS + 1
    ranges = [(bounds["low"] + i * step, bounds["low"] + (i + 1) * step - 1) for i in range(WORKERS)]
    import django

    # spawned, not forked: a fork would share the parent's pooled connections
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"), initializer=django.setup) as pool:
        indexed = sum(pool.map(_index_range, *zip(*ranges, strict=True)))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
    with connection.schema_editor() as editor:  # the model's own index definitions, whatever a killed run left
        for index in SearchEntry._meta.indexes:
            editor.add_index(SearchEntry, index)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) resellers_searchentry")  # hint bits and visibility map once, not in the first searches
    report.line(f"search table: {indexed:,} rows")
    return indexed


def _setup(products: int, report: Report):
    if os.environ.get("BENCH_SEARCH_REUSE") == "1":
        return _existing()
    if os.environ.get("BENCH_SEARCH_REUSE") == "catalog":  # the catalog is there, its search table is not
        _index(report)
        data.analyze()
        return _existing()
    t0 = time.perf_counter()
    suppliers = [data.supplier(f"供應商{i:03d}貿易有限公司 Supplier {i:03d}") for i in range(SUPPLIERS)]
    leaves = data.categories()
    reseller = data.reseller("搜尋分銷商")
    user = data.member(reseller.organisation)
    for s in suppliers[:PARTNERED]:
        data.partner(s, reseller)
    timings = catalog_data.build(products=products, suppliers=suppliers, categories=leaves)
    # one supplier suspended, one under a listing penalty: their rows stay, the query excludes them
    from accounts.models import Penalty
    from suppliers.models import Supplier

    Supplier.objects.filter(pk=suppliers[-1].pk).update(status=Supplier.Status.SUSPENDED)
    Penalty.objects.create(
        organisation=suppliers[-2].organisation, rule="R9", description="bench", sanction=Penalty.Sanction.SUSPEND_LISTING
    )
    t1 = time.perf_counter()
    indexed = _index(report)
    timings[f"search table ({WORKERS} processes)"] = time.perf_counter() - t1
    data.analyze()
    report.line(
        f"setup {time.perf_counter() - t0:.0f} s: {products:,} products, {SUPPLIERS} suppliers ({PARTNERED} partnered), "
        f"{indexed:,} search rows; " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    )
    return reseller, user, leaves, suppliers


def _explain(report: Report, label: str, func) -> None:
    """EXPLAIN ANALYZE of the page statement ``func`` runs (the one ordering search rows)."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    statements = [q["sql"] for q in ctx.captured_queries if "FROM resellers_searchentry" in q["sql"] and "ORDER BY" in q["sql"]]
    if not statements:
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statements[0])
        plan = [row[0] for row in cursor.fetchall()]
    wanted = re.compile(r"Limit|Sort|Bitmap|Index|Recheck|Rows Removed|Heap Blocks|Execution Time|Planning Time|Hash Join|Seq Scan")
    report.line(f"EXPLAIN ANALYZE `{label}` (page statement, excerpt):")
    report.line("```")
    for line in plan:
        if wanted.search(line) and "Sort Key" not in line and "Buffers" not in line:
            report.line(line.rstrip()[:160])
    report.line("```")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _baseline():
    """The machine's yardstick in the same run: one indexed row by primary key, a round trip and nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT product_id FROM resellers_searchentry WHERE product_id = %s", [BASELINE_PRODUCT])
        cursor.fetchall()


BASELINE_PRODUCT = 1000


def _rounds(report: Report, funcs: list[tuple[str, object]], repeat: int) -> dict[str, list[list[float]]]:
    """Every function ``repeat`` times per round, ``ROUNDS`` rounds, the baseline timed before each
    function (interleaved, so a burst of load on the shared machine shows in both)."""
    samples: dict[str, list[list[float]]] = {label: [] for label, _ in funcs}
    samples[BASELINE] = []
    for number in range(ROUNDS):
        report.line(f"round {number + 1}/{ROUNDS} starts at load {_load()} ({time.strftime('%H:%M:%S')})")
        base: list[float] = []
        for label, func in funcs:
            base += timed(_baseline, 5)
            samples[label].append(timed(func, repeat))
        samples[BASELINE].append(base)
    return samples


BASELINE = "baseline: one row by primary key"


def _cell(rounds: list[list[float]], goal_ms: float | None = None, unit: str = " ms") -> str:
    """Median over the rounds of each round's p50 and p95, and each round's p95."""
    p50 = statistics.median(statistics.median(r) for r in rounds) * 1000
    p95s = [percentile(r, 95) * 1000 for r in rounds]
    p95 = statistics.median(p95s)
    mark = "" if goal_ms is None else (" ✓" if p95 < goal_ms else " ✗")
    return f"{p50:.1f} / {p95:.1f}{unit}{mark} ({', '.join(f'{v:.0f}' for v in p95s)})"


def run(report: Report, *, search_products: int | None = None, **_kwargs) -> None:
    products = search_products or int(os.environ.get("BENCH_SEARCH_PRODUCTS", DEFAULT_PRODUCTS))
    report.line(f"\n## 2. Catalog search ({products:,} listed products)")
    reseller, user, leaves, suppliers = _setup(products, report)
    if os.environ.get("BENCH_SEARCH_SETUP_ONLY") == "1":  # build the data (under a shared load lock), measure in another run
        return
    report.line()
    client = Client()
    client.force_login(user)
    from suppliers.models import SKU

    code = SKU.objects.filter(supplier_id=suppliers[3].pk).order_by("pk").values_list("code", flat=True)[12]
    category = leaves[0].parent_id

    def search(**kwargs):
        return search_catalog(reseller=reseller, query=CatalogQuery(**kwargs))

    second = search(q="保溫杯").next_cursor
    filtered = [
        ("+ category (top level)", {"q": "保溫杯", "category_id": category}),
        ("+ goods location", {"q": "保溫杯", "province_code": "440000"}),
        ("+ price range", {"q": "保溫杯", "price_min": 50, "price_max": 120}),
        ("+ supplier", {"q": "保溫杯", "supplier_id": suppliers[5].pk}),
        ("+ in stock", {"q": "保溫杯", "in_stock": True}),
        ("+ accepts my channel", {"q": "保溫杯", "my_channel": True}),
        ("+ all filters", {"q": "保溫杯", "category_id": category, "province_code": "440000", "price_min": 50, "price_max": 120,
                           "in_stock": True, "my_channel": True}),
        ("English + category + in stock", {"q": "cotton", "category_id": category, "in_stock": True}),
        ("sorted by price", {"q": "保溫杯", "sort": "price_asc"}),
        ("second page (keyset)", {"q": "保溫杯", "cursor": second}),
        ("no query: newest", {}),
        ("no query: category", {"category_id": category}),
        ("no query: price sort (all rows)", {"sort": "price_asc"}),
    ]  # fmt: skip
    kinds = [*((kind, {"q": q}) for kind, q in QUERIES), ("exact SKU code", {"q": code}), *filtered]
    funcs = [(kind, lambda k=kwargs: search(**k)) for kind, kwargs in kinds]
    pages = [(f"page {kind}", lambda q=kwargs["q"]: client.get("/catalog/", {"q": q})) for kind, kwargs in kinds[: len(QUERIES) + 1]]
    report.line(f"{ROUNDS} rounds × {REPEAT} searches per kind (× {PAGE_REPEAT} whole pages), a baseline before each kind")
    timings = _rounds(report, funcs, REPEAT)
    page_timings = _rounds(report, pages, PAGE_REPEAT)
    report.line(f"end at load {_load()}")
    report.line()
    rows = []
    for kind, kwargs in kinds:
        result = search(**kwargs)
        hits = f"about {result.count:,}" if result.count_estimated else f"{result.count:,}"
        with CaptureQueriesContext(connection) as ctx:
            search(**kwargs)
        goal = 10.0 if kind == "exact SKU code" else 50.0
        page = page_timings.get(f"page {kind}")
        rows.append([kind, f"`{kwargs.get('q', '')}`", hits, len(ctx.captured_queries), _cell(timings[kind], goal),
                     _cell(page) if page else ""])  # fmt: skip
    rows.append([BASELINE, "", "1", 1, _cell(timings[BASELINE]), _cell(page_timings[BASELINE])])
    report.table(["kind", "query", "matches", "statements", "search_catalog p50 / p95 (p95 per round)", "GET /catalog/?q= p50 / p95"], rows)
    _explain(report, "保溫杯", lambda: search(q="保溫杯"))
    _explain(report, "cotton", lambda: search(q="cotton"))
    _explain(report, "真絲連衣裙", lambda: search(q="真絲連衣裙"))
    _explain(report, "+ all filters", lambda: search(**dict(filtered)["+ all filters"]))
    _explain(report, code, lambda: search(q=code))
    _api(report, reseller)


def _api(report: Report, reseller) -> None:
    """The API ``products/`` feed of the partnered reseller (20 suppliers' SKUs)."""
    from django.conf import settings

    from distribution.api.models import ApiKey, hash_key
    from suppliers.models import SKU, Partnership

    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    raw = "bench_search_reseller_key_0001"
    defaults = {"organisation": reseller.organisation, "name": "bench", "prefix": raw[:12]}
    ApiKey.objects.get_or_create(key_hash=hash_key(raw), defaults=defaults)
    client = Client(headers={"authorization": f"Bearer {raw}"})
    skus = SKU.objects.filter(supplier_id__in=Partnership.objects.filter(reseller=reseller).values("supplier_id")).count()
    report.line(f"\n### API `products/` ({skus:,} SKUs of the reseller's {PARTNERED} partnered suppliers)")

    def get(**params):
        response = client.get("/api/v1/products/", params)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    first = get(limit=100)
    deep = first["next_cursor"]
    for _ in range(20):
        following = get(limit=500, cursor=deep)["next_cursor"]
        if following is None:
            break
        deep = following
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    from distribution.api import selectors

    org = reseller.organisation_id
    funcs = [
        ("first page, limit 100", lambda: get(limit=100)),
        ("first page, limit 500", lambda: get(limit=500)),
        ("page 22 (cursor), limit 500", lambda: get(limit=500, cursor=deep)),
        ("`updated_since` 5 minutes ago", lambda: get(limit=100, updated_since=since)),
        ("selector only: first page, limit 100", lambda: selectors.reseller_sku_page(org, limit=100)),
        ("selector only: page 22, limit 500", lambda: selectors.reseller_sku_page(org, limit=500, cursor=deep)),
    ]
    timings = _rounds(report, funcs, API_REPEAT)
    rows = []
    for label, func in funcs:
        with CaptureQueriesContext(connection) as ctx:
            func()
        rows.append([label, len(ctx.captured_queries), _cell(timings[label])])
    rows.append([BASELINE, 1, _cell(timings[BASELINE])])
    report.table(["request", "statements", "p50 / p95 (p95 per round)"], rows)
    with CaptureQueriesContext(connection) as ctx:
        selectors.reseller_sku_page(org, limit=500, cursor=deep)
    for number, query in enumerate(ctx.captured_queries):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        report.line(f"EXPLAIN ANALYZE page 22 statement {number + 1}: {plan[0][:120]} … {plan[-1].strip()}")
    if os.environ.get("BENCH_SEARCH_FEEDS", "1") != "0":  # the feeds take minutes; 0 skips them
        _feeds(report, reseller)


FEED_ENTRIES = 100_000

STORE_LIST_SQL = """
INSERT INTO resellers_storelisting (reseller_id, shop_id, supplier_id, sku_id, item_code, retail_price_amount, status,
    location_province_code, location_city_code, flag_out_of_range, flag_out_of_stock, flag_delisted, flag_partnership_ended,
    notified_change_key, published_at, created_at, updated_at)
SELECT %(reseller)s, %(shop)s, s.supplier_id, s.id, 'I' || s.id, s.suggested_retail_amount, 'published', '330000', '330100',
       false, false, false, false, '', now(), now(), now()
FROM suppliers_sku s
WHERE s.supplier_id = ANY(%(suppliers)s)
ORDER BY s.id
LIMIT %(entries)s
"""


def _feeds(report: Report, reseller) -> None:
    """The reseller's feeds of a 100,000-entry store list drawn from the 1M catalog (CSV by COPY, JSON, stock)."""
    from resellers.models import StoreListing
    from resellers.shop_services import shop_default
    from suppliers.models import Partnership

    if not StoreListing.objects.filter(reseller=reseller).exists():
        shop = shop_default(reseller=reseller)
        suppliers = list(Partnership.objects.filter(reseller=reseller).values_list("supplier_id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(STORE_LIST_SQL, {"reseller": reseller.pk, "shop": shop.pk, "suppliers": suppliers, "entries": FEED_ENTRIES})
            cursor.execute("ANALYZE resellers_storelisting")
    entries = StoreListing.objects.filter(reseller=reseller).count()
    report.line(f"\n### Feeds of a {entries:,}-entry store list (the 1M catalog's SKUs)")
    user = reseller.organisation.memberships.first().user
    client = Client()
    client.force_login(user)

    def stream(path: str, **params) -> tuple[float, float, int]:
        t0 = time.perf_counter()
        response = client.get(path, params)
        assert response.status_code == 200, response.status_code
        first, size = None, 0
        for chunk in response.streaming_content if response.streaming else [response.content]:
            if first is None:
                first = time.perf_counter() - t0
            size += len(chunk)
        response.close()
        return first or 0.0, time.perf_counter() - t0, size

    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    rows = []
    for label, path, params in [
        ("products.csv (COPY)", "/store/feeds/products.csv", {}),
        ("products.json", "/store/feeds/products.json", {}),
        ("stock.csv", "/store/feeds/stock.csv", {}),
        ("products.csv, `updated_since` 5 minutes ago", "/store/feeds/products.csv", {"updated_since": since}),
    ]:
        runs = [stream(path, **params) for _ in range(FEED_REPEAT)]
        first = statistics.median(r[0] for r in runs)
        whole = statistics.median(r[1] for r in runs)
        rows.append([label, f"{first * 1000:.0f} ms", f"{whole:.2f} s", f"{runs[0][2] / 1e6:.1f} MB", f"{entries / whole:,.0f}"])
    report.table(["feed", f"first byte (median of {FEED_REPEAT})", f"whole stream (median of {FEED_REPEAT})", "size", "entries/s"], rows)
