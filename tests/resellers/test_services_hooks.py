"""The store list's reaction to supplier changes, called as the suppliers' services call the hooks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Notification
from resellers.models import InspectionFinding, StoreListing
from resellers.services import (
    PublishItem,
    store_list_on_partnership_ended,
    store_list_on_product_delisted,
    store_list_on_sku_changed,
    store_listing_publish,
)
from resellers.shop_services import shop_default
from suppliers.models import SKU, Partnership, Product
from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    listings = store_listing_publish(
        actor=world["user"],
        reseller=world["reseller"],
        items=[PublishItem(sku_id=world["sku_a"].pk, price="85.00"), PublishItem(sku_id=world["sku_b"].pk, price="120.00")],
    )
    return {sl.sku_id: sl for sl in listings}


def supplier_updates_sku(sku: SKU, **fields) -> SKU:
    """What a supplier service does: lock, write, call the hook in the same transaction."""
    with transaction.atomic():
        locked = SKU.objects.select_for_update().get(pk=sku.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        store_list_on_sku_changed(sku=locked, changes=set(fields))
    return locked


def notes(world):
    return list(Notification.objects.filter(user=world["user"]))


def test_narrowing_the_range_flags_entries_outside_it_and_notifies_once(world, published):
    sku = supplier_updates_sku(world["sku_a"], min_retail_amount=Decimal("89.00"), suggested_retail_amount=Decimal("99.00"))
    listing = StoreListing.objects.get(sku=sku)
    assert listing.flag_out_of_range and listing.flagged_at is not None
    assert listing.status == StoreListing.Status.PUBLISHED  # the reseller fixes the price; not unpublished
    [note] = notes(world)
    assert note.kind == "store_list.sku_changed"
    assert "TS-WHITE-M" in note.title and "89.00" in note.body
    # the same change reported again (a retry, a second save) notifies nobody
    supplier_updates_sku(sku, min_retail_amount=Decimal("89.00"))
    store_list_on_sku_changed(sku=sku, changes={"min_retail_amount"})
    assert len(notes(world)) == 1
    # the other SKU's entry is untouched
    assert not StoreListing.objects.get(sku=world["sku_b"]).is_flagged


def test_a_second_distinct_change_notifies_again(world, published):
    sku = supplier_updates_sku(world["sku_a"], min_retail_amount=Decimal("89.00"))
    supplier_updates_sku(sku, min_retail_amount=Decimal("90.00"), suggested_retail_amount=Decimal("99.00"))
    assert len(notes(world)) == 2


def test_widening_the_range_back_clears_the_flag(world, published):
    sku = supplier_updates_sku(world["sku_a"], min_retail_amount=Decimal("89.00"))
    supplier_updates_sku(sku, min_retail_amount=Decimal("79.00"))
    listing = StoreListing.objects.get(sku=sku)
    assert not listing.flag_out_of_range and listing.flagged_at is None


def test_supply_price_change_notifies_once_without_flagging(world, published):
    sku = supplier_updates_sku(world["sku_a"], supply_price_amount=Decimal("55.00"))
    store_list_on_sku_changed(sku=sku, changes={"supply_price_amount"})
    assert not StoreListing.objects.get(sku=sku).is_flagged
    [note] = notes(world)
    assert "supply price" in note.body


def test_running_out_of_stock_flags_and_notifies_once_and_stock_moves_stay_quiet(world, published):
    sku = supplier_updates_sku(world["sku_a"], on_hand=40)
    assert notes(world) == []  # a stock move that breaks nothing is not news
    sku = supplier_updates_sku(sku, on_hand=0)
    assert StoreListing.objects.get(sku=sku).flag_out_of_stock
    supplier_updates_sku(sku, on_hand=0)
    assert len(notes(world)) == 1
    supplier_updates_sku(sku, on_hand=10)
    listing = StoreListing.objects.get(sku=sku)
    assert not listing.flag_out_of_stock and listing.status == StoreListing.Status.PUBLISHED


def test_a_deactivated_sku_is_flagged_delisted_and_unpublished(world, published):
    supplier_updates_sku(world["sku_a"], is_active=False)
    listing = StoreListing.objects.get(sku=world["sku_a"])
    assert listing.flag_delisted and listing.status == StoreListing.Status.UNPUBLISHED


def test_delisting_a_product_unpublishes_its_entries_and_notifies_once(world, published):
    product = Product.objects.get(pk=world["product"].pk)
    finding = InspectionFinding.objects.create(
        reseller=world["reseller"], supplier=world["supplier"], listing=published[world["sku_a"].pk],
        kind="price_out_of_range", found_at=product.updated_at,
    )
    with transaction.atomic():
        product.delist("質量問題")
        product.save()
        store_list_on_product_delisted(product=product)
        store_list_on_product_delisted(product=product)
    listings = StoreListing.objects.filter(sku__product=product)
    assert {(sl.status, sl.flag_delisted) for sl in listings} == {(StoreListing.Status.UNPUBLISHED, True)}
    [note] = notes(world)
    assert note.kind == "store_list.delisted" and "2 entries" in note.title
    finding.refresh_from_db()
    assert finding.resolved_at is not None  # an unpublished entry breaks no rule


def test_ending_a_partnership_unpublishes_only_that_suppliers_entries_of_that_reseller(world, published):
    # another reseller of the same supplier keeps its entry
    reseller2 = ResellerFactory()
    user2 = MembershipFactory(organisation=reseller2.organisation).user
    PartnershipFactory(supplier=world["supplier"], reseller=reseller2, tier=world["tier"])
    store_listing_publish(actor=user2, reseller=reseller2, items=[PublishItem(sku_id=world["sku_a"].pk, price="99.00")])
    partnership = world["partnership"]
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.TERMINATED)
    store_list_on_partnership_ended(partnership=partnership)
    store_list_on_partnership_ended(partnership=partnership)
    mine = StoreListing.objects.filter(reseller=world["reseller"])
    assert {(sl.status, sl.flag_partnership_ended) for sl in mine} == {(StoreListing.Status.UNPUBLISHED, True)}
    assert StoreListing.objects.get(reseller=reseller2).status == StoreListing.Status.PUBLISHED
    [note] = notes(world)
    assert note.kind == "store_list.partnership_ended"
    assert not Notification.objects.filter(user=user2).exists()


def test_hooks_touch_entries_in_a_fixed_number_of_queries(world, published, django_assert_max_num_queries):
    # many resellers with the SKU in their store list
    for _ in range(15):
        r = ResellerFactory()
        MembershipFactory(organisation=r.organisation)
        StoreListing.objects.create(
            reseller=r, shop=shop_default(reseller=r), supplier=world["supplier"], sku=world["sku_a"], retail_price_amount=Decimal("85.00")
        )
    sku = SKU.objects.get(pk=world["sku_a"].pk)
    sku.min_retail_amount = Decimal("89.00")
    sku.save()
    with django_assert_max_num_queries(5):
        store_list_on_sku_changed(sku=sku, changes={"min_retail_amount"})
    assert StoreListing.objects.filter(sku=sku, flag_out_of_range=True).count() == 16
    assert Notification.objects.filter(kind="store_list.sku_changed").count() == 16


def test_hooks_do_nothing_without_entries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        store_list_on_sku_changed(sku=world["sku_a"], changes={"on_hand"})
