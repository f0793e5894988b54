"""Reseller product feed (CSV) of a 100,000-entry store list: stream time and peak Python memory.

The page builds the CSV with PostgreSQL's COPY (``resellers.feeds.product_csv_copy``); the
"Python rows" runs force the former path (``csv_stream(product_rows(…))``) in the same run, and
the two outputs of the 100,000 list are compared by SHA-256 (they must be the same bytes).
"""

from __future__ import annotations

import gc
import hashlib
import time
import tracemalloc
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from resellers.models import StoreListing
from resellers.shop_services import shop_default
from suppliers.models import SKU

from . import data
from .report import Report, rss_bytes

ENTRIES = 100_000
SMALL = 10_000


def _setup():
    suppliers = [data.supplier(f"饋送供應商{i + 1} Feed Supplier {i + 1}") for i in range(2)]
    for i, s in enumerate(suppliers):
        data.catalog(s, products=10_000, skus_per_product=(5,), seed=900 + i, start=500_000 + i * 10_000, images=True)
    big, small = data.reseller("大型分銷商"), data.reseller("小型分銷商")
    users = {}
    for r in (big, small):
        users[r.pk] = data.member(r.organisation)
        for s in suppliers:
            data.partner(s, r)
    skus = list(SKU.objects.filter(supplier__in=suppliers).order_by("pk").values_list("pk", "supplier_id", "suggested_retail_amount"))
    now = timezone.now()
    for reseller, count in ((big, ENTRIES), (small, SMALL)):
        shop = shop_default(reseller=reseller)  # once: a query per entry made the setup take minutes
        for offset in range(0, count, 10_000):
            StoreListing.objects.bulk_create(
                [
                    StoreListing(
                        reseller=reseller,
                        shop=shop,
                        supplier_id=supplier_id,
                        sku_id=sku_id,
                        retail_price_amount=price + Decimal("5.00"),
                        location_province_code="330000",
                        location_city_code="330100",
                        published_at=now,
                    )
                    for sku_id, supplier_id, price in skus[offset : offset + 10_000]
                ]
            )
    data.analyze()
    return (big, users[big.pk]), (small, users[small.pk])


def _stream(user, *, trace: bool, python_rows: bool = False) -> tuple[float, int, int, int, int, str]:
    """GET the CSV feed and read it to the end: (seconds, bytes, lines, peak traced bytes, peak RSS growth, SHA-256)."""
    from resellers import feeds

    copy_path = feeds.product_csv_copy
    if python_rows:
        feeds.product_csv_copy = lambda *args, **kwargs: None
    try:
        return _get(user, trace=trace)
    finally:
        feeds.product_csv_copy = copy_path


def _get(user, *, trace: bool) -> tuple[float, int, int, int, int, str]:
    client = Client()
    client.force_login(user)
    gc.collect()
    baseline = peak_rss = rss_bytes()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get("/store/feeds/products.csv")
    assert response.status_code == 200 and response.streaming, response.status_code
    size = lines = 0
    digest = hashlib.sha256()
    for n, chunk in enumerate(response.streaming_content):
        digest.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\n")
        if n % 500 == 0:
            peak_rss = max(peak_rss, rss_bytes())
    elapsed = time.perf_counter() - t0
    peak_rss = max(peak_rss, rss_bytes())
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    response.close()
    return elapsed, size, lines, peak, peak_rss - baseline, digest.hexdigest()


def run(report: Report, **_kwargs) -> None:
    report.line(f"\n## 3. Product feed CSV of a {ENTRIES:,}-entry store list")
    t0 = time.perf_counter()
    (big, big_user), (small, small_user) = _setup()
    report.line(
        f"setup {time.perf_counter() - t0:.1f} s: 2 suppliers × 10,000 products × 5 SKUs (2 images each), "
        f"store lists of {ENTRIES:,} and {SMALL:,} entries"
    )
    report.line()
    rows = []
    digests = {}
    runs = [
        (small_user, SMALL, False, False),
        (big_user, ENTRIES, False, False),
        (big_user, ENTRIES, False, True),
        (big_user, ENTRIES, False, False),
        (small_user, SMALL, True, False),
        (big_user, ENTRIES, True, False),
    ]
    for user, count, trace, python_rows in runs:
        elapsed, size, lines, peak, rss_growth, digest = _stream(user, trace=trace, python_rows=python_rows)
        assert lines == count + 1, (lines, count)
        if count == ENTRIES and not trace:
            digests.setdefault("Python rows" if python_rows else "COPY", set()).add(digest)
        rows.append(
            [
                f"{count:,}",
                ("Python rows (before)" if python_rows else "COPY") + (", tracemalloc (slows it)" if trace else ""),
                f"{elapsed:.1f} s",
                f"{lines / elapsed:,.0f}",
                f"{size / 1e6:.1f} MB",
                f"{peak / 1e6:.1f} MB" if trace else "",
                f"+{rss_growth / 1e6:.1f} MB",
            ]
        )
    report.table(["entries", "run", "time to stream", "rows/s", "CSV size", "peak traced Python memory", "peak RSS growth"], rows)
    same = len(digests.get("COPY", ())) == 1 and digests.get("COPY") == digests.get("Python rows")
    report.line(f"COPY output = Python rows output ({ENTRIES:,} entries, SHA-256): {'yes' if same else 'NO: ' + str(digests)}")
