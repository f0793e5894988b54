"""CPU per API placement, in-process: ``POST /api/v1/purchase-orders/`` through the whole WSGI stack.

Sequential requests through ``django.test.Client`` (every middleware, the API key, the rate
limit's Redis round trip, idempotency, the placing transaction, the outbox, the response),
one reseller and API key, each request on another of 200 SKUs with a fresh
``Idempotency-Key``. Measured:

- the process's CPU time per request (``time.process_time``: independent of how many other
  jobs share the cores, unlike wall time) and the PostgreSQL backend's CPU per request (from
  ``/proc/<backend pid>/stat`` when the server is local), medians of ``REPEATS`` runs;
- a cProfile (CPU clock) of one more run: the functions with the most own time, and
  cumulative time of the main stages.

``BENCH_PLACECPU_REQUESTS`` (default 300) sets the requests per run.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import time
import uuid
from decimal import Decimal

from django.db import connection

from . import data
from .report import Report

REQUESTS = int(os.environ.get("BENCH_PLACECPU_REQUESTS", "300"))
REPEATS = 3
KEY = "bench-placecpu-reseller-key-0"


def _setup():
    from distribution.api.models import ApiKey, hash_key
    from settlement.services import wallet_adjust
    from suppliers.models import SKU

    supplier = data.supplier("下單CPU供應商 Placement CPU Supplier")
    data.member(supplier.organisation)
    data.catalog(supplier, products=200, skus_per_product=(1,), seed=11, start=700_000, on_hand=100_000_000)
    skus = list(SKU.objects.filter(supplier=supplier).order_by("pk"))
    reseller = data.reseller("下單CPU分銷商")
    user = data.member(reseller.organisation)
    data.partner(supplier, reseller)
    ApiKey.objects.create(organisation=reseller.organisation, name="bench", prefix=KEY[:12], key_hash=hash_key(KEY), created_by=user)
    wallet_adjust(actor=None, organisation=reseller.organisation, amount=Decimal("1000000.00"), memo="bench", idempotency_key="pc")
    data.analyze()
    return skus


def _backend_cpu() -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend, if it runs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(client, skus, n: int, tag: str) -> tuple[float, float | None, float]:
    bodies = []
    for i in range(n):
        sku = skus[i % len(skus)]
        line = {"sku_id": sku.pk, "quantity": 1, "retail_price": f"{sku.min_retail_amount:.2f}"}
        bodies.append(json.dumps({"consumer_order_ref": f"CPU-{tag}-{i}", "shipping_address": data.ADDRESS, "lines": [line]}))
    headers = [{"Authorization": f"Bearer {KEY}", "Idempotency-Key": uuid.uuid4().hex} for _ in range(n)]
    db0 = _backend_cpu()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for body, h in zip(bodies, headers, strict=True):
        response = client.post("/api/v1/purchase-orders/", data=body, content_type="application/json", headers=h)
        assert response.status_code == 201, (response.status_code, response.content[:300])
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - t0
    db1 = _backend_cpu()
    return cpu / n, (db1 - db0) / n if db0 is not None and db1 is not None else None, wall / n


def run(report: Report, **_kwargs) -> None:
    from django.conf import settings
    from django.test import Client

    settings.API_RATE_LIMIT_PER_MINUTE = 100_000_000  # still counted in Redis (one round trip), never refused
    report.line(f"\n## 1c. CPU per API placement, in-process ({REQUESTS} sequential requests per run, {REPEATS} runs)")
    skus = _setup()
    client = Client()
    connection.ensure_connection()
    _run(client, skus, 20, "warm")  # a fresh process's one-time work (compile caches, imports)
    app, db, wall = [], [], []
    for r in range(REPEATS):
        a, d, w = _run(client, skus, REQUESTS, f"r{r}")
        app.append(a * 1000)
        wall.append(w * 1000)
        if d is not None:
            db.append(d * 1000)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _run(client, skus, REQUESTS, "prof")
    profiler.disable()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    report.table(
        ["measure", "median", "runs"],
        [
            ["app CPU per request (process_time)", f"{statistics.median(app):.2f} ms", ", ".join(f"{x:.2f}" for x in app)],
            ["PostgreSQL backend CPU per request", f"{statistics.median(db):.2f} ms" if db else "n/a", ", ".join(f"{x:.2f}" for x in db)],
            ["wall per request", f"{statistics.median(wall):.2f} ms", ", ".join(f"{x:.2f}" for x in wall)],
        ],
    )
    report.line(f"load average {load}")
    for sort, limit in (("tottime", 30), ("cumulative", 45)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(limit)
        report.line(f"\ncProfile ({REQUESTS} requests, CPU clock) by {sort}:\n```\n" + out.getvalue().strip()[-9000:] + "\n```")
