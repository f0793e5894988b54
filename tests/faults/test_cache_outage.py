"""The cache degrades to "no cache" while Redis is down and recovers when it returns (real redis-server)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError


def test_reads_miss_writes_are_dropped_and_counters_raise_while_redis_is_down(app_on_private_redis, caplog):
    # given a working cache
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"
    # when Redis dies
    app_on_private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="distribution.core.cache"):
        # then reads miss, writes are silently dropped, nothing raises except counters
        assert cache.get("greeting") is None
        assert cache.get("greeting", "fallback") == "fallback"
        assert cache.get_many(["greeting"]) == {}
        assert cache.add("other", 1) is False
        cache.set("other", 1)
        cache.delete("greeting")
        assert cache.get_or_set("computed", lambda: 42) == 42
        with pytest.raises(RedisConnectionError):
            cache.incr("counter")
    assert "cache unavailable" in caplog.text
    # when Redis returns (empty: it was killed), the cache works again at once
    app_on_private_redis.start()
    cache.set("greeting", "again")
    assert cache.get("greeting") == "again"


def test_after_a_failure_the_cache_is_not_retried_until_the_retry_window_ends(app_on_private_redis, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "OPTIONS": {**settings.CACHES["default"]["OPTIONS"], "DOWN_RETRY_AFTER": 60}}
    }
    app_on_private_redis.stop()
    assert cache.get("x") is None
    app_on_private_redis.start()
    # Redis is back, but within the window the backend still serves without it (no connection attempts)
    cache.set("x", 1)
    assert cache.get("x") is None
