"""The PO timers over 100,000 due POs each, next to a raw set-based SQL of the same state change.

For each timer (``close_unpaid``, ``refund_unshipped``, ``auto_confirm``) the data is built with
set-based SQL (POs, lines, stock reservations, escrow holds and the payment ledger, consistent so
that ``reconcile`` passes), then:

1. the raw SQL baseline: the same state change for all due POs in one transaction of set-based
   statements (states, stock per SKU, transitions, audit rows, notifications, ledger transactions
   and entries with running wallet balances, wallet balances, holds, and one outbox row per PO
   where the code has the outbox), the deferred ledger triggers
   forced with ``SET CONSTRAINTS ALL IMMEDIATE``, then rolled back;
2. the sweep itself (``distribution.core.sweeps.run_sweep``, as beat runs it): wall time, CPU time
   of this process, peak RSS growth (sampled), statements;
3. a rerun (must act on 0) and ``reconcile`` (must pass).

``BENCH_SWEEP_POS=N`` changes the number of POs (default 100,000), e.g. to measure older, slower code.
``BENCH_SWEEP_TIMERS=close_unpaid,auto_confirm`` runs only those timers. ``BENCH_SWEEP_STAGE=build``
only builds the data (every chosen timer's POs, then stops: e.g. under a shared lock, or into a
database later copied as a template); ``BENCH_SWEEP_STAGE=measure`` (with ``--keep-db`` or a
``BENCH_TEMPLATE_DATABASE`` built that way) skips the build and measures on the data it finds, so
the timed part can run alone on a quiet machine and each timer in its own short run.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import data
from .report import Report, rss_bytes

POS = int(os.environ.get("BENCH_SWEEP_POS", "100000"))
RESELLERS = 20
AMOUNT = Decimal("50.00")
TIMERS = ("close_unpaid", "refund_unshipped", "auto_confirm")
CHOSEN = tuple(t.strip() for t in os.environ.get("BENCH_SWEEP_TIMERS", ",".join(TIMERS)).split(",") if t.strip())
STAGE = os.environ.get("BENCH_SWEEP_STAGE", "all")
SUPPLIER_NAME = "計時器供應商 Timer Supplier"


class _RssSampler:
    def __init__(self) -> None:
        self.baseline = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


def _setup():
    from settlement.services import wallet_adjust

    supplier = data.supplier(SUPPLIER_NAME, commission="0.0500")
    data.member(supplier.organisation)
    data.catalog(supplier, products=100, skus_per_product=(2,), seed=77, start=900_000, on_hand=10_000_000)
    resellers = []
    for i in range(RESELLERS):
        r = data.reseller(f"計時器分銷商{i + 1}")
        data.member(r.organisation)
        data.partner(supplier, r)
        wallet_adjust(
            actor=None, organisation=r.organisation, amount=AMOUNT * (POS // RESELLERS + 10) * 3, memo="bench", idempotency_key=f"b{r.pk}"
        )
        resellers.append(r)
    return supplier, resellers


def _po_columns(status: str, *, tag: str, due: object, supplier, reseller_ids: list[int]) -> tuple[str, str, list]:
    """(column list, SELECT expressions over generate_series ``g``, params) for N POs of ``status``."""
    from procurement.models import PurchaseOrder

    now = timezone.now()
    placed = due - timedelta(days=30)
    values = {
        "number": None,
        "status": status,
        "supplier_id": supplier.pk,
        "reseller_id": None,
        "placed_by_id": None,
        "consumer_order_ref": "TB-BENCH",
        "note": "",
        "goods_amount": AMOUNT,
        "shipping_amount": Decimal("0.00"),
        "total_amount": AMOUNT,
        "placed_at": placed,
        "pay_by": due if status == "awaiting_payment" else placed + timedelta(days=7),
        "paid_at": None if status == "awaiting_payment" else placed + timedelta(hours=1),
        "ship_by": {"paid": due, "shipped": placed + timedelta(days=15)}.get(status),
        "shipped_at": placed + timedelta(days=1) if status == "shipped" else None,
        "carrier": "順豐速運" if status == "shipped" else "",
        "tracking_number": "SF0000000001" if status == "shipped" else "",
        "confirm_by": due if status == "shipped" else None,
        "dispute_until": due if status == "shipped" else None,
        "confirm_remaining": None,
        "disputed_at": None,
        "completed_at": None,
        "closed_at": None,
        "refunded_at": None,
        "refund_amount": Decimal("0.00"),
        "status_reason": "",
        "pay_reminded_at": None,
        "ship_reminded_at": None,
        "confirm_reminded_at": None,
        "address_changed_at": None,
        "created_at": now,
        "updated_at": now,
        "recipient": "張三",
        "mobile": "13800138000",
        "province_code": "330000",
        "city_code": "330100",
        "district_code": "330106",
        "street": "文三路100號",
        "postal_code": "310000",
        "shop_id": None,
    }
    # a NOT NULL column this list does not name gets its model default (e.g. shipping_breakdown = {});
    # the others are left to the database (e.g. a trigger-filled tenant id); a NOT NULL one without
    # any default fails the INSERT, loudly
    for f in PurchaseOrder._meta.concrete_fields:
        if f.column not in values and f.column != "id" and not f.null and f.has_default():
            values[f.column] = f.get_db_prep_save(f.get_default(), connection)
    columns = [f.column for f in PurchaseOrder._meta.concrete_fields if f.column != "id" and f.column in values]
    assert set(values) <= set(columns), set(values) - set(columns)
    exprs, params = [], []
    for column in columns:
        if column == "number":
            exprs.append(f"'{tag}' || lpad(g::text, 8, '0')")
        elif column == "reseller_id":
            exprs.append("(%s::bigint[])[1 + g %% %s]")
            params += [reseller_ids, len(reseller_ids)]
        else:
            exprs.append("%s")
            params.append(values[column])
    return ", ".join(columns), ", ".join(exprs), params


def _build(status: str, *, tag: str, due, supplier, resellers, n: int) -> None:
    """``n`` POs in ``status`` due at ``due``, with lines, reservations, escrow holds and the payment ledger."""
    from settlement.ledger import platform_account
    from suppliers.models import SKU

    reseller_ids = [r.pk for r in resellers]
    sku_ids = list(SKU.objects.filter(supplier=supplier).order_by("pk").values_list("pk", flat=True))
    columns, exprs, params = _po_columns(status, tag=tag, due=due, supplier=supplier, reseller_ids=reseller_ids)
    with transaction.atomic(), connection.cursor() as c:
        c.execute(f"INSERT INTO procurement_purchaseorder ({columns}) SELECT {exprs} FROM generate_series(1, %s) g", [*params, n])  # noqa: S608
        c.execute(
            "INSERT INTO procurement_purchaseorderline "
            "(purchase_order_id, sku_id, code, title, quantity, unit_price, retail_price, line_amount, attributes) "
            "SELECT po.id, s.id, s.code, 'bench', 1, %s, 99.00, %s, s.attributes FROM procurement_purchaseorder po "
            "JOIN suppliers_sku s ON s.id = (%s::bigint[])[1 + po.id %% %s] WHERE po.number LIKE %s",
            [AMOUNT, AMOUNT, sku_ids, len(sku_ids), f"{tag}%"],
        )
        if status in ("awaiting_payment", "paid"):
            c.execute(
                "UPDATE suppliers_sku s SET reserved = s.reserved + agg.q FROM (SELECT l.sku_id, SUM(l.quantity) q "
                "FROM procurement_purchaseorderline l JOIN procurement_purchaseorder po ON po.id = l.purchase_order_id "
                "WHERE po.number LIKE %s GROUP BY l.sku_id) agg WHERE s.id = agg.sku_id",
                [f"{tag}%"],
            )
        if status == "awaiting_payment":
            return
        escrow = platform_account("escrow").pk
        c.execute(
            "INSERT INTO settlement_journaltransaction (kind, reference, memo, idempotency_key, actor_id, created_at, organisation_id) "
            "SELECT 'po_payment', number, '', 'escrow:' || number || ':hold', NULL, paid_at, supplier_id FROM procurement_purchaseorder "
            "WHERE number LIKE %s ORDER BY id",
            [f"{tag}%"],
        )
        c.execute(
            "CREATE TEMP TABLE bench_pay ON COMMIT DROP AS SELECT t.id AS txn, po.number, po.reseller_id AS org, po.supplier_id AS payee, "
            "w.id AS wallet, w.balance_amount AS start, row_number() OVER (PARTITION BY w.id ORDER BY t.id) AS k "
            "FROM settlement_journaltransaction t JOIN procurement_purchaseorder po ON po.number = t.reference "
            "JOIN settlement_account w ON w.kind = 'wallet' AND w.organisation_id = po.reseller_id "
            "WHERE t.kind = 'po_payment' AND t.reference LIKE %s",
            [f"{tag}%"],
        )
        c.execute(
            "INSERT INTO settlement_journalentry (transaction_id, account_id, amount, balance_after) "
            "SELECT txn, wallet, -%s, start - %s * k FROM bench_pay UNION ALL SELECT txn, %s, %s, NULL FROM bench_pay",
            [AMOUNT, AMOUNT, escrow, AMOUNT],
        )
        c.execute(
            "UPDATE settlement_account a SET balance_amount = a.balance_amount - %s * agg.k FROM "
            "(SELECT wallet, COUNT(*) k FROM bench_pay GROUP BY wallet) agg WHERE a.id = agg.wallet",
            [AMOUNT],
        )
        c.execute(
            "INSERT INTO settlement_escrowhold (reference, payer_id, payee_id, held_amount, refunded_amount, released_amount, "
            "commission_amount, operations, last_transaction_id, created_at, updated_at) "
            "SELECT number, org, payee, %s, 0, 0, 0, 1, txn, now(), now() FROM bench_pay",
            [AMOUNT],
        )


RAW_COMMON = """
UPDATE suppliers_sku s SET reserved = s.reserved - agg.q, updated_at = %(now)s FROM (
  SELECT l.sku_id, SUM(l.quantity) q FROM procurement_purchaseorderline l JOIN bench_due d ON d.id = l.purchase_order_id GROUP BY l.sku_id
) agg WHERE s.id = agg.sku_id AND %(release)s;
INSERT INTO procurement_purchaseordertransition (purchase_order_id, actor_id, actor_label, from_status, to_status, reason, created_at)
  SELECT id, NULL, 'system', %(from)s, %(to)s, 'raw', %(now)s FROM bench_due;
