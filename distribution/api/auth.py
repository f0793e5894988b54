"""Bearer authentication with an organisation's API key, and the per-key rate limit.

The key's organisation kind decides which paths it may use: a reseller key on a
supplier path (or the reverse) answers 403. Each key may make
``settings.API_RATE_LIMIT_PER_MINUTE`` requests per clock minute (a Redis counter);
the next one answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer
from redis.exceptions import RedisError

from accounts.models import Organisation

from .errors import ApiError
from .models import ApiKey, hash_key

LAST_USED_RESOLUTION = timedelta(minutes=1)
logger = logging.getLogger(__name__)


def find_key(raw: str) -> ApiKey | None:
    if not raw or len(raw) > 200:
        return None
    return (
        # One query for everything a request needs: the organisation and its reseller or supplier
        # profile, and the acting user with its membership (audit rows name its organisation).
        ApiKey.objects.select_related(
            "organisation", "organisation__reseller", "organisation__supplier", "created_by", "created_by__membership"
        )
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )


def _count(counter: str) -> int:
    """INCR the window's counter and set its expiry: one Redis round-trip (a pipeline)."""
    redis_key = cache.make_and_validate_key(counter)
    client = cache._cache.get_client(redis_key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.incr(redis_key)
    pipe.expire(redis_key, 120)
    count, _expiry_set = pipe.execute()
    return int(count)


def check_rate_limit(key: ApiKey) -> None:
    """Count the request in the key's clock minute; over the limit answers 429 with ``Retry-After``.

    Fails open: when Redis cannot be reached the request goes through (logged as a
    warning) rather than answering 500; the limit protects capacity, not data.
    """
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    try:
        count = _count(f"api-rate:{key.pk}:{window}")
    except (RedisError, OSError) as exc:
        logger.warning("API rate limit not checked for key %s: Redis unavailable (%s)", key.pk, exc)
        return
    if count > limit:
        raise Throttled(wait=int(60 - now % 60) + 1)


def touch(key: ApiKey) -> None:
    """Record the last use, at most once a minute per key (no write per request)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


class KeyAuth(HttpBearer):
    kind: str = ""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = find_key(token.strip())
        if key is None:
            return None
        if key.organisation.kind != self.kind:
            raise ApiError(403, "forbidden", _("This key belongs to another kind of organisation."))
        check_rate_limit(key)
        touch(key)
        request.organisation = key.organisation
        return key


class ResellerKey(KeyAuth):
    kind = Organisation.Kind.RESELLER


class SupplierKey(KeyAuth):
    kind = Organisation.Kind.SUPPLIER
