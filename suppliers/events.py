"""The catalog's domain events (see ``distribution.core.events``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from distribution.core import events, outbox


def publish_sku_changed(*, sku_ids: Iterable[int], changes: Iterable[str], now: datetime | None = None) -> None:
    """``sku.changed`` for each SKU (price, range, stock, delisted …), coalesced per SKU.

    Repeated changes to one SKU within ``PRODUCT_UPDATED_WINDOW`` (in one transaction or
    across many) become one pending event whose ``changes`` is the union.
    """
    changes = sorted(set(changes))
    ids = sorted(set(sku_ids))
    batch = {"batch": True} if len(ids) > 1 else {}
    with outbox.batch():
        if batch:  # in-transaction subscribers (the store list) take the batch in one go
            events.publish("skus.changed", now=now, sku_ids=ids, changes=changes)
        for sku_id in ids:
            events.publish(
                "sku.changed",
                coalesce_key=f"sku:{sku_id}",
                delay=settings.PRODUCT_UPDATED_WINDOW,
                now=now,
                sku_id=sku_id,
                changes=changes,
                **batch,
            )
