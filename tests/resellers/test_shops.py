"""Shops: several per reseller, store list / feeds / findings per shop, item codes, publishing to several shops."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from distribution.core.errors import ValidationFailed
from resellers import shop_services
from resellers.markup import MarkupRule
from resellers.models import Platform, Shop, StoreListing
from resellers.services import PublishItem, store_listing_publish
from resellers.shop_services import shop_default

pytestmark = pytest.mark.django_db


def add_shop(world, name="拼多多店", platform=Platform.PINDUODUO, channel="b2c_platform"):
    return shop_services.shop_create(actor=world["user"], reseller=world["reseller"], name=name, channel_type=channel, platform=platform)


def test_a_reseller_starts_with_its_profile_store_as_default_shop(world):
    shop = shop_default(reseller=world["reseller"])
    assert shop.is_default and shop.name == world["reseller"].store_name
    assert shop_default(reseller=world["reseller"]) == shop


def test_shop_names_are_unique_per_reseller_and_the_field_is_named(world):
    add_shop(world)
    with pytest.raises(ValidationFailed) as exc:
        add_shop(world)
    assert exc.value.field == "name"


def test_one_sku_published_in_two_shops_at_different_prices(world):
    other = add_shop(world)
    sku = world["sku_a"]
    store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku.pk, "99.00")])
    store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku.pk, "109.00")], shop=other)
    prices = dict(StoreListing.objects.filter(sku=sku).values_list("shop__name", "retail_price_amount"))
    assert prices == {world["reseller"].store_name: Decimal("99.00"), "拼多多店": Decimal("109.00")}


def test_item_code_defaults_to_sku_code_and_is_unique_per_shop(world):
    r = world["reseller"]
    a, b = store_listing_publish(
        actor=world["user"], reseller=r, items=[PublishItem(world["sku_a"].pk, "99.00"), PublishItem(world["sku_b"].pk, "99.00")]
    )
    assert a.item_code == world["sku_a"].code
    with pytest.raises(ValidationFailed) as exc:
        shop_services.store_listing_set_item_code(actor=world["user"], reseller=r, listing_id=b.pk, item_code=a.item_code)
    assert exc.value.field == "item_code"
    shop_services.store_listing_set_item_code(actor=world["user"], reseller=r, listing_id=b.pk, item_code="MY-TEE-L")
    assert StoreListing.objects.get(pk=b.pk).item_code == "MY-TEE-L"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        StoreListing.objects.filter(pk=b.pk).update(item_code=a.item_code)


def test_same_item_code_allowed_in_two_shops(world):
    other = add_shop(world)
    r, sku = world["reseller"], world["sku_a"]
    store_listing_publish(actor=world["user"], reseller=r, items=[PublishItem(sku.pk, "99.00")])
    store_listing_publish(actor=world["user"], reseller=r, items=[PublishItem(sku.pk, "99.00")], shop=other)
    assert StoreListing.objects.filter(item_code=sku.code).count() == 2


def test_publish_a_selection_to_several_shops_with_a_markup_rule(world):
    other = add_shop(world)
    default = shop_default(reseller=world["reseller"])
    published = shop_services.store_listings_publish_to_shops(
        actor=world["user"], reseller=world["reseller"], sku_ids=[world["sku_a"].pk, world["sku_b"].pk],
        shop_ids=[default.pk, other.pk], rule=MarkupRule.SUGGESTED, factor=Decimal("1.30"),
    )
    assert {shop.pk: len(rows) for shop, rows in published.items()} == {default.pk: 2, other.pk: 2}
    assert StoreListing.objects.filter(reseller=world["reseller"]).count() == 4


def test_publishing_to_another_resellers_shop_is_refused(world, other_reseller):
    _user, stranger = other_reseller
    foreign = shop_default(reseller=stranger)
    with pytest.raises(ValidationFailed):
        shop_services.store_listings_publish_to_shops(
            actor=world["user"], reseller=world["reseller"], sku_ids=[world["sku_a"].pk], shop_ids=[foreign.pk],
            rule=MarkupRule.SUGGESTED, factor=Decimal("1.30"),
        )


def test_store_list_filters_by_shop_and_feed_is_per_shop(reseller_client, world):
    other = add_shop(world)
    r = world["reseller"]
    store_listing_publish(actor=world["user"], reseller=r, items=[PublishItem(world["sku_a"].pk, "99.00")])
    store_listing_publish(actor=world["user"], reseller=r, items=[PublishItem(world["sku_b"].pk, "99.00")], shop=other)
    page = reseller_client.get(f"/store/?shop={other.pk}").content.decode()
    assert "TS-BLACK-L" in page and "TS-WHITE-M" not in page
    feed = b"".join(reseller_client.get(f"/store/feeds/stock.csv?shop={other.pk}").streaming_content).decode("utf-8-sig")
    assert "TS-BLACK-L" in feed and "TS-WHITE-M" not in feed
    default_feed = b"".join(reseller_client.get("/store/feeds/stock.csv").streaming_content).decode("utf-8-sig")
    assert "TS-WHITE-M" in default_feed and "TS-BLACK-L" not in default_feed


def test_shops_page_adds_a_shop_and_names_a_bad_field(reseller_client, world):
    response = reseller_client.post("/store/shops/", {"name": "", "channel_type": "c_store", "platform": "taobao"})
    assert response.status_code == 422
    response = reseller_client.post("/store/shops/", {"name": "京東旗艦店", "channel_type": "mall_store", "platform": "jd"})
    assert response.status_code == 302
    assert Shop.objects.filter(reseller=world["reseller"], name="京東旗艦店", platform="jd").exists()


def test_item_code_edit_from_the_store_list(reseller_client, world):
    (listing,) = store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(world["sku_a"].pk, "99.00")])
    response = reseller_client.post(f"/store/listings/{listing.pk}/item-code/", {"item_code": "TAO-001"})
    assert response.status_code == 302
    assert StoreListing.objects.get(pk=listing.pk).item_code == "TAO-001"


def test_another_resellers_shop_is_not_found(reseller_client, other_reseller):
    _user, stranger = other_reseller
    foreign = shop_default(reseller=stranger)
    assert reseller_client.get(f"/store/shops/{foreign.pk}/").status_code == 404
    assert reseller_client.get(f"/store/feeds/stock.csv?shop={foreign.pk}").status_code == 404
