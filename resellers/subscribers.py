"""The store list's in-transaction subscribers of domain events (``distribution/core/events.py``).

Registered from ``ResellersConfig.ready()``. Each runs inside the supplier's transaction
(the SKU, product or partnership row is locked by the publisher), so an error rolls the
supplier's change back with the store list's reaction. The suppliers app never imports
this one: it publishes ``sku.changed``, ``product.delisted`` and ``partnership.terminated``.
The rows are read again by id (the events carry ids only); a row that is gone has no entries.
"""

from __future__ import annotations

from distribution.core import events
from suppliers.models import SKU, Partnership, Product
from suppliers.services.catalog import WATCHED_SKU_FIELDS

from . import services
from .models import StoreListing

#: the SKU changes a published entry depends on: supply price, retail range, the supplier's
#: stock on hand, taken off sale. Not ``reserved`` (every PO placed, closed or refunded) nor
#: ``delisted`` (the product's delisting arrives as ``product.delisted``).
STORE_LIST_SKU_CHANGES = frozenset(WATCHED_SKU_FIELDS)


def store_list_changes(changes) -> set[str]:
    """The changes of a ``sku.changed`` the store list reacts to (none: it costs no statement).

    ``on_hand`` together with ``reserved`` is a shipment: both fell by the same quantity, so
    what is available did not move and no entry's flags can change.
    """
    changes = set(changes or ())
    if "reserved" in changes:
        changes.discard("on_hand")
    return changes & STORE_LIST_SKU_CHANGES


def on_sku_changed(event: events.Event) -> None:
    changes = store_list_changes(event.data.get("changes"))
    if not changes or event.data.get("batch"):  # a batch arrives as one skus.changed
        return
    sku = SKU.objects.filter(pk=event.data["sku_id"]).first()
    if sku is not None:
        services.store_list_on_sku_changed(sku=sku, changes=changes, now=event.occurred_at)


def on_skus_changed(event: events.Event) -> None:
    """A batch (bulk stock): one query finds the SKUs that have store entries; only those react."""
    changes = store_list_changes(event.data.get("changes"))
    if not changes:
        return
    listed = StoreListing.objects.filter(sku_id__in=list(event.data["sku_ids"])).values("sku_id").distinct()
    for sku in SKU.objects.filter(pk__in=listed).order_by("pk"):
        services.store_list_on_sku_changed(sku=sku, changes=changes, now=event.occurred_at)


def on_product_delisted(event: events.Event) -> None:
    product = Product.objects.filter(pk=event.data["product_id"]).first()
    if product is not None:
        services.store_list_on_product_delisted(product=product, now=event.occurred_at)


def on_partnership_terminated(event: events.Event) -> None:
    partnership = Partnership.objects.filter(pk=event.data["partnership_id"]).first()
    if partnership is not None:
        services.store_list_on_partnership_ended(partnership=partnership, now=event.occurred_at)


def subscribe() -> None:
    events.subscribe("sku.changed", on_sku_changed)
    events.subscribe("skus.changed", on_skus_changed)
    events.subscribe("product.delisted", on_product_delisted)
    events.subscribe("partnership.terminated", on_partnership_terminated)
