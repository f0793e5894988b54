"""Webhook events and their signed delivery.

The domain never calls this module: it publishes domain events
(``distribution.core.events``) and the handlers at the end of this module subscribe
to them *after commit* (through the outbox, in the ``webhooks`` queue). In the worker
a handler reads the object as it is then, and ``emit_event`` records one webhook event
per interested organisation and one delivery per endpoint, queued on commit. So the
fan-out to partners and endpoints costs the placing transaction nothing, a rolled-back
change sends nothing, and a slow or failing receiver cannot slow or break the action.

Each attempt is a ``POST`` of ``{"id", "type", "created_at", "data"}`` with
``X-Event-Id`` and ``X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + raw body>``
(Stripe's scheme: the time is signed, so a captured delivery cannot be replayed after
``SIGNATURE_TOLERANCE``; ``verify_signature`` is the receiver's check). For 24 hours after a
secret rotation a second ``v1=`` is signed with the previous secret.
A failed attempt is retried with exponential back-off (1, 2, 4, … minutes, capped)
until a 2xx or until 24 hours after the event, then the delivery is marked failed; a
receiver the policy refuses (a private address in production, a bad scheme) is not retried.
Every attempt is kept (``WebhookAttempt``). A beat sweep re-queues deliveries whose queued
task was lost.

Events are recorded (for ``GET events/``, 30 days) for every organisation with an active key
or endpoint, whether or not an endpoint subscribes to the type.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from distribution.core.sweeps import SweepResult, due_ids

from .models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

EVENT_TYPES = [
    "purchase_order.placed",
    "purchase_order.paid",
    "purchase_order.shipped",
    "purchase_order.closed",
    "purchase_order.refunded",
    "purchase_order.completed",
    "purchase_order.disputed",
    "purchase_order.package_shipped",
    "purchase_order.tracking_corrected",
    "after_sale.requested",
    "after_sale.proposed",
    "after_sale.refused",
    "after_sale.escalated",
    "after_sale.awaiting_return",
    "after_sale.return_shipped",
    "after_sale.return_delivered",
    "after_sale.refunded",
    "after_sale.exchanged",
    "after_sale.closed",
    "product.updated",
    "partnership.terminating",
    "partnership.terminated",
    "webhook.test",
]
# What an endpoint can subscribe to ("webhook.test" goes to the endpoints it is sent to).
SUBSCRIBABLE_TYPES = [t for t in EVENT_TYPES if t != "webhook.test"]
EVENTS_KEPT = timedelta(days=30)
SIGNATURE_TOLERANCE = timedelta(minutes=5)
SECRET_OVERLAP = timedelta(hours=24)
# ``product.updated``'s ``changes``, in the API's terms (the SKU's model fields map onto them):
PRODUCT_CHANGES = ["available", "supply_price", "retail_range", "suggested_retail_price", "status"]
CHANGE_NAMES = {
    "on_hand": "available",
    "reserved": "available",
    "supply_price_amount": "supply_price",
    "min_retail_amount": "retail_range",
    "max_retail_amount": "retail_range",
    "suggested_retail_amount": "suggested_retail_price",
    "is_active": "status",
    "delisted": "status",
}
MAX_BACKOFF = timedelta(hours=6)
EXCERPT_LENGTH = 500
# While an attempt is in flight its delivery is not due, so a duplicate task skips it.
LEASE = timedelta(minutes=2)
# The sweep picks up only deliveries overdue by this much (their task was lost).
SWEEP_GRACE = timedelta(minutes=5)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secrets: str | list[str], body: bytes, *, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex>[,v1=<hex>]``: one ``v1`` per valid secret (two during a rotation)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secrets = [secrets] if isinstance(secrets, str) else secrets
    return ",".join([f"t={timestamp}", *(f"v1={_mac(secret, timestamp, body)}" for secret in secrets)])


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: timedelta = SIGNATURE_TOLERANCE, now: float | None = None
) -> bool:
    """The receiver's check (README has it in Python and PHP): a ``v1`` matches and ``t`` is recent."""
    parts = [p.split("=", 1) for p in (header or "").split(",") if "=" in p]
    stamps = [v for k, v in parts if k.strip() == "t"]
    if not stamps or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance.total_seconds():
        return False
    expected = _mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v.strip()) for k, v in parts if k.strip() == "v1")


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _queue(delivery_ids: list[int], *, countdown: float = 0) -> None:
    """Queue delivery attempts; a broker failure is logged (the deliveries sweep re-queues them)."""
    from .tasks import deliver_webhook

    try:
        for pk in delivery_ids:
            deliver_webhook.apply_async((pk,), countdown=countdown)
    except Exception:  # the deliveries are recorded; sweep_webhook_deliveries queues them again
        logger.warning("webhooks: could not queue deliveries %s; the deliveries sweep will retry", delivery_ids, exc_info=True)


