"""Reseller product feed (CSV) of a 100,000-entry store list: stream time and peak Python memory.

The page builds the CSV with PostgreSQL's COPY (``resellers.feeds.product_csv_copy``); the
"Python rows" runs force the former path (``csv_stream(product_rows(…))``) in the same run, and
the two outputs of the 100,000 list are compared by SHA-256 (they must be the same bytes).

``BENCH_FEED_STAGE=build`` only builds the data (e.g. under a shared lock, into a database later
used as ``BENCH_TEMPLATE_DATABASE``); ``BENCH_FEED_STAGE=measure`` (with ``--keep-db`` or such a
template) measures on the data it finds. ``BENCH_FEED_PYTHON_ROWS=0`` leaves out the slow Python
rows run (the COPY output's SHA-256 is still printed, to compare with an earlier run's), and
``BENCH_FEED_REPEATS=N`` streams the 100,000-entry COPY N times (median printed).
"""

from __future__ import annotations

import gc
import hashlib
import os
import statistics
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
STAGE = os.environ.get("BENCH_FEED_STAGE", "all")
PYTHON_ROWS = os.environ.get("BENCH_FEED_PYTHON_ROWS", "1") != "0"
REPEATS = int(os.environ.get("BENCH_FEED_REPEATS", "2"))


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


def _found():
    """The two resellers (and a member each) a ``build`` stage left in this database."""
    from accounts.models import Membership
    from resellers.models import Reseller

    found = []
    for name in ("大型分銷商", "小型分銷商"):
        reseller = Reseller.objects.get(organisation__name=name)
        found.append((reseller, Membership.objects.filter(organisation=reseller.organisation).order_by("pk").first().user))
    return found


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
    assert STAGE in ("all", "build", "measure"), STAGE
    report.line(f"\n## 3. Product feed CSV of a {ENTRIES:,}-entry store list")
    t0 = time.perf_counter()
    if STAGE == "measure":
        (big, big_user), (small, small_user) = _found()
    else:
        (big, big_user), (small, small_user) = _setup()
        report.line(
            f"setup {time.perf_counter() - t0:.1f} s: 2 suppliers × 10,000 products × 5 SKUs (2 images each), "
            f"store lists of {ENTRIES:,} and {SMALL:,} entries"
        )
    if STAGE == "build":
        from django.db import connection

        with connection.cursor() as c:
            c.execute("VACUUM (ANALYZE)")
        return
    report.line()
    rows = []
    digests = {}
    copy_times = []
    runs = [
        (small_user, SMALL, False, False),
        *((big_user, ENTRIES, False, False) for _ in range(max(REPEATS - 1, 1))),
        *(((big_user, ENTRIES, False, True),) if PYTHON_ROWS else ()),
        *(((big_user, ENTRIES, False, False),) if REPEATS > 1 else ()),
        (small_user, SMALL, True, False),
        (big_user, ENTRIES, True, False),
    ]
    for user, count, trace, python_rows in runs:
        elapsed, size, lines, peak, rss_growth, digest = _stream(user, trace=trace, python_rows=python_rows)
        assert lines == count + 1, (lines, count)
        if count == ENTRIES and not trace:
            digests.setdefault("Python rows" if python_rows else "COPY", set()).add(digest)
            if not python_rows:
                copy_times.append(elapsed)
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
    report.line(f"COPY of {ENTRIES:,} entries: median {statistics.median(copy_times):.2f} s of {len(copy_times)} runs "
                f"({', '.join(f'{t:.2f}' for t in copy_times)} s); SHA-256 {', '.join(sorted(digests['COPY']))}")  # fmt: skip
    if PYTHON_ROWS:
        same = len(digests.get("COPY", ())) == 1 and digests.get("COPY") == digests.get("Python rows")
        report.line(f"COPY output = Python rows output ({ENTRIES:,} entries, SHA-256): {'yes' if same else 'NO: ' + str(digests)}")
