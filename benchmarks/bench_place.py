"""Placement ratio: raw SQL of the same shape vs ``POST /api/v1/purchase-orders/`` through gunicorn.

One run measures, side by side and repeated (medians reported):

- **raw SQL**: ``RAW_THREADS`` psycopg connections each looping ``BEGIN; UPDATE suppliers_sku
  SET reserved = reserved + q WHERE id = … AND on_hand >= reserved + q; INSERT purchase order;
  INSERT line; COMMIT`` on the real tables (their indexes and constraints): the machine's limit
  for this state change;
- **API**: a real gunicorn (``GUNICORN_WORKERS`` × ``GUNICORN_THREADS``, gthread) on a private
  port, ``CLIENTS`` keep-alive HTTP clients (one reseller and API key each) posting purchase
  orders with a fresh ``Idempotency-Key``;

each with the SKU chosen at random among ``SPREAD_SKUS`` SKUs ("spread") and with every
client on one SKU ("hot"). Afterwards: stock is checked (no SKU has more reserved than on
hand, and reserved equals the quantities of the open POs), a scarce SKU is ordered by all
clients at once (exactly its stock is sold, the rest answer 409), one PO goes through
place / pay / ship / confirm in-process with its statements counted, and the ledger is
reconciled.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import data
from .report import Report

CLIENTS = 50
RAW_THREADS = int(os.environ.get("BENCH_RAW_THREADS", "16"))
SPREAD_SKUS = 1000
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))
PORT = int(os.environ.get("BENCH_PORT", "16500"))
REPEATS = int(os.environ.get("BENCH_PLACE_REPEATS", "3"))
SCARCE_STOCK = 200
ROOT = Path(__file__).resolve().parent.parent
# This CI server runs PostgreSQL with autovacuum off (conf.d/90-ci.conf); a production server has it
# on. Without it nothing analyses the tables the runs grow from empty, so the generic plans psycopg's
# prepared statements (server-side binding) make in the warm-up, when procurement_purchaseorder and
# api_idempotencyrecord are empty, stay seq scans for the gunicorn connections' lifetime and every
# later repeat reads a bigger table per placement (§12a). Between runs (never inside the timed
# 10 s) the bench does what autovacuum would: VACUUM (ANALYZE) the database. 0 turns it off.
VACUUM_BETWEEN_RUNS = os.environ.get("BENCH_PLACE_VACUUM", "auto")


def _key(i: int) -> str:
    return f"bench-place-reseller-key-{i:03d}"


def _setup():
    from distribution.api.models import ApiKey, hash_key
    from settlement.services import wallet_adjust
    from suppliers.models import SKU

    supplier = data.supplier("下單基準供應商 Placement Bench Supplier")
    supplier_user = data.member(supplier.organisation)
    data.catalog(supplier, products=SPREAD_SKUS + 2, skus_per_product=(1,), seed=7, on_hand=100_000_000)
    skus = list(SKU.objects.filter(supplier=supplier).order_by("pk"))
    spread, hot, scarce = skus[:SPREAD_SKUS], skus[SPREAD_SKUS], skus[SPREAD_SKUS + 1]
    SKU.objects.filter(pk=scarce.pk).update(on_hand=SCARCE_STOCK)
    buyers = []
    for i in range(CLIENTS):
        reseller = data.reseller(f"下單基準分銷商{i + 1}")
        user = data.member(reseller.organisation)
        data.partner(supplier, reseller)
        ApiKey.objects.create(
            organisation=reseller.organisation, name="bench", prefix=_key(i)[:12], key_hash=hash_key(_key(i)), created_by=user
        )
        wallet_adjust(actor=None, organisation=reseller.organisation, amount=Decimal("1000000.00"), memo="bench", idempotency_key=f"p{i}")
        buyers.append((reseller, user))
    ApiKey.objects.create(
        organisation=supplier.organisation,
        name="bench",
        prefix="bench-suppli",
        key_hash=hash_key("bench-place-supplier-key"),
        created_by=supplier_user,
    )
    data.analyze()
    return supplier, spread, hot, scarce, buyers


def _price(sku) -> str:
    return f"{sku.min_retail_amount:.2f}"


# --- raw SQL ------------------------------------------------------------------------------

RESERVE = (
    "UPDATE suppliers_sku SET reserved = reserved + %s, updated_at = now() "
    "WHERE id = %s AND on_hand >= reserved + %s RETURNING supply_price_amount, code"
)
INSERT_PO = (
    "INSERT INTO procurement_purchaseorder (number, status, supplier_id, reseller_id, consumer_order_ref, note, "
    "goods_amount, shipping_amount, total_amount, placed_at, pay_by, carrier, tracking_number, refund_amount, "
    "status_reason, created_at, updated_at, recipient, mobile, province_code, city_code, district_code, street, postal_code, "
    "shipping_breakdown) "
    "VALUES ('R' || nextval('procurement_po_number_seq'), 'awaiting_payment', %s, %s, %s, '', %s, 0, %s, now(), "
    "now() + interval '7 days', '', '', 0, '', now(), now(), %s, %s, %s, %s, %s, %s, %s, "
    '\'{"method": "flat", "amount": "0.00"}\'::jsonb) RETURNING id'
)
INSERT_LINE = (
    "INSERT INTO procurement_purchaseorderline (purchase_order_id, sku_id, code, title, quantity, unit_price, "
    "retail_price, line_amount, attributes) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '{}'::jsonb)"
)


def _raw_worker(dsn: dict, supplier_id: int, reseller_id: int, sku_ids, stop_at: list[float], barrier, counts, i) -> None:
    import psycopg

    a = data.ADDRESS
    address = (a["recipient"], a["mobile"], a["province"], a["city"], a["district"], a["street"], a["postal_code"])
    rng = random.Random(i)
    n = 0
    for attempt in range(20):  # a shared server may be at max_connections for a moment
        try:
            conn = psycopg.connect(**dsn)
            break
        except psycopg.OperationalError:
            if attempt == 19:
                barrier.abort()  # don't leave the others waiting
                raise
            time.sleep(0.5)
    with conn:
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            sku_id = sku_ids[rng.randrange(len(sku_ids))]
            with conn.transaction():
                row = conn.execute(RESERVE, (1, sku_id, 1)).fetchone()
                if row is None:
                    continue
                unit, code = row
                po_id = conn.execute(INSERT_PO, (supplier_id, reseller_id, f"RAW{i}-{n}", unit, unit, *address)).fetchone()[0]
                conn.execute(INSERT_LINE, (po_id, sku_id, code, "raw", 1, unit, unit + 10, unit))
            n += 1
    counts[i] = n


def _dsn() -> dict:
    db = settings.DATABASES["default"]
    dsn = {"dbname": db["NAME"], "host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432}
    dsn["user"] = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        dsn["password"] = db["PASSWORD"]
    return dsn


def _raw_run(supplier, buyers, sku_ids: list[int], seconds: float) -> tuple[float, float]:
    """PO/s and the bench process's CPU seconds per PO (its psycopg threads) over the run."""
    barrier = threading.Barrier(RAW_THREADS + 1)
    counts = [0] * RAW_THREADS
    stop_at = [time.perf_counter() + 3600]
    dsn = _dsn()
    pool = [
        threading.Thread(target=_raw_worker, args=(dsn, supplier.pk, buyers[i % len(buyers)][0].pk, sku_ids, stop_at, barrier, counts, i))
        for i in range(RAW_THREADS)
    ]
    cpu0 = _own_cpu()
    elapsed = _run(pool, barrier, stop_at, seconds)
    cpu = _own_cpu() - cpu0
    return sum(counts) / elapsed, cpu / sum(counts) if sum(counts) else float("nan")