def emit_event(
    *,
    organisation: Any,
    type: str,
    data: dict[str, Any] | Callable[[], dict[str, Any]],
    now: datetime | None = None,
    endpoint: WebhookEndpoint | None = None,
) -> WebhookEvent | None:
    """Record ``type`` for ``organisation`` and queue its deliveries on commit.

    Call inside the transaction of the change that caused the event. The event is recorded
    (for ``GET events/``) when the organisation has an active key or endpoint, and delivered to
    each active endpoint that subscribes to ``type`` (or only to ``endpoint``, for a test event).
    Returns ``None`` (and writes nothing) when the organisation has neither.
    ``data`` may be a callable, evaluated only then.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    now = now or timezone.now()
    org_id = getattr(organisation, "pk", organisation)
    active = list(WebhookEndpoint.objects.filter(organisation_id=org_id, is_active=True))
    endpoints = [e for e in active if e.wants(type)] if endpoint is None else [endpoint]
    if not active and not ApiKey.objects.filter(organisation_id=org_id, revoked_at__isnull=True).exists():
        return None  # nobody integrates: nothing to deliver or catch up on
    event = WebhookEvent.objects.create(
        id=uuid.uuid4(),
        organisation_id=org_id,
        type=type,
        data=json.loads(json.dumps(data() if callable(data) else data, cls=DjangoJSONEncoder)),
        created_at=now,
    )
    if not endpoints:
        return event
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                event=event, endpoint=e, organisation_id=org_id, next_attempt_at=now, retry_until=now + settings.WEBHOOK_RETRY_FOR
            )
            for e in endpoints
        ]
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _queue(ids))
    return event


PO_EVENT_BY_STATUS = {
    "awaiting_payment": "purchase_order.placed",
    "paid": "purchase_order.paid",
    "shipped": "purchase_order.shipped",
    "closed": "purchase_order.closed",
    "refunded": "purchase_order.refunded",
    "partially_refunded": "purchase_order.refunded",
    "completed": "purchase_order.completed",
    "disputed": "purchase_order.disputed",
}


def emit_purchase_order_event(po: Any, *, now: datetime | None = None) -> None:
    """``purchase_order.<status>`` to the PO's reseller and supplier (call in the transition's transaction)."""
    type = PO_EVENT_BY_STATUS.get(po.status)
    if type is None:
        return
    from .serializers import po_dict

    cached: dict[str, Any] = {}

    def data() -> dict[str, Any]:
        if not cached:
            cached.update(po_dict(po))
        return cached

    for organisation_id in (po.reseller_id, po.supplier_id):
        emit_event(organisation=organisation_id, type=type, data=data, now=now)


def emit_product_updated(*, sku: Any, changes: set[str] | list[str], now: datetime | None = None) -> None:
    """``product.updated`` (price, range, stock, delisted) to every reseller with a live partnership
    and an endpoint that wants it."""
    from suppliers.models import Partnership

    partners = Partnership.objects.live(now).filter(supplier_id=sku.supplier_id).values("reseller_id")
    reseller_ids = sorted(
        set(WebhookEndpoint.objects.filter(is_active=True, organisation_id__in=partners).values_list("organisation_id", flat=True))
        | set(ApiKey.objects.filter(revoked_at__isnull=True, organisation_id__in=partners).values_list("organisation_id", flat=True))
    )
    named = sorted({CHANGE_NAMES[c] for c in changes if c in CHANGE_NAMES})
    if not named or not reseller_ids:
        return
    data = {
        "sku_id": sku.pk,
        "code": sku.code,
        "product_id": sku.product_id,
        "changes": named,
        "available": max(sku.on_hand - sku.reserved, 0),
        "min_retail_price": f"{sku.min_retail_amount:.2f}",
        "max_retail_price": f"{sku.max_retail_amount:.2f}",
        "suggested_retail_price": f"{sku.suggested_retail_amount:.2f}",
    }
    for reseller_id in reseller_ids:
        emit_event(organisation=reseller_id, type="product.updated", data=data, now=now)


def emit_partnership_event(*, partnership: Any, type: str, now: datetime | None = None) -> None:
    """``partnership.terminating`` / ``partnership.terminated`` to both sides."""
    data = {
        "partnership_id": partnership.pk,
        "supplier_id": partnership.supplier_id,
        "reseller_id": partnership.reseller_id,
        "status": partnership.status,
        "ends_at": partnership.ends_at,
        "reason": partnership.termination_reason,
    }
    for organisation_id in (partnership.supplier_id, partnership.reseller_id):
        emit_event(organisation=organisation_id, type=type, data=data, now=now)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer like any non-2xx: not delivered


_opener = urllib.request.build_opener(_NoRedirect)


def _blocked_host(url: str) -> str | None:
    """Why ``url`` may not be called: a loopback, private, link-local or reserved address (SSRF).

    Checked on every attempt against what the name resolves to now. Allowed when
    ``WEBHOOK_ALLOW_PRIVATE_HOSTS`` is on (development, tests).
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return None
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot resolve {host}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            return f"{host} resolves to a non-public address ({address})"
    return None


