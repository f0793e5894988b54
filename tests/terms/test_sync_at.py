"""Changing who sees a product (product lines) or what a reseller pays (own prices, price breaks, order rules)
moves the SKUs' ``sync_at``, in one UPDATE: the API's ``products/`` keyset listing and ``updated_since`` show
the change to integrators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suppliers.models import SKU, Product
from suppliers.services import commercial
from tests.suppliers.factories import ProductFactory, SKUFactory
from tests.terms.factories import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled(world):
    """Three more products of the supplier; every SKU last changed a week ago."""
    for n in range(3):
        SKUFactory(product=ProductFactory(supplier=world["supplier"]), code=f"MORE-{n}")
    week_ago = timezone.now() - timedelta(days=7)
    Product.objects.update(updated_at=week_ago)
    SKU.objects.update(updated_at=week_ago)  # the trigger: sync_at = GREATEST(its, its product's updated_at)
    assert not SKU.objects.filter(sync_at__gt=week_ago).exists()
    world["mark"] = timezone.now()
    return world


def moved(world) -> set[str]:
    return set(SKU.objects.filter(sync_at__gte=world["mark"]).values_list("code", flat=True))


def changed_since(world) -> set[str]:
    response = world["reseller_api"].get("products/", {"updated_since": world["mark"].isoformat()})
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["results"]}


def sku_updates(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "suppliers_sku"')]


def test_a_product_line_moves_the_sync_of_all_its_skus_in_one_update(settled):
    w = settled
    products = sorted(SKU.objects.filter(code__startswith="MORE-").values_list("product_id", flat=True))
    with CaptureQueriesContext(connection) as captured:
        commercial.product_line_save(
            actor=w["supplier_user"], supplier=w["supplier"], name="VIP", product_ids=products, tier_ids=[w["tier"].pk], reseller_ids=[]
        )
    assert len(sku_updates(captured)) == 1
    assert moved(w) == {"MORE-0", "MORE-1", "MORE-2"}
    assert changed_since(w) == {"MORE-0", "MORE-1", "MORE-2"}  # the reseller's tier sees the line


def test_a_product_leaving_a_line_and_a_deleted_line_move_their_skus(settled):
    w = settled
    products = sorted(SKU.objects.filter(code__startswith="MORE-").values_list("product_id", flat=True))
    line = commercial.product_line_save(
        actor=w["supplier_user"], supplier=w["supplier"], name="VIP", product_ids=products, tier_ids=[], reseller_ids=[]
    )
    assert changed_since(w) == set()  # hidden from everyone now
    SKU.objects.update(updated_at=w["mark"] - timedelta(days=1))
    w["mark"] = timezone.now()
    commercial.product_line_save(
        actor=w["supplier_user"], supplier=w["supplier"], name="VIP", product_ids=products[1:], tier_ids=[], reseller_ids=[], line=line
    )
    assert moved(w) == {"MORE-0", "MORE-1", "MORE-2"} and changed_since(w) == {"MORE-0"}  # visible again
    SKU.objects.update(updated_at=w["mark"] - timedelta(days=1))
    w["mark"] = timezone.now()
    commercial.product_line_delete(actor=w["supplier_user"], line=line)
    assert moved(w) == {"MORE-1", "MORE-2"} and changed_since(w) == {"MORE-1", "MORE-2"}


def test_an_own_price_a_price_break_and_order_rules_move_the_sku(settled):
    w = settled
    sku = w["sku"]
    override = commercial.price_override_set(actor=w["supplier_user"], sku=sku, reseller_id=w["reseller"].pk, unit_price=D("39.00"))
    assert moved(w) == {sku.code}
    [item] = w["reseller_api"].get("products/", {"updated_since": w["mark"].isoformat()}).json()["results"]
    assert item["supply_price"] == "39.00"
    for change in (
        lambda: commercial.price_override_delete(actor=w["supplier_user"], override=override),
        lambda: commercial.price_break_add(actor=w["supplier_user"], sku=sku, min_quantity=10, unit_price=D("45.00")),
        lambda: commercial.sku_order_rules_save(actor=w["supplier_user"], sku=sku, min_order_quantity=2, order_multiple=2),
    ):
        SKU.objects.update(updated_at=w["mark"] - timedelta(days=1))
        w["mark"] = timezone.now()
        change()
        assert moved(w) == {sku.code}
