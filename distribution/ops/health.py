"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, Redis, migrations
applied, celery beat alive), JSON, no login.

Why a small view and not django-health-check: the four checks are ~80 lines here, two of them
(migrations applied, the beat heartbeat with an "unknown" state while no heartbeat model
exists) would be custom plugins anyway, and this keeps the probe to one ``SELECT 1``, one
Redis ``PING`` and one primary-key read, with no extra apps, tables or templates.

Cheap: the migration check loads the migration graph once per process and remembers success
(a deploy that adds migrations starts new processes, which check again).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import redis
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

OK, FAIL, UNKNOWN = "ok", "fail", "unknown"
BEAT_MAX_AGE = timedelta(minutes=3)

_migrations_applied = False
_redis_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _redis_client
    if _redis_client is None:
        _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    return _redis_client


def reset() -> None:
    """Forget cached state (tests, and after settings change)."""
    global _migrations_applied, _redis_client
    _migrations_applied = False
    _redis_client = None


def check_database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK}


def check_redis() -> dict[str, Any]:
    _redis().ping()
    return {"status": OK}


def check_migrations() -> dict[str, Any]:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            return {"status": FAIL, "detail": f"{len(names)} unapplied", "unapplied": names[:20]}
        _migrations_applied = True
    return {"status": OK}


def check_beat(now=None) -> dict[str, Any]:
    """The beat heartbeat (``core.Heartbeat`` row ``beat``, written every minute by a beat task)."""
    try:
        heartbeat = apps.get_model("core", "Heartbeat")
    except LookupError:
        return {"status": UNKNOWN, "detail": "no heartbeat is recorded by this version"}
    now = now or timezone.now()
    beat_at = heartbeat.objects.filter(name="beat").values_list("beat_at", flat=True).first()
    if beat_at is None:
        return {"status": FAIL, "detail": "beat has never run"}
    age = (now - beat_at).total_seconds()
    status = OK if age <= BEAT_MAX_AGE.total_seconds() else FAIL
    return {"status": status, "age_seconds": round(age, 1), "last_beat": beat_at.isoformat()}


CHECKS = {"database": check_database, "redis": check_redis, "migrations": check_migrations, "beat": check_beat}


def run_checks() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    database_down = False
    for name, check in CHECKS.items():
        if database_down and name in {"migrations", "beat"}:
            results[name] = {"status": UNKNOWN, "detail": "database unavailable"}
            continue
        started = time.perf_counter()
        try:
            result = check()
        except Exception as exc:  # a probe reports every failing dependency, it never raises
            result = {"status": FAIL, "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}
            if name == "database":
                database_down = True
                connections[DEFAULT_DB_ALIAS].close()
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": OK})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    ready = all(c["status"] != FAIL for c in checks.values())
    return JsonResponse({"status": OK if ready else FAIL, "checks": checks}, status=200 if ready else 503)