class Refused(Exception):
    """The policy does not allow this receiver: no request is made, and none will be retried."""


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code or None, excerpt of the answer or the error); ``Refused`` by policy."""
    if not url.lower().startswith(("http://", "https://")):
        raise Refused("unsupported URL scheme")
    blocked = _blocked_host(url)
    if blocked:
        raise Refused(blocked)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(EXCERPT_LENGTH).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read(EXCERPT_LENGTH).decode("utf-8", "replace")
        except OSError:
            text = ""
        return exc.code, text
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:EXCERPT_LENGTH]


def attempt_delivery(delivery_id: int, *, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt if the delivery is pending and due; record the answer; schedule the retry.

    Safe to call twice at once or for a delivery already delivered: the claim is a
    row lock with SKIP LOCKED plus a lease, so only one caller POSTs per attempt.
    The HTTP request runs outside any transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("event", "endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])

    event, endpoint = delivery.event, delivery.endpoint
    body = json.dumps(event.payload(), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "distribution-webhooks/1",
        "X-Event-Id": str(event.id),
        "X-Event-Type": event.type,
        "X-Signature": sign(endpoint.signing_secrets(now), body, timestamp=int(now.timestamp())),
    }
    started = time.perf_counter()
    refused = False
    try:
        status_code, excerpt = _post(endpoint.url, body, headers)
    except Refused as exc:
        status_code, excerpt, refused = None, f"refused: {exc}", True
    WebhookAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, attempted_at=now, status_code=status_code,
        response_excerpt=excerpt[:EXCERPT_LENGTH], duration_ms=int((time.perf_counter() - started) * 1000),
    )  # fmt: skip

    delivery.last_status_code = status_code
    delivery.last_response_excerpt = excerpt[:EXCERPT_LENGTH]
    retry_in: timedelta | None = None
    if refused:
        delivery.status = WebhookDelivery.Status.REFUSED
        delivery.next_attempt_at = None
    elif status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    else:
        retry_in = backoff(delivery.attempts)
        if now + retry_in > delivery.retry_until:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            retry_in = None
        else:
            delivery.next_attempt_at = now + retry_in
    delivery.save(update_fields=["status", "last_status_code", "last_response_excerpt", "delivered_at", "next_attempt_at"])
    if retry_in is not None:
        _queue([delivery.pk], countdown=retry_in.total_seconds())
    return delivery


def delivery_resend(*, actor: Any, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Queue one more attempt now (the "resend" button), whatever the delivery's state.

    A resend restarts the 24-hour retry window. The event is sent as it was (same
    id, same body), so receivers can still deduplicate by ``X-Event-Id``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = now
        delivery.retry_until = now + settings.WEBHOOK_RETRY_FOR
        delivery.save(update_fields=["status", "next_attempt_at", "retry_until"])
        transaction.on_commit(lambda: _queue([delivery.pk]))
    return delivery


def send_test_event(
    *, actor: Any, organisation: Any, endpoint: WebhookEndpoint | None = None, now: datetime | None = None
) -> tuple[WebhookEvent, int]:
    """A ``webhook.test`` event to one endpoint (the settings page's button) or to every active one
    (``POST webhooks/test``): signed, logged and retried like any event. Returns it with the
    number of deliveries queued."""
    now = now or timezone.now()
    org_id = getattr(organisation, "pk", organisation)
    targets = [endpoint] if endpoint is not None else list(WebhookEndpoint.objects.filter(organisation_id=org_id, is_active=True))
    data = {"message": "This is a test event from the distribution platform.", "sent_at": timezone.localtime(now).isoformat()}
    with transaction.atomic():
        event = WebhookEvent.objects.create(id=uuid.uuid4(), organisation_id=org_id, type="webhook.test", data=data, created_at=now)
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, endpoint=t, next_attempt_at=now, retry_until=now + settings.WEBHOOK_RETRY_FOR) for t in targets]
        )
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _queue(ids))
    return event, len(ids)


def sweep_webhook_events(*, now: datetime, dry_run: bool = False, batch_size: int = 1000) -> SweepResult:
    """Forget events (with their deliveries and attempts) older than ``EVENTS_KEPT`` (30 days), in batches."""
    result = SweepResult(name="webhook_events")
    old = WebhookEvent.objects.filter(created_at__lt=now - EVENTS_KEPT).order_by("created_at", "id")
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return result
        result.acted.extend(str(i) for i in ids)
        if dry_run:
            return result
        WebhookEvent.objects.filter(pk__in=ids).delete()


def sweep_webhook_deliveries(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Re-queue pending deliveries whose retry is overdue (their queued task was lost)."""
    result = SweepResult(name="webhook_deliveries")
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    for ids in due_ids(due):
        result.acted.extend(str(i) for i in ids)
        if not dry_run:
            _queue(ids)
    return result


# --- subscribers to domain events (run in the worker, after commit) ----------------------


def on_purchase_order_event(event: Any) -> None:
    """``purchase_order.*`` domain event → webhooks to the PO's reseller and supplier."""
    from procurement.models import PurchaseOrder

    po = PurchaseOrder.objects.select_related("supplier", "reseller").filter(pk=event.data["purchase_order_id"]).first()
    type = PO_EVENT_BY_STATUS.get(event.data["to_status"])
    if po is None or type is None:
        return
    from .serializers import po_dict

    data = po_dict(po)
    data["status"] = event.data["to_status"]  # the fact the event reports, even if the PO moved on since
    for organisation_id in (po.reseller_id, po.supplier_id):
        emit_event(organisation=organisation_id, type=type, data=data, now=event.occurred_at)


def on_sku_changed(event: Any) -> None:
    """``sku.changed`` (coalesced per SKU) → one ``product.updated`` per interested partner."""
    from suppliers.models import SKU

    sku = SKU.objects.filter(pk=event.data["sku_id"]).first()
    if sku is not None:
        emit_product_updated(sku=sku, changes=event.data.get("changes") or [], now=event.occurred_at)


def on_partnership_event(event: Any) -> None:
    """``partnership.terminating`` / ``.terminated`` → webhooks to both sides."""
    from suppliers.models import Partnership

    partnership = Partnership.objects.filter(pk=event.data["partnership_id"]).first()
    if partnership is not None:
        emit_partnership_event(partnership=partnership, type=event.name, now=event.occurred_at)


def on_package_event(event: Any) -> None:
    """``package.shipped`` / ``package.tracking_corrected`` → webhooks to the PO's reseller and supplier."""
    from procurement.models import Package

    package = (
        Package.objects.select_related("purchase_order__supplier", "purchase_order__reseller").filter(pk=event.data["package_id"]).first()
    )
    if package is None:
        return
    from .serializers import package_dict, po_dict

    po = package.purchase_order
    data = {"purchase_order": po_dict(po), "package": package_dict(package)}
    if event.name == "package.tracking_corrected":
        type = "purchase_order.tracking_corrected"
        data["previous"] = {"carrier": event.data["old_carrier"], "tracking_number": event.data["old_tracking_number"]}
        targets = (po.reseller_id, po.supplier_id)
    else:
        if event.data.get("complete") and po.packages.count() == 1:
            return  # one package for everything: purchase_order.shipped says it all
        type = "purchase_order.package_shipped"
        targets = (po.reseller_id, po.supplier_id)
    for organisation_id in targets:
        emit_event(organisation=organisation_id, type=type, data=data, now=event.occurred_at)


def on_after_sale_event(event: Any) -> None:
    """``after_sale.changed`` → ``after_sale.<status>`` (or ``after_sale.<change>``, e.g. the return
    delivered) to both sides."""
    from aftersales.models import AfterSale

    a = AfterSale.objects.select_related("purchase_order").filter(pk=event.data["after_sale_id"]).first()
    type = f"after_sale.{event.data.get('change') or event.data['to_status']}"
    if a is None or type not in EVENT_TYPES:
        return
    from .serializers import after_sale_dict

    data = after_sale_dict(a)
    data["status"] = event.data["to_status"]
    for organisation_id in (a.reseller_id, a.supplier_id):
        emit_event(organisation=organisation_id, type=type, data=data, now=event.occurred_at)


def subscribe_to_domain_events() -> None:
    from distribution.core import events

    for name in events.EVENTS:
        if name.startswith("purchase_order."):
            events.subscribe(name, on_purchase_order_event, after_commit=True, queue="webhooks")
    events.subscribe("sku.changed", on_sku_changed, after_commit=True, queue="webhooks")
    events.subscribe("package.shipped", on_package_event, after_commit=True, queue="webhooks")
    events.subscribe("package.tracking_corrected", on_package_event, after_commit=True, queue="webhooks")
    events.subscribe("after_sale.changed", on_after_sale_event, after_commit=True, queue="webhooks")
    events.subscribe("partnership.terminating", on_partnership_event, after_commit=True, queue="webhooks")
    events.subscribe("partnership.terminated", on_partnership_event, after_commit=True, queue="webhooks")
