"""Read replicas: a database router and the request context that decides when a read may go to
the replica.

With ``DATABASE_REPLICA_URL`` set, settings add the alias ``replica``. Reads go there only
inside ``replica_reads()``, which ``ReplicaMiddleware`` opens around a ``GET``/``HEAD`` of a
read-only view listed in ``DATABASE_REPLICA_VIEWS`` (catalog search, feeds, statements,
exports, API lists). Everything else, every write, everything inside a transaction on the
primary and every ``select_for_update`` reads the primary.

Read-your-writes: a request that writes (any ``POST``/``PUT``/``PATCH``/``DELETE``) pins its
author to the primary for ``DATABASE_REPLICA_PIN_SECONDS`` (default 5): a browser through a
signed cookie, an API client (no cookies) through a short-lived cache key derived from its
``Authorization`` header. The replica's replay lag must stay under that window (monitor
``pg_stat_replication.replay_lag``).

A replica that does not answer is skipped: the middleware checks the connection (connecting
with a short timeout, or ``SELECT 1`` on a kept connection) and marks it down for
``REPLICA_RETRY_AFTER`` seconds, so the request reads the primary instead of failing.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "dbpin"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REPLICA_RETRY_AFTER = 10.0

logger = logging.getLogger(__name__)
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_available() -> bool:
    """Is the replica reachable? Marks it down for a while when it is not."""
    global _replica_down_until
    if not replica_configured() or time.monotonic() < _replica_down_until:
        return False
    connection = connections[REPLICA]
    try:
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        connection.ensure_connection()
        return True
    except DatabaseError:
        logger.warning("replica: not reachable; reading from the primary for %ss", REPLICA_RETRY_AFTER, exc_info=True)
        _replica_down_until = time.monotonic() + REPLICA_RETRY_AFTER
        with contextlib.suppress(DatabaseError):
            connection.close()
        return False


def reset() -> None:
    global _replica_down_until
    _replica_down_until = 0.0


@contextmanager
def replica_reads() -> Iterator[bool]:
    """Route this block's reads to the replica if one is configured and up. Yields whether it is."""
    use = replica_available()
    token = _use_replica.set(use)
    try:
        yield use
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    """Writes and migrations: the primary. Reads: the replica inside ``replica_reads()`` only."""

    def db_for_read(self, model, **hints) -> str | None:
        if _use_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _principal_key(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization")
    if not header:
        return None
    return "dbpin:" + hashlib.sha256(header.encode()).hexdigest()[:32]


def pinned(request: HttpRequest) -> bool:
    window = settings.DATABASE_REPLICA_PIN_SECONDS
    raw = request.COOKIES.get(PIN_COOKIE)
    if raw:
        try:
            signing.get_cookie_signer(salt=PIN_COOKIE).unsign(raw, max_age=window)
            return True
        except signing.BadSignature:
            pass
    key = _principal_key(request)
    return bool(key and cache.get(key))


def pin(request: HttpRequest, response: HttpResponse) -> None:
    window = settings.DATABASE_REPLICA_PIN_SECONDS
    response.set_cookie(
        PIN_COOKIE,
        signing.get_cookie_signer(salt=PIN_COOKIE).sign(str(int(time.time()))),
        max_age=window,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    key = _principal_key(request)
    if key:
        cache.set(key, 1, timeout=window)


class ReplicaMiddleware:
    """Opens ``replica_reads()`` around read-only views; pins writers to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.views = frozenset(settings.DATABASE_REPLICA_VIEWS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.read_from_replica = False
        response = self.get_response(request)
        if replica_configured() and request.method not in SAFE_METHODS:
            pin(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in {"GET", "HEAD"}:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in self.views or pinned(request):
            return None
        with replica_reads() as used:
            request.read_from_replica = used
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response = response.render()  # template responses read (lazily) while rendering
            if getattr(response, "streaming", False):
                response.streaming_content = _consume_on_replica(response.streaming_content)
            return response


def _consume_on_replica(content):
    """Streamed exports read while they stream: keep them on the replica too."""
    with replica_reads():
        yield from content
