from __future__ import annotations

from decimal import Decimal

import pytest

from distribution.core.errors import InvalidState, ValidationFailed
from distribution.core.models import AuditEvent
from resellers.markup import MarkupRule, apply_markup, round_to_90
from resellers.models import InspectionFinding, StoreListing
from resellers.services import (
    PublishItem,
    StoreListErrors,
    store_listing_publish,
    store_listing_publish_by_rule,
    store_listing_republish,
    store_listing_set_price,
    store_listing_unpublish,
)
from suppliers.models import Partnership
from tests.suppliers.factories import ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def publish(world, price, sku=None):
    sku = sku or world["sku_a"]
    return store_listing_publish(actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=sku.pk, price=price)])


@pytest.mark.parametrize("price", ["78.99", "129.01", "0", "-1", "abc", "80.001", ""])
def test_publish_is_refused_outside_the_range_naming_it(world, price):
    with pytest.raises(StoreListErrors) as exc:
        publish(world, price)
    field = f"price_{world['sku_a'].pk}"
    assert field in exc.value.errors
    if price in ("78.99", "129.01"):
        assert exc.value.errors[field] == "Retail price must be between 79.00 and 129.00"
    assert not StoreListing.objects.exists()


@pytest.mark.parametrize("price", ["79.00", "129.00", "99.5"])
def test_publish_accepts_prices_at_and_within_the_bounds(world, price):
    [listing] = publish(world, price)
    listing.refresh_from_db()
    assert listing.retail_price_amount == Decimal(price)
    assert listing.status == StoreListing.Status.PUBLISHED
    assert listing.supplier_id == world["supplier"].pk
    assert (listing.location_province_code, listing.location_city_code) == ("330000", "330100")


def test_publish_of_several_skus_is_all_or_nothing(world):
    items = [PublishItem(sku_id=world["sku_a"].pk, price="99.00"), PublishItem(sku_id=world["sku_b"].pk, price="200.00")]
    with pytest.raises(StoreListErrors) as exc:
        store_listing_publish(actor=world["user"], reseller=world["reseller"], items=items)
    assert list(exc.value.errors) == [f"price_{world['sku_b'].pk}"]
    assert not StoreListing.objects.exists()


def test_publish_is_refused_without_an_active_partnership(world):
    other = SKUFactory(product=ProductFactory(supplier=SupplierFactory()))
    with pytest.raises(StoreListErrors) as exc:
        publish(world, "99.00", sku=other)
    assert "only while partnered" in exc.value.message
    Partnership.objects.filter(pk=world["partnership"].pk).update(status=Partnership.Status.TERMINATION_PENDING)
    with pytest.raises(StoreListErrors):
        publish(world, "99.00")


def test_publish_is_refused_for_a_delisted_product(world):
    sku = SKUFactory(product=ProductFactory(supplier=world["supplier"], delisted=True))
    with pytest.raises(StoreListErrors) as exc:
        publish(world, "99.00", sku=sku)
    assert "not listed" in exc.value.message


def test_publish_flags_an_sku_without_stock_and_writes_an_audit_row(world):
    sku = world["sku_a"]
    sku.on_hand = 0
    sku.save()
    [listing] = publish(world, "99.00")
    assert listing.flag_out_of_stock and listing.flagged_at is not None
    assert AuditEvent.objects.filter(action="store_listing.publish").count() == 1


def test_publishing_again_updates_the_entry_instead_of_duplicating_it(world):
    publish(world, "99.00")
    publish(world, "109.00")
    assert StoreListing.objects.get().retail_price_amount == Decimal("109.00")


def test_set_price_checks_the_range_and_resolves_price_findings(world):
    [listing] = publish(world, "99.00")
    with pytest.raises(ValidationFailed, match="between 79.00 and 129.00"):
        store_listing_set_price(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk, price=Decimal("129.01"))
    finding = InspectionFinding.objects.create(
        reseller=world["reseller"], supplier=world["supplier"], listing=listing, kind="price_out_of_range", found_at=listing.updated_at
    )
    store_listing_set_price(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk, price=Decimal("129.00"))
    listing.refresh_from_db()
    finding.refresh_from_db()
    assert listing.retail_price_amount == Decimal("129.00")
    assert finding.resolved_at is not None


def test_set_price_of_another_resellers_entry_is_not_found(world, other_reseller):
    [listing] = publish(world, "99.00")
    with pytest.raises(Exception, match="does not exist"):
        store_listing_set_price(actor=other_reseller[0], reseller=other_reseller[1], listing_id=listing.pk, price=Decimal("99.00"))


