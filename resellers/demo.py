"""Demo data of the resellers app: reseller1's store list (about ten published entries across
its partnered suppliers), one entry whose price fell out of the supplier's range, flagged and with
an open inspection finding. Idempotent; does nothing until the suppliers' demo has made products
and partnerships (looked up from the database, not assumed)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from suppliers.models import SKU, Partnership, Product

from .markup import MarkupRule, apply_markup
from .models import InspectionFinding, StoreListing
from .services import PublishItem, inspection_check_listings, store_listing_publish

PER_SUPPLIER = 5


def _seed_shops(ctx: dict) -> None:
    """Every demo reseller has its default shop; reseller1 also sells in a Pinduoduo shop (the same goods, 5 yuan more)."""
    from .models import Platform, Shop
    from .shop_services import shop_create, shop_default

    for key in ("reseller1", "reseller2", "reseller3"):
        if ctx.get(key) is not None:
            shop_default(reseller=ctx[key])
    reseller, user = ctx.get("reseller1"), ctx.get("reseller1_user")
    if reseller is None or Shop.objects.filter(reseller=reseller, platform=Platform.PINDUODUO).exists():
        return
    shop = shop_create(actor=user, reseller=reseller, name="曉明生活館 拼多多店", channel_type="b2c_platform", platform=Platform.PINDUODUO)
    listings = StoreListing.objects.filter(reseller=reseller, status=StoreListing.Status.PUBLISHED, flag_out_of_range=False)
    items = [
        PublishItem(sku_id=sl.sku_id, price=min(sl.retail_price_amount + Decimal("5.00"), sl.sku.max_retail_amount))
        for sl in listings.select_related("sku").order_by("pk")[:5]
    ]
    if items:
        store_listing_publish(actor=user, reseller=reseller, items=items, shop=shop)
    ctx["lines"].append("reseller@demo.test: two shops (/store/shops/); import shop orders at /purchase-orders/imports/")


def seed(ctx: dict) -> None:
    try:
        _seed_listings(ctx)
    finally:
        _seed_shops(ctx)


def _seed_listings(ctx: dict) -> None:
    reseller = ctx.get("reseller1")
    user = ctx.get("reseller1_user")
    if reseller is None:
        return
    suppliers = [ctx[k] for k in ("supplier1", "supplier2") if ctx.get(k) is not None]
    for supplier in suppliers:
        if not Partnership.objects.filter(supplier=supplier, reseller=reseller, status=Partnership.Status.ACTIVE).exists():
            continue
        listed = set(StoreListing.objects.filter(reseller=reseller, supplier=supplier).values_list("sku_id", flat=True))
        candidates = list(
            SKU.objects.filter(supplier=supplier, is_active=True, product__status=Product.Status.LISTED)
            .exclude(pk__in=list(listed))
            .order_by("product_id", "code")[: max(PER_SUPPLIER - len(listed), 0)]
        )
        if not candidates:
            continue
        items = []
        for sku in candidates:
            price = apply_markup(
                rule=MarkupRule.FACTOR_90,
                supply_price=sku.supply_price_amount,
                suggested=sku.suggested_retail_amount,
                min_retail=sku.min_retail_amount,
                max_retail=sku.max_retail_amount,
                factor=Decimal("1.5"),
            ).price
            items.append(PublishItem(sku_id=sku.pk, price=price))
        store_listing_publish(actor=user, reseller=reseller, items=items)

    # one entry whose price is out of range (as if the supplier narrowed it and the reseller has not reacted yet)
    if InspectionFinding.objects.filter(reseller=reseller, resolved_at__isnull=True).exists():
        return
    listing = (
        StoreListing.objects.filter(reseller=reseller, status=StoreListing.Status.PUBLISHED).select_related("sku").order_by("pk").first()
    )
    if listing is None:
        return
    now = timezone.now()
    StoreListing.objects.filter(pk=listing.pk).update(
        retail_price_amount=listing.sku.max_retail_amount + Decimal("20.00"), flag_out_of_range=True, flagged_at=now, updated_at=now
    )
    inspection_check_listings(listing_ids=[listing.pk], now=now)
    ctx["lines"].append("reseller@demo.test: store list with a flagged entry and an open inspection finding (/store/findings/)")
