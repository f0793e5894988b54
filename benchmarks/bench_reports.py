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
from .report import Report, percentile, timed

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
              WHEN 4 THEN 'paid' WHEN 5 THEN CASE WHEN g.d THEN 'disputed' ELSE 'shipped' END ELSE 'completed' END,
       g.supplier_id, g.reseller_id, g.shop_id, 'TB' || g.n, '',
       s.supply_price_amount * g.q, 0, s.supply_price_amount * g.q,
       g.placed, g.placed + interval '7 days', CASE WHEN k > 1 THEN g.placed + interval '10 minutes' END,
       CASE WHEN k > 1 THEN g.placed + interval '15 days 10 minutes' END,
       CASE WHEN k > 2 THEN g.placed + interval '10 minutes' + interval '1 hour' * (g.n %% 96) END,
       CASE WHEN k > 2 THEN 'SF' ELSE '' END, CASE WHEN k > 2 THEN 'SF' || g.n ELSE '' END,
       CASE WHEN k > 2 THEN g.placed + interval '30 days' END, CASE WHEN k > 2 THEN g.placed + interval '30 days' END,
       CASE WHEN k = 3 OR (k = 5 AND g.d) THEN g.placed + interval '5 days' END,
       CASE WHEN k = 3 OR k > 5 THEN g.placed + interval '8 days' END,
       CASE WHEN k = 1 THEN g.placed + interval '7 days' END,
       CASE WHEN k IN (2, 3) THEN g.placed + interval '8 days' END,
       CASE k WHEN 2 THEN s.supply_price_amount * g.q WHEN 3 THEN round(s.supply_price_amount * g.q * 0.3, 2) ELSE 0 END, '',
       '張三', '13800138000', '330000', '330100', '330106', '文三路100號', '310000',
       g.placed, LEAST(g.placed + interval '8 days', %(now)s), '{}'::jsonb
FROM (
    SELECT n, n %% 20 AS k, 1 + n %% 3 AS q, (n / 20) %% 10 = 0 AS d,
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
CROSS JOIN LATERAL (SELECT substr(po.number, 3)::int AS n) g
JOIN suppliers_sku s ON s.id = (%(sku)s::int[])[1 + (((g.n %% %(r)s) + (g.n / %(r)s) %% 2 * 7) %% %(s)s) * %(per)s + (g.n * 7) %% %(per)s]
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


def _insert_select(cursor, model, exprs: dict[str, str], source: str) -> None:
    """``INSERT INTO model SELECT … FROM source``: ``exprs`` gives SQL for some columns, every other
    column gets its field's default (Django's defaults are not the database's)."""
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in exprs:
            continue
        columns.append(f.column)
        if f.column not in exprs and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
            values.append("now()")
        elif f.column in exprs:
            values.append(exprs[f.column].replace("%", "%%"))  # no placeholders in the expressions
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source.replace('%', '%%')}",  # noqa: S608
        params,
    )


