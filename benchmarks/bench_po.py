"""Purchase-order throughput: threads placing and paying POs through the real services and ledger."""

from __future__ import annotations

import statistics
import threading
import time
from decimal import Decimal

from django.db import connection

from procurement import services
from settlement.reconcile import reconcile
from settlement.services import wallet_adjust

from . import data
from .report import Report, ms, percentile

THREADS = 8


def _setup():
    supplier = data.supplier("基準供應商 Bench Supplier")
    data.catalog(supplier, products=THREADS + 1, skus_per_product=(1,), seed=1, on_hand=100_000_000)
    skus = list(supplier.skus.order_by("pk"))
    buyers = []
    for i in range(THREADS):
        reseller = data.reseller(f"基準分銷商{i + 1}")
        user = data.member(reseller.organisation)
        data.partner(supplier, reseller)
        wallet_adjust(actor=None, organisation=reseller.organisation, amount=Decimal("100000000.00"), memo="bench", idempotency_key=f"b{i}")
        buyers.append((reseller, user))
    return supplier, skus[:THREADS], skus[THREADS], buyers


def _scenario(supplier, buyers, sku_for, threads: int, seconds: float) -> dict:
    """Each thread is one reseller ordering from ``supplier``; returns throughput and latencies."""
    barrier = threading.Barrier(threads + 1)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    stop_at = [0.0]

    def worker(i: int) -> None:
        reseller, user = buyers[i]
        sku = sku_for(i)
        price = sku.min_retail_amount
        try:
            barrier.wait()
            n = 0
            while time.perf_counter() < stop_at[0]:
                n += 1
                t0 = time.perf_counter()
                po = services.purchase_order_place(
                    actor=user,
                    reseller=reseller,
                    supplier=supplier,
                    lines=[{"sku": sku.pk, "quantity": 1, "retail_price": price}],
                    consumer_order_ref=f"B{i}-{n}",
                    address=data.ADDRESS,
                )
                services.purchase_order_pay(actor=user, purchase_order=po)
                latencies[i].append(time.perf_counter() - t0)
        except Exception as exc:  # report, don't hang the barrier
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return {
        "pos": len(flat),
        "rate": len(flat) / elapsed,
        "p50": statistics.median(flat) if flat else float("nan"),
        "p95": percentile(flat, 95),
        "errors": errors,
    }


def run(report: Report, *, seconds: float, **_kwargs) -> None:
    report.line("\n## 1. Purchase orders: place + pay (real services, real ledger)")
    t0 = time.perf_counter()
    supplier, distinct, hot, buyers = _setup()
    report.line(
        f"setup {time.perf_counter() - t0:.1f} s; one supplier, {THREADS} partnered resellers (one per thread), {seconds:.0f} s per run"
    )
    report.line()
    runs = [
        ("different SKUs", 1),
        ("different SKUs", 4),
        ("different SKUs", 8),
        ("same SKU (hot row)", 4),
        ("same SKU (hot row)", 8),
    ]
    rows = []
    for label, threads in runs:
        sku_for = (lambda i: distinct[i]) if label.startswith("different") else (lambda i: hot)
        result = _scenario(supplier, buyers, sku_for, threads, seconds)
        rows.append(
            [label, threads, result["pos"], f"{result['rate']:.1f}", ms(result["p50"]), ms(result["p95"]), len(result["errors"]) or ""]
        )
        for error in result["errors"][:3]:
            report.line(f"  error: {error}")
    report.table(["SKUs", "threads", "POs placed+paid", "POs/s", "p50 latency", "p95 latency", "errors"], rows)
    check = reconcile()
    report.line(f"ledger reconciliation after the runs: {'OK' if check.ok else '; '.join(check.problems[:5])}")
