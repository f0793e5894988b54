"""Writes for a reseller's shops: creating and editing shops, the default shop, shop item codes
(商家編碼) and publishing a selection to several shops at once (一鍵鋪貨)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from distribution.core.audit import audit
from distribution.core.errors import DomainError, ValidationFailed

from .models import Platform, Reseller, Shop, StoreListing

PLATFORM_OF_CHANNEL = {
    "c_store": Platform.TAOBAO,
    "mall_store": Platform.TMALL,
    "b2c_platform": Platform.JD,
    "own_web_shop": Platform.OWN_SITE,
    "offline_wholesale": Platform.WHOLESALE,
}


def shop_default(*, reseller: Reseller) -> Shop:
    """The reseller's default shop, made from its profile's store on first use (safe under concurrency)."""
    shop = Shop.objects.filter(reseller=reseller, is_default=True).first()
    if shop is not None:
        return shop
    try:
        with transaction.atomic():
            return Shop.objects.create(
                reseller=reseller,
                name=(reseller.store_name or reseller.name)[:200],
                channel_type=reseller.channel_type,
                platform=PLATFORM_OF_CHANNEL.get(reseller.channel_type, Platform.OWN_SITE),
                url=reseller.store_url,
                is_default=True,
            )
    except IntegrityError:
        return Shop.objects.get(reseller=reseller, is_default=True)


def _clean_shop(*, name: str, channel_type: str, platform: str) -> str:
    from suppliers.models import ChannelType

    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("This field is required."), field="name")
    if len(name) > 200:
        raise ValidationFailed(_("200 characters at most."), field="name")
    if channel_type not in ChannelType.values:
        raise ValidationFailed(_("Choose a channel type from the list."), field="channel_type")
    if platform not in Platform.values:
        raise ValidationFailed(_("Choose a platform from the list."), field="platform")
    return name


def shop_create(*, actor: Any, reseller: Reseller, name: str, channel_type: str, platform: str, url: str = "") -> Shop:
    """Add a shop. Names are unique within the reseller (refused naming the field)."""
    name = _clean_shop(name=name, channel_type=channel_type, platform=platform)
    shop_default(reseller=reseller)
    try:
        with transaction.atomic():
            shop = Shop.objects.create(reseller=reseller, name=name, channel_type=channel_type, platform=platform, url=url or "")
            audit(actor=actor, action="shop.create", obj=shop, organisation=reseller.organisation, summary=name)
    except IntegrityError:
        raise ValidationFailed(_("You already have a shop with this name."), field="name") from None
    return shop


def shop_update(*, actor: Any, reseller: Reseller, shop_id: int, name: str, channel_type: str, platform: str, url: str = "") -> Shop:
    name = _clean_shop(name=name, channel_type=channel_type, platform=platform)
    try:
        with transaction.atomic():
            shop = Shop.objects.select_for_update().filter(reseller=reseller, pk=shop_id).first()
            if shop is None:
                raise DomainError(_("This shop does not exist."), code="not_found")
            shop.name, shop.channel_type, shop.platform, shop.url = name, channel_type, platform, url or ""
            shop.save()
            audit(actor=actor, action="shop.update", obj=shop, organisation=reseller.organisation, summary=name)
    except IntegrityError:
        raise ValidationFailed(_("You already have a shop with this name."), field="name") from None
    return shop


def store_listing_set_item_code(*, actor: Any, reseller: Reseller, listing_id: int, item_code: str) -> StoreListing:
    """Give an entry the reseller's own item code; unique within its shop (a database constraint)."""
    code = (item_code or "").strip()
    if not code:
        raise ValidationFailed(_("Enter the item code your shop uses."), field="item_code")
    if len(code) > 64:
        raise ValidationFailed(_("64 characters at most."), field="item_code")
    try:
        with transaction.atomic():
            listing = StoreListing.objects.select_for_update().select_related("sku").filter(reseller=reseller, pk=listing_id).first()
            if listing is None:
                raise DomainError(_("This store-list entry does not exist."), code="not_found")
            old = listing.item_code
            listing.item_code = code
            listing.updated_at = timezone.now()
            listing.save(update_fields=["item_code", "updated_at"])
            audit(actor=actor, action="store_listing.item_code", obj=listing, organisation=reseller.organisation, summary=f"{old} → {code}")
    except IntegrityError:
        raise ValidationFailed(
            _("The item code %(code)s is already used by another entry of this shop.") % {"code": code}, field="item_code"
        ) from None
    return listing


def store_listings_publish_to_shops(
    *,
    actor: Any,
    reseller: Reseller,
    sku_ids: list[int],
    shop_ids: list[int],
    rule: str,
    factor: Decimal,
    now: datetime | None = None,
) -> dict[Shop, list[StoreListing]]:
    """一鍵鋪貨: publish the chosen SKUs to every chosen shop by one markup rule, all shops or none."""
    from .services import store_listing_publish_by_rule

    shops = list(Shop.objects.filter(reseller=reseller, pk__in=list(shop_ids)).order_by("pk"))
    if not shops or len(shops) != len(set(shop_ids)):
        raise ValidationFailed(_("Choose at least one of your shops."), field="shops")
    published: dict[Shop, list[StoreListing]] = {}
    with transaction.atomic():
        for shop in shops:
            published[shop] = store_listing_publish_by_rule(
                actor=actor, reseller=reseller, sku_ids=sku_ids, rule=rule, factor=factor, shop=shop, now=now
            )
    return published