def _disputes_and_after_sales(cursor) -> None:
    """Disputes: a closed one (partial refund agreed) for every partially refunded PO, an open one
    (half of them escalated) for every disputed PO. After-sales: one completed PO in twenty, 3 in 7
    of them still open in the states staff see by age."""
    from aftersales.models import AfterSale
    from disputes.models import Dispute

    _insert_select(cursor, Dispute, {
        "purchase_order_id": "po.id", "reseller_id": "po.reseller_id", "supplier_id": "po.supplier_id",
        "reason": "'not_as_described'", "requested_amount": "po.total_amount", "description": "'bench'",
        "status": "CASE WHEN po.status = 'disputed' THEN (CASE WHEN po.id % 2 = 0 THEN 'escalated' ELSE 'open' END) ELSE 'settled' END",
        "waiting_on": "'supplier'", "opened_at": "po.disputed_at", "dispute_until": "po.disputed_at + interval '7 days'",
        "escalated_at": "CASE WHEN po.status = 'disputed' AND po.id % 2 = 0 THEN po.disputed_at + interval '7 days' END",
        "closed_at": "CASE WHEN po.status = 'partially_refunded' THEN po.refunded_at END",
        "outcome": "CASE WHEN po.status = 'partially_refunded' THEN 'agreement' ELSE '' END",
        "refund_amount": "CASE WHEN po.status = 'partially_refunded' THEN po.refund_amount END",
        "release_amount": "CASE WHEN po.status = 'partially_refunded' THEN po.total_amount - po.refund_amount END",
        "updated_at": "po.updated_at",
    }, "procurement_purchaseorder po WHERE po.disputed_at IS NOT NULL")  # fmt: skip
    states = ["requested", "proposed", "escalated", "refunded", "closed", "exchanged", "closed"]
    _insert_select(cursor, AfterSale, {
        "number": "'AS' || substr(po.number, 3)", "purchase_order_id": "po.id", "supplier_id": "po.supplier_id",
        "reseller_id": "po.reseller_id", "kind": "'refund_only'", "reason": "'quality'", "description": "'bench'",
        "status": f"(ARRAY{states!r})[1 + po.id % {len(states)}]", "requested_amount": "round(po.total_amount * 0.2, 2)",
        "opened_at": "LEAST(po.completed_at, now()) - interval '1 day' * (po.id % 40)",
    }, "procurement_purchaseorder po WHERE po.status = 'completed' AND substr(po.number, 3)::int % 400 = 6")  # fmt: skip


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
        cursor.execute(_LINES_SQL, params)  # the same SKU the PO's amount was priced with
        cursor.execute(_HOLDS_SQL)
        _disputes_and_after_sales(cursor)
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
        if os.environ.get("BENCH_REPORT_SWEEP") == "1":  # and one incremental sweep after 1,000 changed POs first
            _sweep(report)
        _pages(report, setup)
        return
    t0 = time.perf_counter()
    rows = rollup.rebuild()
    report.line(f"`rebuild_report_rollups`: {time.perf_counter() - t0:.1f} s → {rows:,} daily sales rows")
    connection.cursor().execute("ANALYZE reports_dailysales; ANALYZE reports_dailyskusales")

    _sweep(report)
    if os.environ.get("BENCH_REPORT_SKIP_PAGES") != "1":  # data only (measure later with PAGES_ONLY under an exclusive lock)
        _pages(report, setup)


def _sweep(report: Report) -> None:
    # 1,000 POs change (refunds): the sweep recomputes only their days
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_purchaseorder SET status = 'refunded', refund_amount = total_amount, refunded_at = now(), "
            "updated_at = now() WHERE id IN (SELECT id FROM procurement_purchaseorder WHERE status = 'paid' ORDER BY id LIMIT 1000)"
        )
    t0 = time.perf_counter()
    read = rollup.refresh_changed()
    report.line(f"incremental sweep after 1,000 changed POs: {time.perf_counter() - t0:.2f} s ({read:,} POs read)")


