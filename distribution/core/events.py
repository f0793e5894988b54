"""Domain events: how one part of the platform tells the others that something happened.

A service publishes an event inside its transaction::

    events.publish("purchase_order.paid", purchase_order_id=po.pk, supplier_id=..., reseller_id=...)

Subscribers are registered from ``AppConfig.ready()`` and come in two kinds:

- ``subscribe(name, handler)``: runs at once, inside the publisher's transaction. For
  reactions that are part of the same change (the store list re-checking a SKU whose
  price range moved). If it raises, the whole change rolls back.
- ``subscribe(name, handler, after_commit=True, queue=...)``: a side effect (webhooks,
  emails). ``publish`` writes one outbox row per such subscriber in the same
  transaction, so the side effect happens if and only if the change commits; a worker
  runs the handler after commit, retried until it succeeds (``distribution.core.outbox``).

Payloads are ids and facts only (JSON-able); a handler reads what it needs when it
runs. ``coalesce_key`` (with ``delay``) folds repeated events about one thing into one
delivery: ``sku.changed`` for a SKU that 1,000 closing POs touch is handled once.
Inside ``outbox.batch()`` the rows of many events are written with one INSERT.

Lower layers never import higher ones: a domain module publishes, the API (or the
store list, or notifications) subscribes. Event names are ``<entity>.<fact>``, one
name per fact; ``EVENTS`` lists them with what their data carries.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from . import outbox

logger = logging.getLogger(__name__)

# Every event the domain publishes, with the keys of its data.
EVENTS: dict[str, str] = {
    "purchase_order.placed": "purchase_order_id, number, supplier_id, reseller_id, from_status, to_status",
    "purchase_order.paid": "as purchase_order.placed",
    "purchase_order.shipped": "as purchase_order.placed",
    "purchase_order.closed": "as purchase_order.placed",
    "purchase_order.refunded": "as purchase_order.placed",
    "purchase_order.partially_refunded": "as purchase_order.placed",
    "purchase_order.completed": "as purchase_order.placed",
    "purchase_order.disputed": "as purchase_order.placed",
    "package.shipped": "purchase_order_id, package_id, number, supplier_id, reseller_id, complete (the PO is now shipped)",
    "package.tracking_corrected": "purchase_order_id, package_id, number, supplier_id, reseller_id, old_carrier, old_tracking_number",
    "after_sale.changed": "after_sale_id, number, purchase_order_id, supplier_id, reseller_id, from_status, to_status; "
    "change=return_delivered when the return's delivery was reported (the status stays)",
    "sku.changed": "sku_id, supplier_id, changes (reserved, on_hand, price, range, delisted, ...); coalesced per SKU; "
    "batch=true when a skus.changed carries it too",
    "skus.changed": "sku_ids, changes: one change to many SKUs (bulk stock), for set-based in-transaction subscribers",
    "product.delisted": "product_id, supplier_id",
    "product.listed": "product_id, supplier_id (approved by staff, now visible)",
    "product.updated": "product_id, supplier_id (fields, SKUs or approved changes of a product)",
    "supplier.updated": "supplier_id (company profile, e.g. its name)",
    "partnership.terminating": "partnership_id, supplier_id, reseller_id",
    "partnership.terminated": "partnership_id, supplier_id, reseller_id",
}


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any]
    occurred_at: datetime
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_payload(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "occurred_at": self.occurred_at.isoformat(), "data": self.data}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Event:
        return cls(
            id=payload["id"],
            name=payload["name"],
            data=payload.get("data") or {},
            occurred_at=datetime.fromisoformat(payload["occurred_at"]),
        )


Handler = Callable[[Event], Any]


@dataclass(frozen=True)
class _Subscriber:
    handler: Handler
    after_commit: bool
    topic: str


_subscribers: dict[str, list[_Subscriber]] = {}


def _topic(handler: Handler) -> str:
    return f"event:{handler.__module__}.{handler.__qualname__}"


def subscribe(name: str, handler: Handler, *, after_commit: bool = False, queue: str = "default") -> Handler:
    """Register ``handler`` for event ``name`` (call from ``AppConfig.ready()``; idempotent).

    After-commit handlers are outbox handlers named by their dotted path, so the
    worker finds them again in another process; they must be module-level functions.
    """
    if name not in EVENTS:
        raise ValueError(f"unknown domain event {name!r}; add it to events.EVENTS")
    topic = _topic(handler)
    subscriber = _Subscriber(handler=handler, after_commit=after_commit, topic=topic)
    subscribers = _subscribers.setdefault(name, [])
    if any(s.topic == topic and s.after_commit == after_commit for s in subscribers):
        return handler
    subscribers.append(subscriber)
    if after_commit:
        outbox.register_handler(topic, lambda payload: handler(Event.from_payload(payload)), queue=queue)
    return handler


def unsubscribe(name: str, handler: Handler) -> None:
    topic = _topic(handler)
    _subscribers[name] = [s for s in _subscribers.get(name, []) if s.topic != topic]


def publish(
    name: str,
    *,
    coalesce_key: str | None = None,
    delay: timedelta | None = None,
    now: datetime | None = None,
    **data: Any,
) -> Event:
    """Publish ``name`` inside the current transaction (see the module docstring)."""
    if name not in EVENTS:
        raise ValueError(f"unknown domain event {name!r}; add it to events.EVENTS")
    event = Event(name=name, data=outbox.jsonable(data), occurred_at=now or timezone.now())
    for subscriber in list(_subscribers.get(name, [])):
        if subscriber.after_commit:
            outbox.enqueue(
                subscriber.topic,
                event.as_payload(),
                coalesce_key=f"{subscriber.topic}|{coalesce_key}" if coalesce_key else None,
                delay=delay,
                now=now,
            )
        else:
            subscriber.handler(event)
    return event


def publish_many(name: str, items: list[dict[str, Any]], *, now: datetime | None = None) -> int:
    """Publish ``name`` once per item of ``items`` (each item is one event's data), for batch services.

    The same events as calling :func:`publish` per item (no coalescing): inside subscribers run
    per event; each after-commit subscriber gets its outbox rows in one INSERT
    (``outbox.enqueue_many``), so a batch of 1,000 POs costs one statement per subscriber.
    """
    if name not in EVENTS:
        raise ValueError(f"unknown domain event {name!r}; add it to events.EVENTS")
    occurred_at = now or timezone.now()
    batch = [Event(name=name, data=outbox.jsonable(data) if _needs_conversion(data) else data, occurred_at=occurred_at) for data in items]
    for subscriber in list(_subscribers.get(name, [])):
        if subscriber.after_commit:
            outbox.enqueue_many(subscriber.topic, [event.as_payload() for event in batch], now=now)
        else:
            for event in batch:
                subscriber.handler(event)
    return len(batch)


def _needs_conversion(data: dict[str, Any]) -> bool:
    return any(not isinstance(v, str | int | bool | type(None)) for v in data.values())
