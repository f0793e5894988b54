"""Bearer authentication with an organisation's API key, and the per-key rate limit.

The key's organisation kind decides which paths it may use: a reseller key on a
supplier path (or the reverse) answers 403, and so does every key of an organisation whose
owners have not accepted the current user agreement (``agreement_required``, R1). Each key may make
``settings.API_RATE_LIMIT_PER_MINUTE`` requests per clock minute (a Redis counter);
the next one answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer

from accounts.models import Organisation
from accounts.selectors import organisation_must_accept_agreement

from .errors import ApiError
from .models import ApiKey, hash_key

LAST_USED_RESOLUTION = timedelta(minutes=1)


def find_key(raw: str) -> ApiKey | None:
    if not raw or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("organisation", "created_by")
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )


def check_rate_limit(key: ApiKey) -> None:
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    counter = f"api-rate:{key.pk}:{window}"
    cache.add(counter, 0, timeout=120)
    if cache.incr(counter) > limit:
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
        if organisation_must_accept_agreement(key.organisation):
            raise ApiError(
                403,
                "agreement_required",
                _("Your organisation has not accepted the current user agreement; an owner must accept it on the website first."),
            )
        check_rate_limit(key)
        touch(key)
        request.organisation = key.organisation
        return key


class ResellerKey(KeyAuth):
    kind = Organisation.Kind.RESELLER


class SupplierKey(KeyAuth):
    kind = Organisation.Kind.SUPPLIER
