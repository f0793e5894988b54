"""products/ pages on the stored SKU.sync_at (kept by triggers) and a per-partnership floor:
``updated_at`` = the latest change of the SKU, its product, the partnership, the supplier or a
listing penalty — the same contract as before, now without sorting a GREATEST over joins."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from suppliers.models import SKU, Partnership, Product
from tests.suppliers.factories import PartnershipFactory, SKUFactory, TierFactory


def ids(response) -> list[int]:
    return [r["sku_id"] for r in response.json()["results"]]


def test_a_product_change_moves_its_skus_sync_at_on_every_write_path(world):
    sku = world["sku"]
    later = timezone.now() + timedelta(minutes=5)
    Product.objects.filter(pk=sku.product_id).update(updated_at=later)  # a queryset update, no save()
    assert SKU.objects.get(pk=sku.pk).sync_at == later
    [item] = world["reseller_api"].get("products/", {"updated_since": later.isoformat()}).json()["results"]
    assert item["sku_id"] == sku.pk and item["updated_at"] == timezone.localtime(later).isoformat()


def test_a_sku_write_keeps_the_later_of_its_own_and_its_products_time(world):
    sku = world["sku"]
    later = timezone.now() + timedelta(minutes=5)
    Product.objects.filter(pk=sku.product_id).update(updated_at=later)
    SKU.objects.filter(pk=sku.pk).update(on_hand=3, updated_at=timezone.now())
    assert SKU.objects.get(pk=sku.pk).sync_at == later


def test_a_tier_change_brings_every_sku_back_for_that_reseller_only(world):
    for _ in range(3):
        SKUFactory(product__supplier=world["supplier"])
    other = PartnershipFactory(supplier=world["supplier"], tier=TierFactory(supplier=world["supplier"]))
    from tests.api.conftest import ApiClient, make_key

    make_key(other.reseller.organisation, "reseller-key-3")
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        changed_at = timezone.now()
        Partnership.objects.filter(pk=world["partnership"].pk).update(updated_at=changed_at)
    since = changed_at.isoformat()
    assert len(ids(world["reseller_api"].get("products/", {"updated_since": since}))) == 4
    assert ids(ApiClient("reseller-key-3").get("products/", {"updated_since": since})) == []


def test_a_new_discount_on_the_tier_brings_back_every_sku_of_its_partnerships_with_the_new_price(world):
    from decimal import ROUND_HALF_UP, Decimal

    from suppliers.services import tier_update

    later = timezone.now() + timedelta(hours=1)
    assert ids(world["reseller_api"].get("products/", {"updated_since": later.isoformat()})) == []
    with time_machine.travel(later, tick=False):
        tier_update(actor=world["supplier_user"], tier=world["tier"], name=world["tier"].name, discount_percent=Decimal("25"))
    [item] = world["reseller_api"].get("products/", {"updated_since": later.isoformat()}).json()["results"]
    assert item["sku_id"] == world["sku"].pk
    assert Decimal(item["supply_price"]) == (world["sku"].supply_price_amount * Decimal("0.75")).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_pages_across_partnerships_are_in_updated_at_order_without_gaps_or_repeats(world):
    second = PartnershipFactory(reseller=world["reseller"])
    for _ in range(4):
        SKUFactory(product__supplier=world["supplier"])
        SKUFactory(product__supplier=second.supplier)
    base = timezone.now()
    # some SKUs changed after their partnership, one partnership changed after most SKUs
    some = list(SKU.objects.filter(supplier=second.supplier).order_by("pk").values_list("pk", flat=True)[:2])
    SKU.objects.filter(pk__in=some).update(updated_at=base + timedelta(minutes=10))
    Partnership.objects.filter(pk=world["partnership"].pk).update(updated_at=base + timedelta(minutes=5))
    api, seen, stamps = world["reseller_api"], [], []
    page = api.get("products/", {"limit": 2}).json()
    while True:
        seen += [r["sku_id"] for r in page["results"]]
        stamps += [(r["updated_at"], r["sku_id"]) for r in page["results"]]
        if not page["next_cursor"]:
            break
        page = api.get("products/", {"limit": 2, "cursor": page["next_cursor"]}).json()
    expected = set(SKU.objects.filter(supplier__in=[world["supplier"], second.supplier]).values_list("pk", flat=True))
    assert sorted(seen) == sorted(expected) and len(seen) == len(expected)
    assert stamps == sorted(stamps)
    by_id = {sku_id: stamp for stamp, sku_id in stamps}
    assert all(by_id[pk] == timezone.localtime(base + timedelta(minutes=10)).isoformat() for pk in some)
    first_supplier = SKU.objects.filter(supplier=world["supplier"]).values_list("pk", flat=True)
    assert {by_id[pk] for pk in first_supplier} == {timezone.localtime(base + timedelta(minutes=5)).isoformat()}


def test_the_query_count_does_not_grow_with_partnerships(world, django_assert_max_num_queries):
    for _ in range(5):
        partnership = PartnershipFactory(reseller=world["reseller"])
        SKUFactory(product__supplier=partnership.supplier)
    with django_assert_max_num_queries(8):
        response = world["reseller_api"].get("products/", {"limit": 3})
    assert len(response.json()["results"]) == 3
