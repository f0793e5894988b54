"""Bearer authentication with an organisation's API key, and the per-key rate limit.

The key's organisation kind decides which paths it may use: a reseller key on a
supplier path (or the reverse) answers 403, and so does every key of an organisation whose
owners have not accepted the current user agreement (``agreement_required``, R1). Each key may make
``settings.API_RATE_LIMIT_PER_MINUTE`` requests per clock minute (a Redis counter);
the next one answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
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


def _key_query() -> tuple[str, list[tuple[type, list[str]]]]:
    """The key lookup's SQL, built once from the models: the key, its organisation with its
    reseller or supplier profile, and the acting user with its membership (audit rows name its
    organisation): everything a request needs, in one query compiled once per process (the
    ORM would spend more CPU compiling this five-table join than PostgreSQL spends running it)."""
    from django.contrib.auth import get_user_model

    from accounts.models import AgreementAcceptance, AgreementVersion, Membership
    from resellers.models import Reseller
    from suppliers.models import Supplier

    tables = [
        (ApiKey, "k", None),
        (Organisation, "o", 'JOIN {table} o ON o."id" = k."organisation_id"'),
        (Reseller, "r", 'LEFT JOIN {table} r ON r."organisation_id" = o."id"'),
        (Supplier, "s", 'LEFT JOIN {table} s ON s."organisation_id" = o."id"'),
        (get_user_model(), "u", 'LEFT JOIN {table} u ON u."id" = k."created_by_id"'),
        (Membership, "m", 'LEFT JOIN {table} m ON m."user_id" = u."id"'),
    ]
    columns, joins, layout = [], [], []
    for model, alias, join in tables:
        fields = model._meta.concrete_fields
        columns += [f'{alias}."{f.column}"' for f in fields]
        layout.append((model, [f.attname for f in fields]))
        if join:
            joins.append(join.format(table=f'"{model._meta.db_table}"'))
    # R1 in the same statement: the SQL form of accounts.selectors.organisation_must_accept_agreement
    # (the current version is the newest published one; an owner's acceptance of it is needed).
    # tests/api/test_auth_agreement.py keeps the two equal.
    must_accept = (
        f'COALESCE((SELECT NOT EXISTS (SELECT 1 FROM "{AgreementAcceptance._meta.db_table}" a '  # noqa: S608 (names from the models)
        f'JOIN "{Membership._meta.db_table}" om ON om."user_id" = a."user_id" '
        f'WHERE a."version_id" = cv."id" AND om."organisation_id" = o."id" AND om."role" = \'owner\') '
        f'FROM (SELECT "id" FROM "{AgreementVersion._meta.db_table}" WHERE "published_at" <= now() '
        f'ORDER BY "published_at" DESC, "id" DESC LIMIT 1) cv), false)'
    )
    sql = (
        f'SELECT {", ".join(columns)}, {must_accept} FROM "{ApiKey._meta.db_table}" k {" ".join(joins)} '  # noqa: S608 (names from the models)
        'WHERE k."key_hash" = %s AND k."revoked_at" IS NULL LIMIT 1'
    )
    return sql, layout


_compiled_key_query: list[tuple[str, list[tuple[type, list[str]]]]] = []


def find_key(raw: str) -> ApiKey | None:
    """The active key with this secret, its organisation (and profile), creator and membership loaded; else None."""
    if not raw or len(raw) > 200:
        return None
    if not _compiled_key_query:
        _compiled_key_query.append(_key_query())
    sql, layout = _compiled_key_query[0]
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_key(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, start = [], 0
    must_accept_agreement = row[-1]
    for model, attnames in layout:
        values = row[start : start + len(attnames)]
        start += len(attnames)
        objects.append(model.from_db("default", attnames, values) if values[0] is not None else None)
    key, organisation, reseller, supplier, user, membership = objects
    key.organisation = organisation
    Organisation.reseller.related.set_cached_value(organisation, reseller)
    Organisation.supplier.related.set_cached_value(organisation, supplier)
    for profile in (reseller, supplier):
        if profile is not None:
            type(profile).organisation.field.set_cached_value(profile, organisation)
    key.created_by = user
    if user is not None:
        type(user).membership.related.set_cached_value(user, membership)
        if membership is not None:
            type(membership).user.field.set_cached_value(membership, user)
    key.must_accept_agreement = bool(must_accept_agreement)
    return key


def _count(counter: str) -> int:
    """INCR the window's counter and set its expiry: one Redis round-trip (a pipeline)."""
    redis_key = cache.make_and_validate_key(counter)
    backend = cache._cache  # per thread, like ``cache`` itself
    client = getattr(backend, "api_rate_client", None)
    if client is None:  # building a redis-py client costs ~0.3 ms: keep one per thread
        client = backend.api_rate_client = backend.get_client(redis_key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.incr(redis_key)
    pipe.expire(redis_key, 120)
    count, _expiry_set = pipe.execute()
    return int(count)


def check_rate_limit(key: ApiKey, request: HttpRequest | None = None) -> None:
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
    reset = int(60 - now % 60) + 1
    if request is not None:
        request.api_rate = (limit, count, reset)  # the RateLimit-* headers (distribution/api/middleware.py)
    if count > limit:
        raise Throttled(wait=reset)


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
        if self.kind and key.organisation.kind != self.kind:
            raise ApiError(403, "forbidden", _("This key belongs to another kind of organisation."))
        if key.must_accept_agreement:
            raise ApiError(
                403,
                "agreement_required",
                _("Your organisation has not accepted the current user agreement; an owner must accept it on the website first."),
            )
        check_rate_limit(key, request)
        touch(key)
        request.organisation = key.organisation
        return key


class ResellerKey(KeyAuth):
    kind = Organisation.Kind.RESELLER


class SupplierKey(KeyAuth):
    kind = Organisation.Kind.SUPPLIER


class AnyKey(KeyAuth):
    """Either kind (the events API and the test event belong to every organisation)."""

    kind = ""