INSERT INTO core_auditevent (created_at, actor_id, organisation_id, action, object_type, object_id, summary, data)
  SELECT %(now)s, NULL, reseller_id, 'purchase_order.' || %(to)s, 'procurement.purchaseorder', id::text, number, '{}'::jsonb FROM bench_due;
{notifications};
INSERT INTO core_outboxmessage (topic, queue, payload, coalesce_key, status, available_at, attempts, last_error, created_at)
  SELECT 'event:distribution.api.webhooks.on_purchase_order_event', 'webhooks',
         jsonb_build_object('id', gen_random_uuid()::text, 'name', 'purchase_order.' || %(to)s, 'occurred_at', %(now)s::text,
                            'data', jsonb_build_object('purchase_order_id', d.id, 'number', d.number, 'supplier_id', d.supplier_id,
                                                       'reseller_id', d.reseller_id, 'from_status', %(from)s, 'to_status', %(to)s)),
         NULL, 'pending', %(now)s, 0, '', %(now)s
  FROM bench_due d;
"""

# one notification per PO and member (the code before issue 12's grouping) ...
RAW_NOTIFY_EACH = """
INSERT INTO accounts_notification (user_id, organisation_id, kind, text_kind, params, title, body, url, created_at, read_at)
  SELECT m.user_id, m.organisation_id, 'purchase_order.' || %(to)s, 'procurement.' || %(to)s, jsonb_build_object('number', d.number),
         'PO ' || d.number, '', '/purchase-orders/' || d.number || '/', %(now)s, NULL
  FROM bench_due d JOIN accounts_membership m ON m.organisation_id IN (d.reseller_id, d.supplier_id)
