"""``python -m benchmarks [--only po,place,placecpu,search,feed,statement,import,sweeps,reports] [--seconds 20]
[--search-products 1000000] [--keep-db]``

Drops and recreates the benchmark database (its name must contain ``bench``), migrates
it, builds each benchmark's data with bulk inserts and prints the results as Markdown.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dist_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
ALL = ("po", "place", "placecpu", "search", "feed", "statement", "import", "sweeps", "reports")


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each purchase-order run (default 20)")
    parser.add_argument("--search-products", type=int, default=None, help="listed products of the search benchmark (default 1,000,000)")
    parser.add_argument("--keep-db", action="store_true", help="reuse the existing benchmark database (skip drop/migrate)")
    return parser.parse_args()


def _recreate_database(url: str, template: str | None = None) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    name = db["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench' (set BENCH_DATABASE_URL).")
    params = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER") or "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:  # a migrated, empty database: copied in seconds instead of migrating for minutes
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> None:
    args = _parse()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if "bench" not in url.rsplit("/", 1)[-1]:
        url = DEFAULT_DATABASE_URL  # never run against a development database
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "distribution.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DB_POOL_MAX_SIZE", "30")

    started = time.perf_counter()
    template = os.environ.get("BENCH_TEMPLATE_DATABASE")
    if not args.keep_db:
        _recreate_database(url, template)

    import django

    django.setup()
    from django.core.management import call_command

    if not args.keep_db and not template:
        call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    import importlib

    from .report import Report

    report = Report()
    report.line(f"# Benchmark run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    report.line(f"database {settings.DATABASES['default']['NAME']}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    for name in chosen:
        if name not in ALL:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
    for name in chosen:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        module.run(report, seconds=args.seconds, search_products=args.search_products)
    report.line(f"\nTotal wall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
