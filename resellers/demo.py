"""Demo data of the resellers app: the three demo resellers with their owners (``seed_profiles``,
run before the suppliers' partnership demo; ``reseller3`` only applies to ``supplier1``),
and reseller1's store list (about ten published entries across
its partnered suppliers), one entry whose price fell out of the supplier's range, flagged and with
an open inspection finding. Idempotent; does nothing until the suppliers' demo has made products
and partnerships (looked up from the database, not assumed)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from accounts.demo import demo_owner
from accounts.models import Organisation
from suppliers.models import SKU, Partnership, Product

from .markup import MarkupRule, apply_markup
from .models import InspectionFinding, Reseller, StoreListing
from .services import PublishItem, inspection_check_listings, store_listing_publish

PER_SUPPLIER = 5

RESELLERS = [
    {
        "key": "reseller1",
        "email": "reseller@demo.test",
        "full_name": "李曉明",
        "name": "曉明生活館",
        "channel_type": "c_store",
        "store_name": "曉明生活館淘寶店",
        "store_url": "https://xiaoming.taobao.example/",
        "contact_name": "李曉明",
        "contact_phone": "13800138000",
    },
    {
        "key": "reseller2",
        "email": "reseller2@demo.test",
        "full_name": "趙雅婷",
        "name": "雅婷優選",
        "channel_type": "own_web_shop",
        "store_name": "雅婷優選商城",
        "store_url": "https://yating.example/",
        "contact_name": "趙雅婷",
        "contact_phone": "13600136000",
    },
    {
        "key": "reseller3",
        "email": "reseller3@demo.test",
        "full_name": "陳志強",
        "name": "志強數碼家居",
        "channel_type": "b2c_platform",
        "store_name": "志強數碼家居京東店",
        "store_url": "https://zhiqiang.jd.example/",
        "contact_name": "陳志強",
        "contact_phone": "13700137000",
    },
]


def seed_profiles(ctx: dict) -> None:
    """The demo resellers and their owners: ``reseller1`` … ``reseller3`` and ``reseller1_user`` … in ``ctx``."""
    for spec in RESELLERS:
        user, organisation = demo_owner(
            email=spec["email"], password=ctx["password"], full_name=spec["full_name"],
            kind=Organisation.Kind.RESELLER, name=spec["name"],
        )
        reseller, _ = Reseller.objects.get_or_create(
            organisation=organisation,
            defaults={k: spec[k] for k in ("name", "channel_type", "store_name", "store_url", "contact_name", "contact_phone")},
        )
        ctx[spec["key"]] = reseller
        ctx[f"{spec['key']}_user"] = user


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
