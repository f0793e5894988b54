"""Catalog search at 1,000,000 listed products / 1,500,000 SKUs, per query kind; and the API product feed.

``--search-products N`` (or ``BENCH_SEARCH_PRODUCTS``) changes the size. The data comes from
``catalog_data.build`` (INSERT … SELECT generate_series), the search table from the real
``rebuild_search_index`` code path (``resellers.search_index.rebuild``).
"""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resellers.search import CatalogQuery, search_catalog

from . import catalog_data, data
from .report import Report, summary, timed

DEFAULT_PRODUCTS = 1_000_000
SUPPLIERS = 200
PARTNERED = 20
REPEAT = 30
PAGE_REPEAT = 10

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


def _setup(products: int, report: Report):
    if os.environ.get("BENCH_SEARCH_REUSE") == "1":
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
    from resellers import search_index

    indexed = search_index.rebuild(batch_size=5000)
    timings["search index (rebuild_search_index)"] = time.perf_counter() - t1
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


def run(report: Report, *, search_products: int | None = None, **_kwargs) -> None:
    products = search_products or int(os.environ.get("BENCH_SEARCH_PRODUCTS", DEFAULT_PRODUCTS))
    report.line(f"\n## 2. Catalog search ({products:,} listed products)")
    reseller, user, leaves, suppliers = _setup(products, report)
    report.line()
    client = Client()
    client.force_login(user)
    from suppliers.models import SKU

    code = SKU.objects.filter(supplier_id=suppliers[3].pk).order_by("pk").values_list("code", flat=True)[12]
    category = leaves[0].parent_id

    def search(**kwargs):
        return search_catalog(reseller=reseller, query=CatalogQuery(**kwargs))

    rows = []
    kinds = [*QUERIES, ("exact SKU code", code)]
    for kind, q in kinds:
        result = search(q=q)
        hits = f"about {result.count:,}" if result.count_estimated else f"{result.count:,}"
        page = summary(timed(lambda q=q: client.get("/catalog/", {"q": q}), PAGE_REPEAT))
        rows.append([kind, f"`{q}`", hits, summary(timed(lambda q=q: search(q=q), REPEAT)), page])
    filtered = [
        ("+ category (top level)", {"q": "保溫杯", "category_id": category}),
        ("+ goods location", {"q": "保溫杯", "province_code": "440000"}),
        ("+ price range", {"q": "保溫杯", "price_min": 50, "price_max": 120}),
        ("+ supplier", {"q": "保溫杯", "supplier_id": suppliers[5].pk}),
        ("+ in stock", {"q": "保溫杯", "in_stock": True}),
        ("+ accepts my channel", {"q": "保溫杯", "my_channel": True}),
        ("+ all filters", {"q": "保溫杯", "category_id": category, "province_code": "440000", "price_min": 50, "price_max": 120,
                           "in_stock": True, "my_channel": True}),
        ("sorted by price", {"q": "保溫杯", "sort": "price_asc"}),
        ("no query: newest", {}),
        ("no query: category", {"category_id": category}),
        ("no query: price sort (all rows)", {"sort": "price_asc"}),
    ]  # fmt: skip
    for kind, kwargs in filtered:
        result = search(**kwargs)
        hits = f"about {result.count:,}" if result.count_estimated else f"{result.count:,}"
        rows.append([kind, f"`{kwargs.get('q', '')}`", hits, summary(timed(lambda k=kwargs: search(**k), REPEAT)), ""])
    second = search(q="保溫杯").next_cursor
    rows.append(["second page (keyset)", "`保溫杯`", "", summary(timed(lambda: search(q="保溫杯", cursor=second), REPEAT)), ""])
    report.table(["kind", "query", "matches", "search_catalog (all its statements)", "GET /catalog/?q= (whole page)"], rows)
    _explain(report, "保溫杯", lambda: search(q="保溫杯"))
    _explain(report, "真絲連衣裙", lambda: search(q="真絲連衣裙"))
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
    rows = [
        ["first page, limit 100", summary(timed(lambda: get(limit=100), PAGE_REPEAT))],
        ["first page, limit 500", summary(timed(lambda: get(limit=500), PAGE_REPEAT))],
        ["page 22 (cursor), limit 500", summary(timed(lambda: get(limit=500, cursor=deep), PAGE_REPEAT))],
        ["`updated_since` 5 minutes ago", summary(timed(lambda: get(limit=100, updated_since=since), PAGE_REPEAT))],
    ]
    report.table(["request", "latency"], rows)
