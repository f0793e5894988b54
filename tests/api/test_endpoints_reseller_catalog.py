"""Reseller reads: products/, inventory/, account/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from suppliers.models import SKU, Partnership, Product
from tests.api.conftest import error_code
from tests.settlement.factories import fund
from tests.suppliers.factories import PartnershipFactory, SKUFactory


def test_products_lists_the_partner_suppliers_skus_with_the_tier_price(world):
    sku = world["sku"]
    response = world["reseller_api"].get("products/")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    [item] = body["results"]
    assert item["sku_id"] == sku.pk
    assert item["code"] == sku.code
    assert item["product_id"] == sku.product_id
    assert item["supplier"] == {"id": world["supplier"].pk, "name": world["supplier"].company_name}
    assert item["supply_price"] == "45.00"  # 50.00 less the tier's 10 %
    assert item["suggested_retail_price"] == "99.00"
    assert item["min_retail_price"] == "79.00"
    assert item["max_retail_price"] == "129.00"
    assert item["available"] == 20
    assert item["status"] == "listed"
    assert item["location"]["province"] == "浙江省"
    assert item["attributes"] == {"顏色": "白", "尺碼": "M"}
    assert item["images"] == []
    assert item["updated_at"].endswith("+08:00")  # ISO 8601 with offset, platform time zone


def test_an_updated_at_sent_back_as_updated_since_includes_that_item(world):
    [item] = world["reseller_api"].get("products/").json()["results"]
    again = world["reseller_api"].get("products/", {"updated_since": item["updated_at"]}).json()["results"]
    assert [r["sku_id"] for r in again] == [item["sku_id"]]


def test_products_hide_skus_of_suppliers_without_a_live_partnership(world):
    SKUFactory(product__supplier=world["other_supplier"])  # not partnered
    SKUFactory(product__supplier=world["supplier"], product__draft=True)  # never listed
    codes = [r["code"] for r in world["reseller_api"].get("products/").json()["results"]]
    assert codes == [world["sku"].code]
    # another reseller partnered with nobody sees nothing
    assert world["other_reseller_api"].get("products/").json()["results"] == []


def test_products_of_a_terminated_partnership_disappear(world):
    Partnership.objects.filter(pk=world["partnership"].pk).update(status=Partnership.Status.TERMINATED)
    assert world["reseller_api"].get("products/").json()["results"] == []


def test_a_delisted_product_is_reported_as_delisted(world):
    Product.objects.filter(pk=world["sku"].product_id).update(status=Product.Status.DELISTED, updated_at=timezone.now())
    [item] = world["reseller_api"].get("products/").json()["results"]
    assert item["status"] == "delisted"


def test_products_filter_by_supplier(world):
    second = PartnershipFactory(reseller=world["reseller"])
    SKUFactory(product__supplier=second.supplier)
    everything = world["reseller_api"].get("products/").json()["results"]
    only_second = world["reseller_api"].get("products/", {"supplier_id": second.supplier_id}).json()["results"]
    assert len(everything) == 2
    assert [r["supplier"]["id"] for r in only_second] == [second.supplier_id]


def test_paging_returns_every_sku_once_even_while_rows_change(world):
    for _ in range(6):
        SKUFactory(product__supplier=world["supplier"])
    api = world["reseller_api"]
    seen: list[int] = []
    page = api.get("products/", {"limit": 3}).json()
    seen += [r["sku_id"] for r in page["results"]]
    # while the client pages: a new SKU appears and an already-seen one changes
    SKUFactory(product__supplier=world["supplier"])
    SKU.objects.filter(pk=seen[0]).update(on_hand=1, updated_at=timezone.now())
    while page["next_cursor"]:
        page = api.get("products/", {"limit": 3, "cursor": page["next_cursor"]}).json()
        seen += [r["sku_id"] for r in page["results"]]
    all_ids = set(SKU.objects.filter(supplier=world["supplier"]).values_list("pk", flat=True))
    assert set(seen) == all_ids  # nothing skipped
    assert len(seen) == len(all_ids) + 1  # only the changed SKU comes again, at the end
    assert seen[-1] in {seen[0], max(all_ids)}


def test_updated_since_is_inclusive(world):
    old = world["sku"]
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        newer = SKUFactory(product__supplier=world["supplier"])
        Product.objects.filter(pk=newer.product_id).update(updated_at=newer.updated_at)
    response = world["reseller_api"].get("inventory/", {"updated_since": newer.updated_at.isoformat()})
    assert [r["sku_id"] for r in response.json()["results"]] == [newer.pk]
    assert old.pk not in [r["sku_id"] for r in response.json()["results"]]


def test_a_tampered_cursor_answers_422(world):
    response = world["reseller_api"].get("products/", {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["fields"]


def test_products_stay_within_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(30):
        SKUFactory(product__supplier=world["supplier"])
    with django_assert_max_num_queries(8):
        response = world["reseller_api"].get("products/")
    assert len(response.json()["results"]) == 31


def test_inventory_lists_available_stock(world):
    SKU.objects.filter(pk=world["sku"].pk).update(reserved=5)
    [item] = world["reseller_api"].get("inventory/").json()["results"]
    assert item == {
        "sku_id": world["sku"].pk,
        "code": world["sku"].code,
        "available": 15,
        "updated_at": item["updated_at"],
    }
    assert world["other_reseller_api"].get("inventory/").json()["results"] == []


def test_account_shows_the_wallet_of_the_keys_organisation(world):
    fund(world["reseller"].organisation, Decimal("10000.00"))
    body = world["reseller_api"].get("account/").json()
    assert body == {
        "organisation": {"id": world["reseller"].pk, "name": world["reseller"].organisation.name, "kind": "reseller"},
        "balance": "10000.00",
        "held": "0.00",
        "currency": "CNY",
    }
    other = world["other_reseller_api"].get("account/").json()
    assert other["balance"] == "0.00"
    assert other["organisation"]["id"] == world["other_reseller"].pk


def test_account_needs_a_reseller_key(world):
    response = world["supplier_api"].get("account/")
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
