"""Report pages over 1,000,000 purchase orders (issue 18): the rollups' full rebuild, an incremental
sweep after 1,000 changed POs, and each report page (and its CSV export) through the Django test client.

The POs, their lines and escrow holds are generated with set-based ``INSERT … SELECT generate_series``
(20 suppliers × 50 SKUs, 2,000 resellers with a shop each, a year of orders, one PO in twenty of
each kind: unpaid, closed, refunded, partially refunded after a dispute, paid, shipped, the rest
completed with 5 % commission).
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from reports import rollup
from resellers.models import Shop
from suppliers.models import SKU

from . import data
from .report import Report, summary, timed

POS = int(os.environ.get("BENCH_REPORT_POS", "1000000"))
SUPPLIERS = 20
SKUS_PER_SUPPLIER = 50
RESELLERS = 2000
ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "3"))
PAGES_ONLY = os.environ.get("BENCH_REPORT_PAGES_ONLY") == "1"

_POS_SQL = """
INSERT INTO procurement_purchaseorder (
    number, status, supplier_id, reseller_id, shop_id, consumer_order_ref, note,
    goods_amount, shipping_amount, total_amount, placed_at, pay_by, paid_at, ship_by, shipped_at, carrier, tracking_number,
    confirm_by, dispute_until, disputed_at, completed_at, closed_at, refunded_at, refund_amount, status_reason,
    recipient, mobile, province_code, city_code, district_code, street, postal_code, created_at, updated_at, shipping_breakdown)
SELECT 'PB' || to_char(g.n, 'FM000000000'),
       CASE k WHEN 0 THEN 'awaiting_payment' WHEN 1 THEN 'closed' WHEN 2 THEN 'refunded' WHEN 3 THEN 'partially_refunded'
              WHEN 4 THEN 'paid' WHEN 5 THEN 'shipped' ELSE 'completed' END,
       g.supplier_id, g.reseller_id, g.shop_id, 'TB' || g.n, '',
       s.supply_price_amount * g.q, 0, s.supply_price_amount * g.q,
       g.placed, g.placed + interval '7 days', CASE WHEN k > 1 THEN g.placed + interval '10 minutes' END,
       CASE WHEN k > 1 THEN g.placed + interval '15 days 10 minutes' END,
       CASE WHEN k > 2 THEN g.placed + interval '10 minutes' + interval '1 hour' * (g.n %% 96) END,
       CASE WHEN k > 2 THEN 'SF' ELSE '' END, CASE WHEN k > 2 THEN 'SF' || g.n ELSE '' END,
       CASE WHEN k > 2 THEN g.placed + interval '30 days' END, CASE WHEN k > 2 THEN g.placed + interval '30 days' END,
       CASE WHEN k = 3 THEN g.placed + interval '5 days' END,
       CASE WHEN k = 3 OR k > 5 THEN g.placed + interval '8 days' END,
       CASE WHEN k = 1 THEN g.placed + interval '7 days' END,
       CASE WHEN k IN (2, 3) THEN g.placed + interval '8 days' END,
       CASE k WHEN 2 THEN s.supply_price_amount * g.q WHEN 3 THEN round(s.supply_price_amount * g.q * 0.3, 2) ELSE 0 END, '',
       '張三', '13800138000', '330000', '330100', '330106', '文三路100號', '310000', g.placed, g.placed + interval '8 days', '{}'::jsonb
FROM (
    SELECT n, n %% 20 AS k, 1 + n %% 3 AS q,
           (%(sup)s::int[])[1 + ((n %% %(r)s) + (n / %(r)s) %% 2 * 7) %% %(s)s] AS supplier_id,
           (%(res)s::int[])[1 + n %% %(r)s] AS reseller_id, (%(shop)s::int[])[1 + n %% %(r)s] AS shop_id,
           ((n %% %(r)s) + (n / %(r)s) %% 2 * 7) %% %(s)s AS s_idx,
           %(now)s - interval '1 second' * ((n::bigint * 7919) %% 31536000) AS placed
    FROM generate_series(1, %(pos)s) AS n
) g
JOIN suppliers_sku s ON s.id = (%(sku)s::int[])[1 + g.s_idx * %(per)s + (g.n * 7) %% %(per)s]
"""

_LINES_SQL = """
INSERT INTO procurement_purchaseorderline (
    purchase_order_id, supplier_id, sku_id, code, title, quantity, unit_price, retail_price, line_amount, attributes)
