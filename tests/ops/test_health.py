"""/healthz and /readyz: JSON, no login, every failing dependency named."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.apps import apps
from django.db import connection

from distribution.ops import health


@pytest.fixture(autouse=True)
def _fresh_probe_state():
    health.reset()
    yield
    health.reset()


def test_healthz_answers_ok_without_login_and_without_the_database(client):
    response = client.get("/healthz")  # no db mark: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    body = response.json()
    assert set(body["checks"]) == {"database", "redis", "migrations", "beat"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["migrations"]["status"] == "ok"
    if not _has_heartbeat_model():
        assert body["checks"]["beat"]["status"] == "unknown"
        assert response.status_code == 200
        assert body["status"] == "ok"


def _has_heartbeat_model() -> bool:
    try:
        apps.get_model("core", "Heartbeat")
    except LookupError:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.skipif(not _has_heartbeat_model(), reason="the beat heartbeat model arrives with the sweeps branch")
def test_readyz_fails_on_a_stale_beat_and_passes_on_a_fresh_one(client):
    from datetime import timedelta

    from django.utils import timezone

    heartbeat = apps.get_model("core", "Heartbeat")
    heartbeat.objects.update_or_create(name="beat", defaults={"beat_at": timezone.now() - timedelta(minutes=4)})
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json()["checks"]["beat"]["status"] == "fail"
    heartbeat.objects.filter(name="beat").update(beat_at=timezone.now())
    fresh = client.get("/readyz")
    assert fresh.status_code == 200, fresh.json()
    assert fresh.json()["checks"]["beat"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_naming_redis_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:16699/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["redis"]["status"] == "fail"
    assert "Connection" in body["checks"]["redis"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_naming_unapplied_migrations(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'procurement'"
            " AND name = (SELECT max(name) FROM django_migrations WHERE app = 'procurement')"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["migrations"]
    assert check["status"] == "fail"
    assert any(name.startswith("procurement.") for name in check["unapplied"])


def test_readyz_answers_503_naming_the_database_when_it_is_down():
    """A real process whose DATABASE_URL points at a port nothing listens on."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:16698/nowhere", "DB_POOL": "0",
           "DJANGO_SETTINGS_MODULE": "distribution.settings"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    checks = result["body"]["checks"]
    assert checks["database"]["status"] == "fail"
    assert "OperationalError" in checks["database"]["detail"]
    assert checks["redis"]["status"] == "ok"
    assert checks["migrations"]["status"] == "unknown"