def _pages(report: Report, setup: dict) -> None:
    from suppliers.models import Partnership

    today = timezone.localdate()
    year = f"date_from={today - timedelta(days=364):%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    supplier_id = setup["supplier_user"].membership.organisation_id
    reseller_id = setup["reseller_user"].membership.organisation_id
    partner = Partnership.objects.filter(supplier_id=supplier_id).order_by("reseller_id").values_list("reseller_id", flat=True).first()
    sku = SKU.objects.filter(product__supplier_id=supplier_id).order_by("pk").values_list("pk", flat=True).first()
    shop = Shop.objects.filter(reseller_id=reseller_id).values_list("pk", flat=True).first()
    # the supplier's user manages every fifth partner as key accounts ("my accounts")
    mine = Partnership.objects.filter(supplier_id=supplier_id).order_by("reseller_id").values_list("pk", flat=True)[::5]
    Partnership.objects.filter(pk__in=list(mine)).update(key_account_manager=setup["supplier_user"])
    other = Partnership.objects.filter(reseller_id=reseller_id).order_by("supplier_id").values_list("supplier_id", flat=True).first()
    pages = [
        ("supplier", "supplier sales by reseller, 30 days", "/reports/supplier/sales/?group=reseller"),
        ("supplier", "supplier sales by reseller, 1 year", f"/reports/supplier/sales/?group=reseller&{year}"),
        ("supplier", "supplier sales by day, 1 year", f"/reports/supplier/sales/?group=period&{year}"),
        ("supplier", "supplier sales by week, 1 year", f"/reports/supplier/sales/?group=period&period=week&{year}"),
        ("supplier", "supplier sales by month, 1 year", f"/reports/supplier/sales/?group=period&period=month&{year}"),
        ("supplier", "supplier sales by shop, 1 year", f"/reports/supplier/sales/?group=shop&{year}"),
        ("supplier", "supplier sales by SKU, 1 year", f"/reports/supplier/sales/?group=sku&{year}"),
        ("supplier", "supplier sales of one reseller by day, 1 year", f"/reports/supplier/sales/?group=period&reseller={partner}&{year}"),
        ("supplier", "supplier sales of one SKU by reseller, 1 year", f"/reports/supplier/sales/?group=reseller&sku={sku}&{year}"),
        ("supplier", "supplier sales, my accounts, by reseller, 1 year", f"/reports/supplier/sales/?group=reseller&mine=1&{year}"),
        ("supplier", "supplier sales by shop, 1 year, CSV", f"/reports/supplier/sales/?group=shop&{year}&export=csv"),
        ("supplier", "supplier sales by day, 1 year, XLSX", f"/reports/supplier/sales/?group=period&{year}&export=xlsx"),
        ("supplier", "supplier service by reseller, 1 year", f"/reports/supplier/service/?{year}"),
        ("supplier", "supplier stock cover", "/reports/supplier/stock/"),
        ("supplier", "weekly digest page", "/reports/digest/"),
        ("reseller", "reseller spend by supplier, 1 year", f"/reports/reseller/spend/?group=supplier&{year}"),
        ("reseller", "reseller spend by day, 1 year", f"/reports/reseller/spend/?group=period&{year}"),
        ("reseller", "reseller spend by shop, 1 year", f"/reports/reseller/spend/?group=shop&{year}"),
        ("reseller", "reseller spend by SKU, 1 year", f"/reports/reseller/spend/?group=sku&{year}"),
        ("reseller", "reseller spend of one supplier by month, 1 year",
         f"/reports/reseller/spend/?group=period&period=month&supplier={other}&shop={shop}&{year}"),
        ("reseller", "reseller spend by supplier, 1 year, XLSX", f"/reports/reseller/spend/?group=supplier&{year}&export=xlsx"),
        ("reseller", "reseller compliance, 1 year", f"/reports/reseller/compliance/?{year}"),
        ("staff", "platform, 30 days", "/reports/platform/"),
        ("staff", "platform by day, 1 year", f"/reports/platform/?{year}"),
        ("staff", "platform by month, 1 year", f"/reports/platform/?period=month&{year}"),
    ]  # fmt: skip
    only = os.environ.get("BENCH_REPORT_PAGES")  # a comma-separated subset of the labels' first words, e.g. "supplier,platform"
    if only:
        pages = [p for p in pages if any(p[1].startswith(w.strip()) for w in only.split(","))]
    clients = {}
    for who in ("supplier", "reseller", "staff"):
        clients[who] = Client()
        clients[who].force_login(setup[f"{who}_user" if who != "staff" else "staff"])
    # The machine is shared: ROUNDS passes over every page (10 requests each), interleaved so a
    # burst of load hits every page alike; the table gives each round's median and p50/p95 of all.
    statements = {label: _page(clients[who], path)[0] for who, label, path in pages}
    samples: dict[str, list[list[float]]] = {label: [] for _who, label, _path in pages}
    report.line(f"load average at the start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for _round in range(ROUNDS):
        for who, label, path in pages:
            client = clients[who]
            samples[label].append(timed(lambda client=client, path=path: _page(client, path), repeat=10))
    rows_out = []
    for _who, label, _path in pages:
        rounds = " / ".join(f"{statistics.median(r) * 1000:.0f}" for r in samples[label])
        every = [t for r in samples[label] for t in r]
        rows_out.append([label, statements[label], f"{statistics.median(every) * 1000:.1f}", f"{percentile(every, 95) * 1000:.1f}", rounds])
    report.line(f"load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report.table(["page", "statements", "p50 ms", "p95 ms", "round medians (ms)"], rows_out)