SELECT po.id, po.supplier_id, s.id, s.code, 'bench', (po.goods_amount / s.supply_price_amount)::int, s.supply_price_amount,
       s.supply_price_amount + 30, po.goods_amount, '{}'::jsonb
FROM procurement_purchaseorder po
JOIN suppliers_sku s ON s.id = (%(sku)s::int[])[1 + ((po.supplier_idx) * %(per)s) + (substr(po.number, 3)::int * 7) %% %(per)s]
"""

_HOLDS_SQL = """
INSERT INTO settlement_escrowhold (reference, payer_id, payee_id, held_amount, refunded_amount, released_amount, commission_amount,
                                   operations, created_at, updated_at)
SELECT number, reseller_id, supplier_id, total_amount, refund_amount,
       CASE WHEN status IN ('completed', 'partially_refunded') THEN total_amount - refund_amount ELSE 0 END,
       CASE WHEN status IN ('completed', 'partially_refunded') THEN round((total_amount - refund_amount) * 0.05, 2) ELSE 0 END,
       1, paid_at, updated_at
FROM procurement_purchaseorder WHERE paid_at IS NOT NULL
"""


def _setup() -> dict:
    suppliers = [data.supplier(f"報表供應商{i:02d}") for i in range(SUPPLIERS)]
    sku_ids: list[int] = []
    for n, s in enumerate(suppliers):
        data.catalog(s, products=SKUS_PER_SUPPLIER, skus_per_product=(1,), seed=n, on_hand=5000)
        sku_ids += list(SKU.objects.filter(supplier=s).order_by("pk").values_list("pk", flat=True)[:SKUS_PER_SUPPLIER])
    resellers = [data.reseller(f"報表分銷商{i:04d}") for i in range(RESELLERS)]
    shops = Shop.objects.bulk_create(
        [Shop(reseller=r, name=f"{r.name}的店", channel_type="c_store", platform="taobao", is_default=True) for r in resellers]
    )
    for i, r in enumerate(resellers):
        for s_idx in {i % SUPPLIERS, (i + 7) % SUPPLIERS}:
            data.partner(suppliers[s_idx], r)
    params = {
        "sup": [s.pk for s in suppliers], "res": [r.pk for r in resellers], "shop": [sh.pk for sh in shops], "sku": sku_ids,
        "s": SUPPLIERS, "r": RESELLERS, "per": SKUS_PER_SUPPLIER, "pos": POS, "now": timezone.now(),
    }  # fmt: skip
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_POS_SQL, params)
        # the supplier's index, to pick the same SKU for the line
        cursor.execute("ALTER TABLE procurement_purchaseorder ADD COLUMN supplier_idx int")
        cursor.execute(
            "UPDATE procurement_purchaseorder po SET supplier_idx = m.idx - 1 FROM unnest(%s::int[]) WITH ORDINALITY AS m(id, idx) "
            "WHERE po.supplier_id = m.id",
            [params["sup"]],
        )
        cursor.execute(_LINES_SQL, params)
        cursor.execute("ALTER TABLE procurement_purchaseorder DROP COLUMN supplier_idx")
        cursor.execute(_HOLDS_SQL)
    generated = time.perf_counter() - t0
    data.analyze()
    supplier_user = data.member(suppliers[0].organisation)
    reseller_user = data.member(resellers[0].organisation)
    staff = User.objects.create_user(email="bench-staff@example.test", password=None, is_staff=True)
    return {"supplier_user": supplier_user, "reseller_user": reseller_user, "staff": staff, "generated": generated}


def _existing() -> dict | None:
    """The data of an earlier run (``--keep-db``): its users, or None when the database has no POs yet."""
    from accounts.models import Membership
    from procurement.models import PurchaseOrder

    staff = User.objects.filter(email="bench-staff@example.test").first()
    if staff is None or not PurchaseOrder.objects.exists():
        return None

    def first_member(name: str) -> User:
        return Membership.objects.filter(organisation__name=name).order_by("pk").first().user

    supplier_user, reseller_user = first_member("報表供應商00"), first_member("報表分銷商0000")
    return {"supplier_user": supplier_user, "reseller_user": reseller_user, "staff": staff, "generated": None}


def _page(client: Client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), len(response.content) if not getattr(response, "streaming", False) else 0


def run(report: Report, **_kwargs) -> None:
    report.line(f"\n## Reports over {POS:,} purchase orders")
    setup = _existing()
    if setup is None:
        setup = _setup()
        report.line(f"generated {POS:,} POs, their lines and escrow holds in {setup['generated']:.0f} s (set-based SQL)")
    else:
        from procurement.models import PurchaseOrder

        report.line(f"reused the {PurchaseOrder.objects.count():,} POs of an earlier run (`--keep-db`)")
    if PAGES_ONLY and setup["generated"] is None:  # --keep-db: the rollups of the earlier run, pages only
        report.line("pages only (`BENCH_REPORT_PAGES_ONLY=1`): the rollups as the earlier run left them")
        _pages(report, setup)
        return
    t0 = time.perf_counter()
    rows = rollup.rebuild()
    report.line(f"`rebuild_report_rollups`: {time.perf_counter() - t0:.1f} s → {rows:,} daily sales rows")
    connection.cursor().execute("ANALYZE reports_dailysales; ANALYZE reports_dailyskusales")

    # 1,000 POs change (refunds): the sweep recomputes only their days
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_purchaseorder SET status = 'refunded', refund_amount = total_amount, refunded_at = now(), "
            "updated_at = now() WHERE id IN (SELECT id FROM procurement_purchaseorder WHERE status = 'paid' ORDER BY id LIMIT 1000)"
        )
    t0 = time.perf_counter()
    read = rollup.refresh_changed()
    report.line(f"incremental sweep after 1,000 changed POs: {time.perf_counter() - t0:.2f} s ({read:,} POs read)")

    _pages(report, setup)


def _pages(report: Report, setup: dict) -> None:
    year = "date_from=" + (timezone.localdate() - timedelta(days=364)).isoformat() + "&date_to=" + timezone.localdate().isoformat()
    pages = [
        ("supplier", "supplier sales by reseller, 30 days", "/reports/supplier/sales/?group=reseller"),
        ("supplier", "supplier sales by reseller, 1 year", f"/reports/supplier/sales/?group=reseller&{year}"),
        ("supplier", "supplier sales by day, 1 year", f"/reports/supplier/sales/?group=period&{year}"),
        ("supplier", "supplier sales by month, 1 year", f"/reports/supplier/sales/?group=period&period=month&{year}"),
        ("supplier", "supplier sales by SKU, 1 year", f"/reports/supplier/sales/?group=sku&{year}"),
        ("supplier", "supplier sales by shop, 1 year, CSV", f"/reports/supplier/sales/?group=shop&{year}&export=csv"),
        ("supplier", "supplier service by reseller, 1 year", f"/reports/supplier/service/?{year}"),
        ("supplier", "supplier stock cover", "/reports/supplier/stock/"),
        ("supplier", "weekly digest page", "/reports/digest/"),
        ("reseller", "reseller spend by supplier, 1 year", f"/reports/reseller/spend/?group=supplier&{year}"),
        ("reseller", "reseller spend by day, 1 year", f"/reports/reseller/spend/?group=period&{year}"),
        ("reseller", "reseller compliance, 1 year", f"/reports/reseller/compliance/?{year}"),
        ("staff", "platform, 30 days", "/reports/platform/"),
        ("staff", "platform by month, 1 year", f"/reports/platform/?period=month&{year}"),
    ]
    clients = {}
    for who in ("supplier", "reseller", "staff"):
        clients[who] = Client()
        clients[who].force_login(setup[f"{who}_user" if who != "staff" else "staff"])
    # The machine is shared: ROUNDS passes over every page (10 requests each), interleaved so a
    # burst of load hits every page alike; the table gives each round's median and the median of all.
    statements = {label: _page(clients[who], path)[0] for who, label, path in pages}
    samples: dict[str, list[list[float]]] = {label: [] for _who, label, _path in pages}
    for _round in range(ROUNDS):
        for who, label, path in pages:
            client = clients[who]
            samples[label].append(timed(lambda client=client, path=path: _page(client, path), repeat=10))
    rows_out = []
    for _who, label, _path in pages:
        rounds = " / ".join(f"{statistics.median(r) * 1000:.0f}" for r in samples[label])
        every = [t for r in samples[label] for t in r]
        rows_out.append([label, statements[label], f"{statistics.median(every) * 1000:.1f} ms", rounds, summary(every)])
    report.line(f"load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report.table(["page", "statements", "median", "round medians (ms)", "all requests"], rows_out)
