"""Tiers (discount on supply price), cooperation terms and the tier price selector."""

from __future__ import annotations

from decimal import Decimal

import pytest

from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from suppliers import services
from suppliers.models import CooperationTerms, Tier
from suppliers.selectors import supply_price_for
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import PartnershipFactory, SKUFactory, SupplierFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def manager(supplier):
    return member(supplier)


def test_create_update_and_delete_a_tier(manager, supplier):
    tier = services.tier_create(actor=manager, supplier=supplier, name="銀牌", discount_percent=Decimal("5"))
    tier = services.tier_update(actor=manager, tier=tier, name="銀牌會員", discount_percent=Decimal("7.5"))
    assert (tier.name, tier.discount_percent) == ("銀牌會員", Decimal("7.5"))
    services.tier_delete(actor=manager, tier=tier)
    assert not Tier.objects.exists()


def test_tier_names_are_unique_per_supplier(manager, supplier):
    services.tier_create(actor=manager, supplier=supplier, name="金牌", discount_percent=Decimal("10"))
    with pytest.raises(ValidationFailed) as exc:
        services.tier_create(actor=manager, supplier=supplier, name="金牌", discount_percent=Decimal("12"))
    assert exc.value.field == "name"


@pytest.mark.parametrize("discount", [Decimal("-1"), Decimal("90.01")])
def test_discount_must_be_between_0_and_90(manager, supplier, discount):
    with pytest.raises(ValidationFailed) as exc:
        services.tier_create(actor=manager, supplier=supplier, name="x", discount_percent=discount)
    assert exc.value.field == "discount_percent"


def test_a_tier_in_use_cannot_be_deleted(manager, supplier):
    partnership = PartnershipFactory(supplier=supplier)
    with pytest.raises(InvalidState):
        services.tier_delete(actor=manager, tier=partnership.tier)
    assert Tier.objects.filter(pk=partnership.tier.pk).exists()


def test_staff_member_and_other_suppliers_cannot_change_tiers(supplier):
    tier = TierFactory(supplier=supplier)
    with pytest.raises(PermissionDenied):
        services.tier_update(actor=member(supplier, "staff"), tier=tier, name="x", discount_percent=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.tier_delete(actor=member(SupplierFactory(), "owner"), tier=tier)


def test_supply_price_for_a_tier_rounds_half_up_to_the_fen():
    sku = SKUFactory.build(supply_price_amount=Decimal("33.33"))
    assert supply_price_for(sku, TierFactory.build(discount_percent=Decimal("5"))) == Decimal("31.66")  # 31.6635
    assert supply_price_for(sku, TierFactory.build(discount_percent=Decimal("0"))) == Decimal("33.33")
    assert supply_price_for(sku, None) == Decimal("33.33")


def test_terms_are_saved_and_replaced(manager, supplier):
    kwargs = {
        "text": "誠信合作", "accepted_channel_types": ["c_store", "mall_store"], "minimum_order_amount": Decimal("200.00"),
        "shipping_fee_amount": Decimal("8.00"), "shipping_regions": ["330000", "310000"], "return_policy": "七天無理由退貨",
    }  # fmt: skip
    services.cooperation_terms_save(actor=manager, supplier=supplier, **kwargs)
    services.cooperation_terms_save(actor=manager, supplier=supplier, **{**kwargs, "shipping_regions": []})
    terms = CooperationTerms.objects.get(supplier=supplier)
    assert terms.shipping_regions == [] and terms.shipping_fee_amount == Decimal("8.00")
    assert terms.accepted_channel_types == ["c_store", "mall_store"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"accepted_channel_types": ["tiktok"]}, "accepted_channel_types"),
        ({"shipping_regions": ["330100"]}, "shipping_regions"),
        ({"shipping_fee_amount": Decimal("-1")}, "shipping_fee_amount"),
    ],
)
def test_terms_refuse_bad_values(manager, supplier, override, field):
    kwargs = {
        "text": "", "accepted_channel_types": [], "minimum_order_amount": Decimal("0"), "shipping_fee_amount": Decimal("0"),
        "shipping_regions": [], "return_policy": "",
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.cooperation_terms_save(actor=manager, supplier=supplier, **{**kwargs, **override})
    assert exc.value.field == field
