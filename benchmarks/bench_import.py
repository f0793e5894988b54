"""Shop order import: a 10,000-row Taobao order report (GBK CSV) previewed and then placed by the worker."""

from __future__ import annotations

import csv
import gc
import io
import threading
import time

from procurement import order_import as oi
from procurement.models import PurchaseOrder
from resellers.models import StoreListing
from resellers.shop_services import shop_default
from suppliers.models import SKU

from . import data
from .report import Report, rss_bytes

ROWS = 10_000
LINES_PER_ORDER = 4  # two SKUs of each of two suppliers: 2,500 consumer orders → 5,000 POs


def _setup():
    suppliers = [data.supplier(f"匯入供應商{i + 1} Import Supplier {i + 1}") for i in range(2)]
    for i, s in enumerate(suppliers):
        data.catalog(s, products=100, skus_per_product=(5,), seed=700 + i, start=800_000 + i * 1_000, on_hand=1_000_000)
    reseller = data.reseller("匯入分銷商")
    user = data.member(reseller.organisation)
    for s in suppliers:
        data.partner(s, reseller)
    shop = shop_default(reseller=reseller)
    skus = list(SKU.objects.filter(supplier__in=suppliers).order_by("pk"))
    StoreListing.objects.bulk_create(
        [
            StoreListing(
                reseller=reseller, shop=shop, supplier_id=sku.supplier_id, sku=sku, item_code=sku.code,
                retail_price_amount=sku.suggested_retail_amount,
            )
            for sku in skus
        ]
    )  # fmt: skip
    data.analyze()
    by_supplier = {s.pk: [sku for sku in skus if sku.supplier_id == s.pk] for s in suppliers}
    return reseller, user, shop, by_supplier


def _file(by_supplier) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["订单编号", "买家会员名", "收货人姓名", "收货地址", "联系手机", "宝贝标题", "商家编码", "价格", "购买数量"])
    pools = list(by_supplier.values())
    for n in range(ROWS // LINES_PER_ORDER):
        ref = f'="30120000{n:08d}"'
        for k in range(LINES_PER_ORDER):
            sku = pools[k % 2][(n * 2 + k // 2) % len(pools[k % 2])]
            writer.writerow([
                ref, f"buyer{n}", "张三", f"浙江省 杭州市 西湖区 文三路{n % 500 + 1}号", f"138{n:08d}"[:11], "商品", sku.code,
                str(sku.suggested_retail_amount), "1",
            ])  # fmt: skip
    return out.getvalue().encode("gbk")


def _measure(func):
    """(result, seconds, peak RSS growth in bytes), RSS sampled every 50 ms by a thread (tracemalloc would slow
    the parser's string work several times over, so it is left off for the timings)."""
    gc.collect()
    baseline = rss_bytes()
    peak = [baseline]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss_bytes())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        result = func()
    finally:
        elapsed = time.perf_counter() - t0
        stop.set()
        sampler.join()
    return result, elapsed, max(peak[0], rss_bytes()) - baseline


def run(report: Report, **_kwargs) -> None:
    report.line(f"\n## 5. Shop order import: {ROWS:,} rows (Taobao report, GBK CSV)")
    t0 = time.perf_counter()
    reseller, user, shop, by_supplier = _setup()
    content = _file(by_supplier)
    report.line(f"setup {time.perf_counter() - t0:.1f} s: 2 suppliers × 500 SKUs published in one shop; file {len(content) / 1e6:.1f} MB")

    def preview():
        return oi.order_import_create(actor=user, reseller=reseller, shop=shop, file=io.BytesIO(content), file_name="tb.csv", layout="taobao")  # noqa: E501

    imp, preview_s, preview_rss = _measure(preview)
    ready = imp.rows.filter(outcome="ready").count()
    print(f"preview: {ROWS} rows, {ready} ready, {preview_s:.1f} s, peak RSS growth {preview_rss / 1e6:.1f} MB", flush=True)

    def place():
        oi.order_import_place(actor=user, reseller=reseller, order_import_id=imp.pk)
        return oi.order_import_run(order_import_id=imp.pk, actor_id=user.pk)

    done, place_s, place_rss = _measure(place)
    pos = PurchaseOrder.objects.filter(shop=shop).count()
    report.table(
        ["step", "rows / orders", "time", "rate", "peak RSS growth"],
        [
            ["preview (read, check, store rows)", f"{ROWS:,} rows, {ready:,} ready", f"{preview_s:.1f} s",
             f"{ROWS / preview_s:,.0f} rows/s", f"{preview_rss / 1e6:.1f} MB"],
            ["placement (worker)", f"{done.orders_done:,} orders → {pos:,} POs", f"{place_s:.1f} s",
             f"{pos / place_s:,.1f} POs/s", f"{place_rss / 1e6:.1f} MB"],
        ],
    )  # fmt: skip
    assert done.status == "done" and pos == ROWS // LINES_PER_ORDER * 2, (done.status, pos)