"""

# ... or one per batch, organisation and member when the organisation has several POs in the batch (the code since)
RAW_NOTIFY_GROUPED = """
INSERT INTO accounts_notification (user_id, organisation_id, kind, text_kind, params, title, body, url, created_at, read_at)
  SELECT g.user_id, g.organisation_id, 'purchase_order.' || %(to)s, 'procurement.' || %(to)s || CASE WHEN g.k > 1 THEN '_many' ELSE '' END,
         CASE WHEN g.k > 1 THEN jsonb_build_object('count', g.k, 'numbers', array_to_string(g.numbers[1:5], ', ') || ', …')
              ELSE jsonb_build_object('number', g.numbers[1]) END,
         'PO ' || g.numbers[1], '',
         CASE WHEN g.k > 1 THEN '/purchase-orders/?status=' || %(to)s ELSE '/purchase-orders/' || g.numbers[1] || '/' END, %(now)s, NULL
  FROM (SELECT m.user_id, m.organisation_id, count(*) AS k, array_agg(d.number ORDER BY d.id) AS numbers
        FROM (SELECT *, (row_number() OVER (ORDER BY id) - 1) / %(batch)s AS b FROM bench_due) d
        JOIN accounts_membership m ON m.organisation_id IN (d.reseller_id, d.supplier_id)
        GROUP BY d.b, m.user_id, m.organisation_id) g
