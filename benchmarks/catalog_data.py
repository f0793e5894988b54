"""A catalog of N listed products (default 1,000,000) built in minutes with INSERT … SELECT generate_series.

Titles mix traditional and simplified Chinese and English like ``data.title_for`` (about 30 %
of the Chinese words in simplified script), so a query in either script has work to do.
About 1 in 10,000 titles is ``真絲印花連衣裙`` (the rare, order-tolerant case). 1–2 SKUs per
product (1.5 per product on average), with JSON attributes, prices and stock. Triggers are
off while loading (``session_replication_role = replica``): ``sync_at`` is written directly.
"""

from __future__ import annotations

import time

from django.db import connection

from resellers.search_index import normalise

from . import data

ADJ_ZH = data.ADJ_ZH
ITEMS_ZH = [zh for zh, _ in data.ITEMS]
ITEMS_EN = [en for _, en in data.ITEMS]
RARE = "真絲印花連衣裙"
TRGM_INDEXES = {
    "resellers_trgm_product_title": (
        "suppliers_product USING gin (((CASE WHEN has_pending_changes THEN approved_title ELSE title END)::text) gin_trgm_ops)"
    ),
    "resellers_trgm_product_brand": "suppliers_product USING gin (brand gin_trgm_ops)",
    "resellers_trgm_sku_code": "suppliers_sku USING gin (code gin_trgm_ops)",
}


def _simplified(words: list[str]) -> list[str]:
    """The simplified spelling, keeping full-width/case as written (normalise also folds case)."""
    import opencc

    converter = opencc.OpenCC("t2s.json")
    return [converter.convert(w) for w in words]


PRODUCT_SQL = """
INSERT INTO suppliers_product (supplier_id, title, description, category_id, brand, province_code, city_code, is_imported,
    status, status_reason, approved_title, approved_description, has_pending_changes, listed_at, created_at, updated_at,
    no_reason_return, quality_return_days)
SELECT (%(suppliers)s::bigint[])[1 + abs(hashint4(n)) %% %(nsup)s], t.title, '', (%(cats)s::bigint[])[1 + abs(hashint4(n + 1)) %% %(ncat)s],
       t.brand, (%(provinces)s::text[])[1 + n %% 5], (%(cities)s::text[])[1 + n %% 5], false,
       'listed', '', t.title, '', false, now() - make_interval(secs => n), now() - make_interval(secs => n),
       now() - make_interval(secs => n), true, 15
FROM generate_series(%(start)s, %(stop)s) AS n
CROSS JOIN LATERAL (
    SELECT brand, left(CASE
        WHEN n %% 9973 = 0 THEN brand || ' ' || %(rare)s || ' ' || adj_zh || ' 型號' || n
        WHEN n %% 3 = 0 THEN brand || ' ' || adj_zh || item_zh || ' ' || adj_zh2 || ' 型號' || n
        WHEN n %% 3 = 1 THEN brand || ' ' || adj_en || ' ' || item_en || ' Model ' || n
        ELSE brand || ' ' || adj_zh || item_zh || ' ' || adj_en || ' ' || item_en || ' ' || n END, 200) AS title
    FROM (SELECT
        (%(brands)s::text[])[1 + abs(hashint4(n + 2)) %% %(nbrand)s] AS brand,
        (%(adj_zh)s::text[])[1 + abs(hashint4(n + 3)) %% %(nadj_zh)s] AS adj_zh,
        (%(adj_zh)s::text[])[1 + abs(hashint4(n + 4)) %% %(nadj_zh)s] AS adj_zh2,
        (%(adj_en)s::text[])[1 + abs(hashint4(n + 5)) %% %(nadj_en)s] AS adj_en,
        (CASE WHEN abs(hashint4(n + 6)) %% 10 < 3 THEN %(items_zh_s)s::text[] ELSE %(items_zh)s::text[] END)
            [1 + abs(hashint4(n + 7)) %% %(nitems)s] AS item_zh,
        (%(items_en)s::text[])[1 + abs(hashint4(n + 7)) %% %(nitems)s] AS item_en
    ) AS pick
) AS t
"""

SKU_SQL = """
INSERT INTO suppliers_sku (supplier_id, product_id, code, attributes, supply_price_amount, suggested_retail_amount,
    min_retail_amount, max_retail_amount, weight_grams, on_hand, reserved, is_active, created_at, updated_at, sync_at,
    min_order_quantity, order_multiple)
SELECT p.supplier_id, p.id, 'S' || p.supplier_id || '-' || p.id || '-' || v,
       jsonb_build_object('顏色', (%(colours)s::text[])[1 + abs(hashint4((p.id * 3 + v)::int)) %% 7], '尺碼', (%(sizes)s::text[])[v]),
       pr.sp, pr.sp + 30, pr.sp + 10, pr.sp + 80, 300, abs(hashint4((p.id * 5 + v)::int)) %% 500, 0, true,
       p.created_at, p.updated_at, p.updated_at, 1, 1
FROM suppliers_product p
CROSS JOIN LATERAL generate_series(1, 1 + (p.id %% 2)) AS v
CROSS JOIN LATERAL (SELECT (10 + abs(hashint4(p.id::int)) %% 29000 / 100.0)::numeric(14, 2) AS sp) AS pr
WHERE p.id BETWEEN %(low)s AND %(high)s
"""


def build(*, products: int, suppliers: list, categories: list, report=None) -> dict[str, float]:
    """Insert ``products`` listed products with their SKUs; returns timings (seconds) per step."""
    timings: dict[str, float] = {}
    params = {
        "suppliers": [s.pk for s in suppliers], "nsup": len(suppliers),
        "cats": [c.pk for c in categories], "ncat": len(categories),
        "provinces": [p for p, _ in data.LOCATIONS], "cities": [c for _, c in data.LOCATIONS],
        "brands": data.BRANDS, "nbrand": len(data.BRANDS),
        "adj_zh": ADJ_ZH, "nadj_zh": len(ADJ_ZH), "adj_en": data.ADJ_EN, "nadj_en": len(data.ADJ_EN),
        "items_zh": ITEMS_ZH, "items_zh_s": _simplified(ITEMS_ZH), "items_en": ITEMS_EN, "nitems": len(ITEMS_ZH),
        "rare": RARE, "colours": data.COLOURS, "sizes": data.SIZES,
    }  # fmt: skip
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for name in TRGM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("SET session_replication_role = replica")  # no triggers / FK checks while bulk loading
        cursor.execute("SELECT COALESCE(max(id), 0) FROM suppliers_product")
        first_id = cursor.fetchone()[0] + 1
        step = 200_000
        for start in range(1, products + 1, step):
            cursor.execute(PRODUCT_SQL, {**params, "start": start, "stop": min(start + step - 1, products)})
        cursor.execute("SELECT max(id) FROM suppliers_product")
        last_id = cursor.fetchone()[0]
        timings["products"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        for low in range(first_id, last_id + 1, step):
            cursor.execute(SKU_SQL, {**params, "low": low, "high": min(low + step - 1, last_id)})
        cursor.execute("SET session_replication_role = DEFAULT")
        timings["skus"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for name, definition in TRGM_INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {definition}")
        timings["trigram indexes"] = time.perf_counter() - t2
    return timings


def rare_title_normalised() -> str:
    return normalise(RARE)