def _own_cpu() -> float:
    """CPU seconds of this process (every thread: the raw connections' or the HTTP clients')."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _autovacuum_off() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "off"


def _vacuum() -> float:
    """What autovacuum would have done by now: VACUUM (ANALYZE) (outside any timed run); seconds taken."""
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - t0


def _run(pool: list[threading.Thread], barrier: threading.Barrier, stop_at: list[float], seconds: float) -> float:
    """Start the threads, release them together, let them work ``seconds``; returns the elapsed time."""
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    for t in pool:
        t.join()
    return time.perf_counter() - started


# --- the API through gunicorn ----------------------------------------------------------


class Server:
    def __init__(self) -> None:
        env = dict(os.environ)
        env.update(
            {
                "DEBUG": "0",
                "API_RATE_LIMIT_PER_MINUTE": "100000000",
                "DB_POOL_MAX_SIZE": str(GUNICORN_THREADS),
                "CELERY_BROKER_URL": os.environ["REDIS_URL"],
                "LOG_LEVEL": "ERROR",
            }
        )
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "distribution.wsgi",
                "--workers",
                str(GUNICORN_WORKERS),
                "--threads",
                str(GUNICORN_THREADS),
                "--worker-class",
                "gthread",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
                c.request("GET", "/api/v1/openapi.json")
                c.getresponse().read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def cpu_seconds(self) -> float:
        """The workers' CPU seconds: the live ones' and (the master's children's time) the exited ones'
        (``max_requests`` recycles a worker mid-run)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[13]) + int(fields[14])) / tick
        except OSError:
            pass
        return total

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _post(conn: http.client.HTTPConnection, key: str, body: bytes) -> tuple[int, bytes]:
    conn.request(
        "POST",
        "/api/v1/purchase-orders/",
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    response = conn.getresponse()
    return response.status, response.read()


def _api_run(skus, seconds: float, *, max_per_client: int | None = None) -> dict:
    barrier = threading.Barrier(CLIENTS + 1)
    ok = [0] * CLIENTS
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = [time.perf_counter() + 3600]
    samples: list[str] = []

    def client(i: int) -> None:
        rng = random.Random(1000 + i)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        barrier.wait()
        n = 0
        while time.perf_counter() < stop_at[0] and (max_per_client is None or n < max_per_client):
            n += 1
            sku = skus[rng.randrange(len(skus))]
            body = json.dumps(
                {
                    "consumer_order_ref": f"API{i}-{n}-{uuid.uuid4().hex[:8]}",
                    "shipping_address": data.ADDRESS,
                    "lines": [{"sku_id": sku.pk, "quantity": 1, "retail_price": _price(sku)}],
                }
            ).encode()
            try:
                status, content = _post(conn, _key(i), body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
                status, content = -1, b""
            if status == 201:
                ok[i] += 1
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status not in (201, 409) and len(samples) < 3:
                    samples.append(f"{status}: {content[:200]!r}")
        conn.close()

    cpu0 = _own_cpu()
    elapsed = _run([threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)], barrier, stop_at, seconds)
    cpu = _own_cpu() - cpu0
    return {"rate": sum(ok) / elapsed, "ok": sum(ok), "statuses": statuses, "samples": samples, "elapsed": elapsed, "client_cpu": cpu}


# --- checks and statement counts -------------------------------------------------------------


def _stock_problems() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.on_hand, s.reserved, COALESCE(SUM(l.quantity) FILTER (WHERE po.status IN ('awaiting_payment', 'paid')), 0)
            FROM suppliers_sku s
            LEFT JOIN procurement_purchaseorderline l ON l.sku_id = s.id
            LEFT JOIN procurement_purchaseorder po ON po.id = l.purchase_order_id
            GROUP BY s.id HAVING s.reserved > s.on_hand OR s.reserved < 0
                OR s.reserved <> COALESCE(SUM(l.quantity) FILTER (WHERE po.status IN ('awaiting_payment', 'paid')), 0)
            """
        )
        return [f"SKU {pk}: on hand {on_hand}, reserved {reserved}, open lines {n}" for pk, on_hand, reserved, n in cursor.fetchall()]


def _statements(hot) -> list[list[object]]:
    """One PO through place / pay / ship / confirm via the API, in-process, statements counted."""
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from procurement.models import PurchaseOrder

    client = Client()
    reseller_auth = {"Authorization": f"Bearer {_key(0)}"}
    supplier_auth = {"Authorization": "Bearer bench-place-supplier-key"}
    rows = []

    def count(label, method, path, body=None, headers=None):
        with CaptureQueriesContext(connections["default"]) as captured:
            response = getattr(client, method)(
                "/api/v1/" + path, data=json.dumps(body or {}), content_type="application/json", headers=headers
            )
        statements = [q["sql"] for q in captured.captured_queries]
        work = [s for s in statements if s.split()[0].upper() not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"}]
        rows.append([label, response.status_code, len(work), len(statements) - len(work)])
        return response

    line = {"sku_id": hot.pk, "quantity": 1, "retail_price": _price(hot)}
    for attempt in ("warm-up", "counted"):  # the first cycle does a fresh process's one-time lookups
        rows.clear()
        body = {"consumer_order_ref": f"STMT-{attempt}", "shipping_address": data.ADDRESS, "lines": [line]}
        response = count("place", "post", "purchase-orders/", body, {**reseller_auth, "Idempotency-Key": f"stmt-{attempt}"})
        number = response.json()["number"]
        count("place (idempotent replay)", "post", "purchase-orders/", body, {**reseller_auth, "Idempotency-Key": f"stmt-{attempt}"})
        count("pay", "post", f"purchase-orders/{number}/pay", headers=reseller_auth)
        count("ship", "post", f"supplier/purchase-orders/{number}/ship", {"carrier": "SF", "tracking_number": "SF1"}, supplier_auth)
        count("confirm receipt", "post", f"purchase-orders/{number}/confirm-receipt", headers=reseller_auth)
        assert PurchaseOrder.objects.get(number=number).status == "completed"
    return rows


def _median(values: list[float]) -> float:
    known = [v for v in values if v == v]  # not NaN
    return statistics.median(known) if known else float("nan")


def _backends_cpu() -> float:
    """CPU seconds of this database's PostgreSQL backends but this process's own (the server is local)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pids = [pid for (pid,) in cursor.fetchall()]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(report: Report, *, seconds: float, **_kwargs) -> None:
    from settlement.reconcile import reconcile

    seconds = min(seconds, float(os.environ.get("BENCH_PLACE_SECONDS", "10")))
    report.line("\n## Placement: raw SQL of the same shape vs `POST /api/v1/purchase-orders/` (gunicorn)")
    t0 = time.perf_counter()
    supplier, spread, hot, scarce, buyers = _setup()
    report.line(
        f"setup {time.perf_counter() - t0:.1f} s: one supplier with {SPREAD_SKUS + 2} SKUs and {CLIENTS} partnered resellers "
        f"(one API key each); gunicorn {GUNICORN_WORKERS} workers × {GUNICORN_THREADS} threads (gthread) on :{PORT}; "
        f"{CLIENTS} HTTP clients; raw SQL with {RAW_THREADS} psycopg connections; {seconds:.0f} s per run, {REPEATS} repeats"
    )
    server = Server()
    try:
        _api_run(spread, 3.0)  # warm-up: every worker imports, connects and fills its caches
        vacuum = VACUUM_BETWEEN_RUNS != "0" and (VACUUM_BETWEEN_RUNS == "1" or _autovacuum_off())
        if vacuum:
            report.line("  autovacuum is off on this server: VACUUM (ANALYZE) between runs, as autovacuum would")
        keys = ("raw", "api", "cpu", "pg", "client", "raw_client")
        results: dict[str, dict[str, list[float]]] = {scenario: {k: [] for k in keys} for scenario in ("spread", "hot")}
        statuses: dict[str, dict[int, int]] = {"spread": {}, "hot": {}}
        samples: list[str] = []
        for repeat in range(REPEATS):
            for scenario, skus in (("spread", spread), ("hot", [hot])):
                took = _vacuum() if vacuum else 0.0
                raw_rate, raw_client = _raw_run(supplier, buyers, [s.pk for s in skus], seconds)
                results[scenario]["raw"].append(raw_rate)
                results[scenario]["raw_client"].append(raw_client)
                if vacuum:
                    took += _vacuum()
                pids0 = set(server.worker_pids())
                cpu0, pg0 = server.cpu_seconds(), _backends_cpu()
                api = _api_run(skus, seconds)
                cpu, pg = server.cpu_seconds() - cpu0, _backends_cpu() - pg0
                restarted = len(pids0 - set(server.worker_pids()))
                placed = api["ok"]

                def per(x: float, placed: int = placed) -> float:
                    return x / placed if placed else float("nan")

                results[scenario]["api"].append(api["rate"])
                results[scenario]["cpu"].append(per(cpu))
                results[scenario]["pg"].append(per(pg) if not restarted else float("nan"))  # an exited backend's CPU is lost
                results[scenario]["client"].append(per(api["client_cpu"]))
                for status, n in api["statuses"].items():
                    statuses[scenario][status] = statuses[scenario].get(status, 0) + n
                samples.extend(api["samples"])
                report.line(
                    f"  repeat {repeat + 1} {scenario}: raw {raw_rate:.0f} PO/s, API {api['rate']:.1f} PO/s "
                    f"({api['ok']} placed; answers {dict(sorted(api['statuses'].items()))}); per API PO: gunicorn "
                    f"{per(cpu) * 1000:.1f} ms, PostgreSQL {per(pg) * 1000:.1f} ms, "
                    f"bench clients {per(api['client_cpu']) * 1000:.2f} ms CPU "
                    f"(raw's own client {raw_client * 1000:.2f} ms per raw PO); {restarted} gunicorn workers restarted; "
                    f"vacuum {took:.1f} s; load {_load()}"
                )
        report.line()
        rows = []
        for scenario, label in (("spread", f"{CLIENTS} clients over {SPREAD_SKUS} SKUs"), ("hot", f"all {CLIENTS} on one hot SKU")):
            raw = statistics.median(results[scenario]["raw"])
            api = statistics.median(results[scenario]["api"])
            ratios = [a / r for a, r in zip(results[scenario]["api"], results[scenario]["raw"], strict=True)]
            rows.append(
                [
                    label,
                    f"{raw:,.0f} PO/s",
                    f"{api:.1f} PO/s",
                    f"{api / raw:.3f} (per repeat {', '.join(f'{x:.3f}' for x in ratios)})",
                    f"{statistics.median(results[scenario]['cpu']) * 1000:.1f} ms",
                    f"{_median(results[scenario]['pg']) * 1000:.1f} ms",
                    f"{statistics.median(results[scenario]['client']) * 1000:.2f} ms",
                ]
            )
        report.table(
            ["placement", "raw SQL (median)", "API (median)", "ratio", "gunicorn CPU per PO", "PostgreSQL CPU per PO", "bench client CPU"],
            rows,
        )
        for sample in samples[:3]:
            report.line(f"  unexpected answer: {sample}")

        scarce_run = _api_run([scarce], 120.0, max_per_client=2 * SCARCE_STOCK // CLIENTS)
        from suppliers.models import SKU

        scarce.refresh_from_db()
        placed = scarce_run["statuses"].get(201, 0)
        refused = scarce_run["statuses"].get(409, 0)
        report.line(
            f"scarce SKU ({SCARCE_STOCK} in stock, {CLIENTS} clients × {2 * SCARCE_STOCK // CLIENTS} orders): {placed} placed, "
            f"{refused} refused (409), reserved {scarce.reserved} of {scarce.on_hand}: "
            + ("OK" if placed == SCARCE_STOCK and scarce.reserved == SCARCE_STOCK else "OVERSOLD OR LOST")
        )
        del SKU
    finally:
        server.stop()
    problems = _stock_problems()
    verdict = "OK" if not problems else "; ".join(problems[:5])
    report.line(f"stock check over every SKU (reserved ≤ on hand, reserved = open PO lines): {verdict}")
    report.line()
    report.line(
        "Statements per API action (in-process test client, second order of the process; auth, rate limit, idempotency, webhooks included):"
    )
    report.line()
    report.table(["action", "answer", "SQL statements", "+ BEGIN/COMMIT/SAVEPOINT"], _statements(hot))
    check = reconcile()
    report.line(f"ledger reconciliation: {'OK' if check.ok else '; '.join(check.problems[:5])}")
    sys.stdout.flush()
