"""Catalog search latency on 20,000 listed products / ~50,000 SKUs, Chinese and English queries."""

from __future__ import annotations

import time

from django.test import Client

from resellers.search import CatalogQuery, catalog_search

from . import data
from .report import Report, summary, timed

PRODUCTS = 20_000
SUPPLIERS = 10
QUERIES = ["短袖", "保溫杯", "純棉 T恤", "藍牙耳機 便攜", "茶", "cotton", "wireless earbuds", "Stainless Steel", "Nordic 背包"]
PAGE = 25
REPEAT = 6


def _setup():
    per_supplier = PRODUCTS // SUPPLIERS
    suppliers = [
        data.supplier(f"{name}貿易有限公司 {name} Trading")
        for name in ("華東", "嶺南", "申城", "閩南", "京華", "蜀錦", "江南", "湘楚", "齊魯", "燕趙")
    ]
    skus = 0
    for i, s in enumerate(suppliers):
        skus += data.catalog(s, products=per_supplier, skus_per_product=(2, 3, 2, 3, 2), seed=100 + i, start=i * per_supplier)
    reseller = data.reseller("搜尋分銷商")
    user = data.member(reseller.organisation)
    for s in suppliers[:4]:
        data.partner(s, reseller)
    data.analyze()
    return reseller, user, skus


def run(report: Report, **_kwargs) -> None:
    report.line(f"\n## 2. Catalog search ({PRODUCTS:,} listed products)")
    t0 = time.perf_counter()
    reseller, user, skus = _setup()
    report.line(
        f"setup {time.perf_counter() - t0:.1f} s: {PRODUCTS:,} products, {skus:,} SKUs, {SUPPLIERS} suppliers (bulk_create, then ANALYZE)"
    )
    report.line()
    client = Client()
    client.force_login(user)
    from suppliers.models import SKU

    rows = []
    code = SKU.objects.order_by("pk").values_list("code", flat=True)[12345]
    for q in [*QUERIES, code]:
        qs = catalog_search(reseller=reseller, query=CatalogQuery(q=q))
        hits = qs.count()

        def selector(qs=qs):
            # what paginate() does: a COUNT and the first page
            qs.count()
            list(qs[:PAGE])

        def page(q=q):
            response = client.get("/catalog/", {"q": q})
            assert response.status_code == 200, response.status_code

        rows.append([f"`{q}`", f"{hits:,}", summary(timed(selector, REPEAT)), summary(timed(page, REPEAT))])
    report.table(["query", "matches", "catalog_search: count + first 25", "GET /catalog/?q= (whole page)"], rows)
    for q in ("保溫杯", "wireless earbuds"):
        plan = catalog_search(reseller=reseller, query=CatalogQuery(q=q)).explain()
        used = sorted(
            {
                name
                for name in (
                    "resellers_trgm_product_title",
                    "resellers_trgm_product_brand",
                    "resellers_trgm_sku_code",
                    "resellers_trgm_supplier_name",
                )
                if name in plan
            }
        )
        report.line(f"EXPLAIN `{q}`: trigram indexes used: {', '.join(used) or 'NONE'}")
        report.line("```")
        for line in plan.splitlines():
            wanted = "trgm" in line or "~~*" in line or "Seq Scan on suppliers_product" in line or "Seq Scan on suppliers_sku" in line
            if wanted and "Sort Key" not in line:
                report.line(line.rstrip())
        report.line("```")