"""

RAW_LEDGER = """
INSERT INTO settlement_account (kind, organisation_id, balance_amount, created_at)
  SELECT DISTINCT 'wallet', CASE WHEN %(suffix)s = 'release' THEN d.supplier_id ELSE d.reseller_id END, 0, %(now)s
  FROM bench_due d ON CONFLICT DO NOTHING;
INSERT INTO settlement_journaltransaction (kind, reference, memo, idempotency_key, actor_id, created_at, organisation_id)
  SELECT %(kind)s, d.number, 'raw', 'escrow:' || d.number || ':2:' || %(suffix)s, NULL, %(now)s, d.supplier_id
  FROM bench_due d ORDER BY d.id;
CREATE TEMP TABLE bench_move ON COMMIT DROP AS
  SELECT t.id AS txn, h.id AS hold, h.held_amount AS amount,
         CASE WHEN %(suffix)s = 'release' THEN round(h.held_amount * s.commission_rate, 2) ELSE 0 END AS commission,
         w.id AS wallet, w.balance_amount AS start,
         SUM(h.held_amount - CASE WHEN %(suffix)s = 'release' THEN round(h.held_amount * s.commission_rate, 2) ELSE 0 END)
           OVER (PARTITION BY w.id ORDER BY t.id) AS running
  FROM settlement_journaltransaction t JOIN settlement_escrowhold h ON h.reference = t.reference
  JOIN suppliers_supplier s ON s.organisation_id = h.payee_id
  JOIN settlement_account w ON w.kind = 'wallet'
   AND w.organisation_id = CASE WHEN %(suffix)s = 'release' THEN h.payee_id ELSE h.payer_id END
  WHERE t.kind = %(kind)s AND t.memo = 'raw';
INSERT INTO settlement_journalentry (transaction_id, account_id, amount, balance_after)
  SELECT txn, %(escrow)s, -amount, NULL FROM bench_move
  UNION ALL SELECT txn, wallet, amount - commission, start + running FROM bench_move
  UNION ALL SELECT txn, %(commission)s, commission, NULL FROM bench_move WHERE commission > 0;
UPDATE settlement_account a SET balance_amount = a.balance_amount + agg.total
  FROM (SELECT wallet, SUM(amount - commission) total FROM bench_move GROUP BY wallet) agg WHERE a.id = agg.wallet;
UPDATE settlement_escrowhold h SET refunded_amount = h.refunded_amount + CASE WHEN %(suffix)s = 'refund' THEN m.amount ELSE 0 END,
  released_amount = h.released_amount + CASE WHEN %(suffix)s = 'release' THEN m.amount ELSE 0 END,
  commission_amount = h.commission_amount + m.commission, operations = h.operations + 1, last_transaction_id = m.txn, updated_at = %(now)s
  FROM bench_move m WHERE h.id = m.hold;
