"""The cache backend: Django's own ``RedisCache`` that degrades to "no cache" while Redis is unreachable.

Nothing the platform must remember lives in the cache (sessions and messages are in the database and
cookies), so an outage must cost speed, never a 500. While Redis does not answer:

- reads miss (``get`` returns the default, ``get_many`` nothing, ``has_key`` False);
- writes are dropped (``set``/``add``/``touch``/``delete`` return what "nothing stored" means);
- counters (``incr``/``decr``) raise ``redis.exceptions.ConnectionError`` as before: a counter that
  silently answers 0 or ``None`` would be a wrong answer, so its caller decides (the API rate limiter
  lets the request through and logs, README "Redis outage");
- after a failure the backend does not try Redis again for ``DOWN_RETRY_AFTER`` seconds (OPTIONS,
  default 5), so a page with many cache calls does not wait on one connection timeout per call.
  The outage is logged once when it starts and once when Redis answers again.

Why a 60-line subclass and not django-redis' ``IGNORE_EXCEPTIONS``: the project already uses Django's
built-in backend (no second client library or serializer to keep), and django-redis swallows errors
in ``incr`` too (returns ``None``), which turns the rate limiter's counter into a ``TypeError``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("DOWN_RETRY_AFTER", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            was_up = self._down_until == 0.0
            self._down_until = time.monotonic() + self.retry_after
        if was_up:
            logger.warning("cache unavailable, serving without cache: %s", exc)

    def _answered(self) -> None:
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            logger.warning("cache available again")

    def _call(self, method: Callable[..., Any], *args: Any, fallback: Any = None, **kwargs: Any) -> Any:
        if self.is_down:
            return fallback
        try:
            result = method(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(exc)
            return fallback
        self._answered()
        return result

    def _counter(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.is_down:
            raise RedisConnectionError("cache unavailable (retrying shortly)")
        try:
            result = method(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(exc)
            raise
        self._answered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version, fallback=False)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, key, value, timeout, version, fallback=None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version, fallback=False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, keys, version, fallback=None)

    def clear(self):
        return self._call(super().clear, fallback=False)

    def incr(self, key, delta=1, version=None):
        return self._counter(super().incr, key, delta, version)
