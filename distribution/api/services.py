"""Writes for API keys and webhook endpoints (the API settings page calls these).

Keys and secrets are random; a key is stored only as its SHA-256 hash with a
visible prefix and is returned once, by ``api_key_create``. A webhook secret must
be kept to sign deliveries; it too is shown only once, on creation.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_manager
from distribution.core.audit import audit
from distribution.core.errors import InvalidState

from .models import ApiKey, WebhookEndpoint, hash_key

KEY_PREFIX = {"reseller": "rk_live_", "supplier": "sk_live_"}




@transaction.atomic
def api_key_create(*, actor: Any, organisation: Any, name: str) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw key, which is never available again."""
    require_manager(actor, organisation)
    raw = KEY_PREFIX.get(organisation.kind, "key_") + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organisation=organisation,
        name=name.strip() or _("API key"),
        prefix=raw[: ApiKey.PREFIX_LENGTH],
        key_hash=hash_key(raw),
        created_by=actor,
    )
    audit(actor=actor, action="api_key.created", obj=key, organisation=organisation, summary=f"{key.name} {key.prefix}…")
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: Any, key: ApiKey, now: datetime | None = None) -> ApiKey:
    """Revoke a key (it answers 401 from the next request). Revoking twice is refused."""
    now = now or timezone.now()
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    require_manager(actor, key.organisation)
    if key.revoked_at is not None:
        raise InvalidState(_("This key was already revoked."))
    key.revoked_at = now
    key.save(update_fields=["revoked_at"])
    audit(actor=actor, action="api_key.revoked", obj=key, organisation=key.organisation, summary=f"{key.name} {key.prefix}…")
    return key


@transaction.atomic
def webhook_endpoint_create(*, actor: Any, organisation: Any, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret (shown once)."""
    require_manager(actor, organisation)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation, url=url, events=sorted(set(events)), secret=secret, created_by=actor
    )
    audit(actor=actor, action="webhook_endpoint.created", obj=endpoint, organisation=organisation, summary=url)
    return endpoint, secret


@transaction.atomic
def webhook_secret_rotate(*, actor: Any, endpoint: WebhookEndpoint, now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown once); the old one keeps signing too for 24 hours (a second
    ``v1=``), so receivers switch without losing an event. Rotating again within those 24 hours
    retires the oldest at once."""
    from .webhooks import SECRET_OVERLAP

    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    require_manager(actor, endpoint.organisation)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + SECRET_OVERLAP
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    audit(actor=actor, action="webhook_endpoint.secret_rotated", obj=endpoint, organisation=endpoint.organisation, summary=endpoint.url)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log."""
    require_manager(actor, endpoint.organisation)
    audit(actor=actor, action="webhook_endpoint.deleted", obj=endpoint, organisation=endpoint.organisation, summary=endpoint.url)
    endpoint.delete()