INSERT INTO core_auditevent (created_at, actor_id, organisation_id, action, object_type, object_id, summary, data)
  SELECT %(now)s, NULL, h.payer_id, 'settlement.escrow_' || %(suffix)s, 'settlement.escrowhold', h.id::text, h.reference, '{}'::jsonb
  FROM bench_move m JOIN settlement_escrowhold h ON h.id = m.hold;
"""

STATES = {
    # timer: (status built, target, deadline column, extra SET, ledger kind, ledger suffix, releases stock)
    "close_unpaid": ("awaiting_payment", "closed", "pay_by", "closed_at = %(now)s", None, None, True),
    "refund_unshipped": ("paid", "refunded", "ship_by", "refunded_at = %(now)s, refund_amount = total_amount", "po_refund", "refund", True),
    "auto_confirm": ("shipped", "completed", "confirm_by", "completed_at = %(now)s", "po_release", "release", False),
}


def _has_outbox() -> bool:
    """Whether this code has the transactional outbox (the raw baseline writes its rows only then)."""
    return "core_outboxmessage" in connection.introspection.table_names()


def _groups_notifications() -> bool:
    """Whether this code sends one notification per batch and organisation for several POs (issue 12)."""
    from procurement import text_kinds

    return hasattr(text_kinds, "CLOSED_UNPAID_MANY")


def _raw(timer: str, now) -> tuple[float, int]:
    """The same state change as raw set-based SQL over every due PO, triggers forced, rolled back."""
    from settlement.ledger import platform_account

    source, target, deadline, extra, kind, suffix, releases = STATES[timer]
    params = {
        "now": now,
        "from": source,
        "to": target,
        "release": releases,
        "kind": kind,
        "suffix": suffix,
        "escrow": platform_account("escrow").pk,
        "commission": platform_account("commission").pk,
        "outbox": _has_outbox(),
        "batch": settings.SWEEP_TIMER_BATCH_SIZE,
    }
    connection.ensure_connection()
    t0 = time.perf_counter()
    # bound on the client (the statements are one each, so server-side binding would buy nothing, and
    # their untyped parameters in SELECT lists need the values inlined)
    with psycopg.ClientCursor(connection.connection) as c:
        c.execute("BEGIN")
        try:
            c.execute(
                "CREATE TEMP TABLE bench_due ON COMMIT DROP AS WITH u AS ("
                f"UPDATE procurement_purchaseorder SET status = %(to)s, {extra}, status_reason = 'raw', updated_at = %(now)s "  # noqa: S608
                f"WHERE status = %(from)s AND {deadline} <= %(now)s RETURNING id, number, reseller_id, supplier_id) SELECT * FROM u",
                params,
            )
            acted = c.rowcount
            notify = RAW_NOTIFY_GROUPED if _groups_notifications() else RAW_NOTIFY_EACH
            for statement in RAW_COMMON.replace("{notifications}", notify.strip()).split(";\n"):
                if statement.strip() and (params["outbox"] or "core_outboxmessage" not in statement):
                    c.execute(statement, params)
            if kind:
                for statement in RAW_LEDGER.split(";\n"):
                    if statement.strip():
                        c.execute(statement, params)
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred balance triggers, as COMMIT would
            elapsed = time.perf_counter() - t0
        finally:
            c.execute("ROLLBACK")
    return elapsed, acted


def _count_statements(func):
    """``func()`` and the statements it sent on every connection (the sweep's worker threads open their own)."""
    from django.db import connection as conn
    from django.db.backends.signals import connection_created

    lock = threading.Lock()
    counter = {"n": 0}

    def wrapper(execute, sql, params, many, context):
        with lock:
            counter["n"] += 1
        return execute(sql, params, many, context)

    def on_connect(sender, connection, **kwargs):
        if wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(wrapper)

    connection_created.connect(on_connect, weak=False)
    try:
        with conn.execute_wrapper(wrapper):
            result = func()
    finally:
        connection_created.disconnect(on_connect)
    return result, counter["n"]


def _found():
    """The supplier and resellers a ``build`` stage left in this database."""
    from resellers.models import Reseller
    from suppliers.models import Supplier

    supplier = Supplier.objects.get(organisation__name=SUPPLIER_NAME)
    resellers = list(Reseller.objects.filter(organisation__name__startswith="計時器分銷商").order_by("pk"))
    return supplier, resellers


def run(report: Report, **_kwargs) -> None:
    from distribution.core import sweeps
    from settlement.reconcile import reconcile

    unknown = set(CHOSEN) - set(TIMERS)
    assert not unknown and STAGE in ("all", "build", "measure"), (unknown, STAGE)
    report.line(f"\n## 5. PO timers over {POS:,} due POs each (raw set-based SQL of the same change in the same run)")
    t0 = time.perf_counter()
    if STAGE == "measure":
        supplier, resellers = _found()
    else:
        supplier, resellers = _setup()
        report.line(f"setup {time.perf_counter() - t0:.1f} s: 1 supplier (200 SKUs), {RESELLERS} resellers, one member each")
    build_times = {}
    if STAGE == "build":  # every chosen timer's POs; the timers' states and deadlines keep them apart
        for timer in CHOSEN:
            t1 = time.perf_counter()
            _build(STATES[timer][0], tag=f"BT{TIMERS.index(timer)}-", due=timezone.now() - timedelta(hours=1),
                   supplier=supplier, resellers=resellers, n=POS)  # fmt: skip
            report.line(f"{timer}: built {POS:,} POs in {time.perf_counter() - t1:.0f} s")
        t1 = time.perf_counter()
        data.analyze()
        with connection.cursor() as c:
            c.execute("VACUUM (ANALYZE)")  # a template copied later starts with its visibility map set
        report.line(f"analyze + vacuum {time.perf_counter() - t1:.0f} s")
        return
    rows = []
    for timer in CHOSEN:
        if STAGE == "all":
            t1 = time.perf_counter()
            _build(STATES[timer][0], tag=f"BT{TIMERS.index(timer)}-", due=timezone.now() - timedelta(hours=1),
                   supplier=supplier, resellers=resellers, n=POS)  # fmt: skip
            data.analyze()
            build_times[timer] = time.perf_counter() - t1
        now = timezone.now()
        raw_s, raw_acted = _raw(timer, now)
        assert raw_acted == POS, (timer, raw_acted)
        cpu0 = time.process_time()
        with _RssSampler() as rss:
            t2 = time.perf_counter()
            result, statements = _count_statements(lambda timer=timer, now=now: sweeps.run_sweep(timer, now=now))
            sweep_s = time.perf_counter() - t2
        cpu_s = time.process_time() - cpu0
        rerun = sweeps.run_sweep(timer, now=now + timedelta(seconds=1))
        ok = reconcile().ok
        rows.append(
            [
                timer,
                f"{result.count:,}",
                f"{getattr(result, 'failed_count', len(result.failed))}",
                f"{raw_s:.1f} s",
                f"{sweep_s:.1f} s",
                f"{sweep_s / raw_s:.1f}×",
                f"{cpu_s:.1f} s",
                f"{statements:,}",
                f"+{rss.growth / 1e6:.0f} MB",
                f"{rerun.count}",
                "OK" if ok else "MISMATCH",
                f"{build_times[timer]:.0f} s" if timer in build_times else "(built before)",
            ]
        )
        report.line(f"{timer}: sweep {sweep_s:.1f} s vs raw {raw_s:.1f} s (acted {result.count:,}, rerun {rerun.count}, reconcile {ok})")
    report.line()
    report.table(
        [
            "timer",
            "acted",
            "failed",
            "raw SQL",
            "sweep",
            "ratio",
            "sweep CPU (app)",
            "statements",
            "peak RSS growth",
            "rerun acts on",
            "reconcile",
            "data build",
        ],
        rows,
    )
