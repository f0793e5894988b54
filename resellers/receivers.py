"""Receivers of ``suppliers.signals`` (temporary, until domain events land): the store list
reacts, inside the supplier's transaction, to what its published entries depend on."""

from __future__ import annotations

from suppliers import signals

from . import services
from .models import StoreListing


def on_sku_changed(sender, *, sku, changes, **kwargs) -> None:
    services.store_list_on_sku_changed(sku=sku, changes=changes)


def on_skus_changed(sender, *, skus, changes, **kwargs) -> None:
    """A batch: one query finds the SKUs with store entries; only those are re-flagged."""
    listed = set(StoreListing.objects.filter(sku_id__in=[s.pk for s in skus]).values_list("sku_id", flat=True).distinct())
    for sku in skus:
        if sku.pk in listed:
            services.store_list_on_sku_changed(sku=sku, changes=changes)


def on_product_delisted(sender, *, product, **kwargs) -> None:
    services.store_list_on_product_delisted(product=product)


def on_partnership_ended(sender, *, partnership, now, **kwargs) -> None:
    services.store_list_on_partnership_ended(partnership=partnership, now=now)


def connect() -> None:
    signals.sku_changed.connect(on_sku_changed, dispatch_uid="resellers.store_list.sku_changed")
    signals.skus_changed.connect(on_skus_changed, dispatch_uid="resellers.store_list.skus_changed")
    signals.product_delisted.connect(on_product_delisted, dispatch_uid="resellers.store_list.product_delisted")
    signals.partnership_ended.connect(on_partnership_ended, dispatch_uid="resellers.store_list.partnership_ended")
