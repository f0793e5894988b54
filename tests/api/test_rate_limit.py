"""The per-key rate limit: counted in Redis in one round-trip; fails open when Redis is unreachable.

These tests start a private ``redis-server`` on port 16501 (the shared one is never touched)
and kill it to simulate the outage.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest

from procurement.models import PurchaseOrder
from tests.api.test_endpoints_purchase_orders import order_body, place

PORT = 16501

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def private_redis(settings, tmp_path):
    """A redis-server of our own as the cache; yields its process (the test may kill it)."""
    proc = subprocess.Popen(
        ["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(PORT):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("the private redis-server did not start")
            time.sleep(0.05)
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{PORT}/0"}
        }
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_the_limit_answers_429_with_retry_after_once_the_minute_is_used_up(world, private_redis, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    api = world["reseller_api"]
    assert api.get("purchase-orders/").status_code == 200
    assert api.get("purchase-orders/").status_code == 200
    response = api.get("purchase-orders/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert world["other_reseller_api"].get("purchase-orders/").status_code == 200  # per key


def test_with_redis_unreachable_requests_go_through_and_a_warning_is_logged(world, private_redis, settings, caplog):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    assert world["reseller_api"].get("purchase-orders/").status_code == 200
    assert world["reseller_api"].get("purchase-orders/").status_code == 429
    private_redis.kill()
    private_redis.wait(timeout=10)
    assert not _answers(PORT)
    with caplog.at_level(logging.WARNING, logger="distribution.api.auth"):
        listed = world["reseller_api"].get("purchase-orders/")
        placed = place(world, order_body(world["sku"], quantity=1), key="during-outage")
    assert listed.status_code == 200, listed.content
    assert placed.status_code == 201, placed.content
    assert PurchaseOrder.objects.filter(number=placed.json()["number"]).exists()
    assert any("rate limit not checked" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
