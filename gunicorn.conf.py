"""gunicorn's settings (read from the working directory: ``gunicorn distribution.wsgi``).

Chosen for this platform's machine, 2 cores shared with PostgreSQL, Redis and the Celery
workers (benchmarks/README.md, "Placement", §12a): placing a PO is ~4–5 ms of Python CPU in a
worker plus 6 short round trips to PostgreSQL and one to Redis, so

- ``workers`` = 2 per core (4 here): Python holds the GIL while it runs, so processes, not
  threads, use the cores; two per core keep both busy while the other's thread waits on the
  database;
- ``threads`` = 4 per worker (gthread): the waits on PostgreSQL, the rate limit's Redis and the
  hot SKU's row lock overlap within a process; more threads only queue on the GIL (and each
  holds a pooled database connection: ``DB_POOL_MAX_SIZE`` must be ≥ threads). Measured
  against 4 × 2 and 8 × 2 with 50 clients (§12a): 4 × 2 placed as many POs per second over
  many SKUs and as many or more on one hot SKU, within the runs' noise, so this stays; 8 × 2
  cost ~1 ms more CPU per PO and placed fewer; a 1 ms GIL switch interval (CPython's is 5 ms)
  cost CPU and placed fewer too;
- ``keepalive`` 30 s: shop and warehouse integrations send bursts over one connection;
- ``max_requests`` 50,000 (± 10 % jitter): a worker is recycled to bound any slow memory
  growth, but not every half minute. At 2,000 (before) a worker placing ~60–75 POs/s lived ~30 s:
  under load one of the four restarted every ~8 s, each restart a cold Django import (~1 s of
  CPU on these 2 cores), a new connection pool whose statements are prepared again, and its
  keep-alive clients' connections dropped mid-burst (benchmarks/README.md §12a: the slow later
  repeats and the lost connections of the placement bench). 50,000 is ~15 minutes at that rate.

Every value can be changed by the environment (WEB_CONCURRENCY, GUNICORN_THREADS, …) or on the
command line, which wins over this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:" + os.environ.get("PORT", "8000"))
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10