def test_unpublish_then_republish(world):
    [listing] = publish(world, "99.00")
    store_listing_unpublish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.status == StoreListing.Status.UNPUBLISHED
    store_listing_republish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.status == StoreListing.Status.PUBLISHED
    with pytest.raises(InvalidState):
        store_listing_republish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)


def test_republish_is_refused_when_the_price_left_the_range(world):
    [listing] = publish(world, "79.00")
    store_listing_unpublish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)
    world["sku_a"].__class__.objects.filter(pk=world["sku_a"].pk).update(min_retail_amount=Decimal("89.00"))
    with pytest.raises(StoreListErrors, match="between 89.00 and 129.00"):
        store_listing_republish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)


def test_bulk_publish_by_factor_uses_the_tier_price_and_clamps(world):
    # tier price 50 × 0.9 = 45; × 1.3 = 58.5 → 59 → clamped up to 79
    listings = store_listing_publish_by_rule(
        actor=world["user"],
        reseller=world["reseller"],
        sku_ids=[world["sku_a"].pk, world["sku_b"].pk],
        rule=MarkupRule.FACTOR_YUAN,
        factor=Decimal("1.3"),
    )
    assert sorted(sl.retail_price_amount for sl in listings) == [Decimal("79.00"), Decimal("79.00")]
    listings = store_listing_publish_by_rule(
        actor=world["user"], reseller=world["reseller"], sku_ids=[world["sku_a"].pk], rule=MarkupRule.FACTOR_90, factor=Decimal("2.2")
    )
    # 45 × 2.2 = 99.00 → 98.90 / 99.90 nearest is 98.90
    assert listings[0].retail_price_amount == Decimal("98.90")


@pytest.mark.parametrize(
    ("rule", "supply", "factor", "expected", "clamped"),
    [
        (MarkupRule.SUGGESTED, "50", "1.3", "99.00", False),
        (MarkupRule.FACTOR_YUAN, "65", "1.3", "85.00", False),  # 84.5 rounds half up
        (MarkupRule.FACTOR_90, "65", "1.3", "84.90", False),
        (MarkupRule.FACTOR_YUAN, "50", "3", "129.00", True),
        (MarkupRule.FACTOR_YUAN, "40", "1.2", "79.00", True),
    ],
)
def test_markup_rules(rule, supply, factor, expected, clamped):
    result = apply_markup(
        rule=rule,
        supply_price=Decimal(supply),
        suggested=Decimal("99.00"),
        min_retail=Decimal("79.00"),
        max_retail=Decimal("129.00"),
        factor=Decimal(factor),
    )
    assert (result.price, result.clamped) == (Decimal(expected), clamped)


def test_round_to_90_picks_the_nearest_price_ending_in_90():
    assert round_to_90(Decimal("84.30")) == Decimal("83.90")
    assert round_to_90(Decimal("84.40")) == Decimal("84.90")
    assert round_to_90(Decimal("0.10")) == Decimal("0.90")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "零售價必須介於 79.00 與 129.00 之間"), ("zh-hans", "零售价必须介于 79.00 与 129.00 之间")],
)
def test_the_range_message_is_translated(world, language, expected):
    from django.utils import translation

    with translation.override(language), pytest.raises(StoreListErrors) as exc:
        publish(world, "200.00")
    assert exc.value.message == expected


@pytest.mark.parametrize("sanction", ["suspend_listing", "listing_removal"])
def test_publish_and_republish_are_refused_while_the_supplier_is_under_a_listing_sanction(world, sanction):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Penalty

    price = world["sku_a"].suggested_retail_amount
    listing = publish(world, price)[0]
    store_listing_unpublish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)
    now = timezone.now()
    Penalty.objects.create(
        organisation=world["supplier"].organisation, rule="R3", description="x", sanction=sanction,
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6),
    )  # fmt: skip

    with pytest.raises(StoreListErrors) as exc:
        publish(world, price, sku=world["sku_b"])
    assert "suspended from listing" in exc.value.message
    with pytest.raises(StoreListErrors):
        store_listing_republish(actor=world["user"], reseller=world["reseller"], listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.status == StoreListing.Status.UNPUBLISHED
    assert not StoreListing.objects.filter(sku=world["sku_b"]).exists()
    # once the sanction has run out, publishing works again
    assert store_listing_republish(
        actor=world["user"], reseller=world["reseller"], listing_id=listing.pk, now=now + timedelta(days=7)
    ).status == StoreListing.Status.PUBLISHED
